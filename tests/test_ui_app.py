"""The real Gradio app on a localhost port, driven through gradio_client (real engine and model)."""

from __future__ import annotations

import time

import pytest
from gradio_client import Client
from gradio_client.exceptions import AppError, AuthenticationError

from index.errors import UserError
from tests.conftest import SEED_QUESTION, write_article
from tests.ui_fixtures import QUIET_GRADIO, indexed_engine, running_app
from ui.app import launch, parse_auth

SEED_DATE = "2023-11-08"

pytestmark = QUIET_GRADIO


@pytest.fixture(scope="module")
def engine(tmp_path_factory, embedder):
    return indexed_engine(tmp_path_factory.mktemp("ui_app"), embedder)


@pytest.fixture(scope="module")
def client(engine):
    with running_app(engine) as app:
        yield Client(app.local_url, verbose=False)


def chat(client, message, **kwargs):
    return client.predict(message, api_name="/chat", **kwargs)


def test_answer_cites_the_seed_article(client):
    reply = chat(client, SEED_QUESTION)
    assert not reply["abstained"]
    assert reply["citations"], reply
    assert "[1]" in reply["answer"]
    first = reply["citations"][0]
    assert first["n"] == 1
    assert first["date"] == SEED_DATE
    assert "State Department" in first["headline"]
    assert "Patel" in " ".join(c["quote"] for c in reply["citations"])
    # every quote is verbatim at its offsets in the indexed article
    assert reply["citations"]
    for c in reply["citations"]:
        article = client.predict(c["article_id"], c["start"], c["end"], api_name="/article")
        assert article["quote"] == c["quote"]
        assert article["text"][c["start"]:c["end"]] == c["quote"]


def test_follow_up_uses_the_conversation(client):
    first = chat(client, SEED_QUESTION)
    history = [{"role": "user", "content": SEED_QUESTION}, {"role": "assistant", "content": first["answer"]}]
    reply = chat(client, "And what did Zelensky say?", history=history)
    assert "Patel" in reply["resolved_question"]  # the earlier question took part in retrieval
    assert not reply["abstained"], reply
    assert any("Zelensky" in c["quote"] for c in reply["citations"]), reply["citations"]


def test_abstains_and_still_shows_passages(client):
    reply = chat(client, "Who won the 2022 World Cup?")
    assert reply["abstained"]
    assert reply["citations"] == []
    assert reply["answer"]
    assert reply["passages"], "an abstention still lists the closest passages"


def test_search_only_lists_passages_without_an_answer(client):
    reply = chat(client, "Valmora harbour storm repairs", search_only=True, k=2)
    assert reply["mode"] == "search" and reply["answer"] == "" and reply["citations"] == []
    assert 1 <= len(reply["passages"]) <= 2
    assert reply["passages"][0]["headline"].startswith("Valmora harbour")


def test_date_filter(client):
    recent = chat(client, SEED_QUESTION, since="2024-01-01", search_only=True)
    assert recent["passages"]
    assert all(p["date"] >= "2024-01-01" for p in recent["passages"]), recent["passages"]
    old = chat(client, SEED_QUESTION, until="2022-12-31")
    dates = [c["date"] for c in old["citations"]] + [p["date"] for p in old["passages"]]
    assert dates and all(d <= "2022-12-31" for d in dates), dates
    with pytest.raises(AppError, match="real date"):
        chat(client, SEED_QUESTION, since="2023-13-01")
    with pytest.raises(AppError, match="after"):
        chat(client, SEED_QUESTION, since="2024-01-01", until="2023-01-01")


@pytest.mark.parametrize("crafted", ["../../etc/passwd", "/etc/passwd", "harbour.txt/../../../../etc/passwd",
                                     "..\\..\\etc\\passwd", ""])
def test_article_viewer_refuses_ids_not_in_the_index(client, crafted):
    with pytest.raises(AppError) as info:
        client.predict(crafted, api_name="/article")
    message = str(info.value)
    assert "no indexed article" in message or "No article id" in message
    assert "root:" not in message


def test_article_viewer_serves_an_indexed_article(client):
    article = client.predict("harbour.txt", api_name="/article")
    assert article["headline"].startswith("Valmora harbour")
    assert "Ilse Brandt" in article["text"]
    assert article["quote"] is None


@pytest.mark.parametrize("message, expected", [
    ("x" * 501, "limit is 500"),
    ("   ", "Please type a question"),
    ("What happened\x07 in Valmora?", "control characters"),
])
def test_bad_questions_get_a_clear_message(client, message, expected):
    with pytest.raises(AppError, match=expected):
        chat(client, message)


def test_status_endpoint(client):
    status = client.predict(api_name="/status")
    assert status["articles"] == 4
    assert status["chunks"] >= 4
    assert status["embed_model"]
    assert [s["articles"] for s in status["sources"]] == [4]  # the recorded source, not seeds/


def test_launch_refuses_remote_hosts_without_auth(engine):
    with pytest.raises(UserError, match="allow-remote"):
        launch(engine, host="0.0.0.0", port=0, block=False)
    with pytest.raises(UserError, match="QA_UI_AUTH"):
        launch(engine, host="0.0.0.0", port=0, allow_remote=True, block=False)
    assert parse_auth("ann:pw1, bob:p:w2") == [("ann", "pw1"), ("bob", "p:w2")]
    with pytest.raises(UserError):
        parse_auth("nopassword")


def test_logins_from_settings_are_required(engine):
    engine.settings.ui_auth = "ann:s3cret"
    try:
        app = launch(engine, port=0, block=False)
    finally:
        engine.settings.ui_auth = None
    try:
        with pytest.raises(AuthenticationError):
            Client(app.local_url, verbose=False)
        authed = Client(app.local_url, auth=("ann", "s3cret"), verbose=False)
        assert authed.predict(api_name="/status")["articles"] == 4
    finally:
        app.close()


def test_chat_answers_while_the_index_updates(client, engine):
    """Runs last: it adds articles. The update job and a chat request overlap."""
    corpus = engine.settings.corpus_dir
    filler = " ".join(f"The committee reviewed item {i} of the regional transport plan." for i in range(40))
    for i in range(24):
        write_article(corpus, f"transport/{i:02d}.txt", f"Transport plan review {i}", filler, "2020-01-01")
    job = client.submit(api_name="/update_index")
    deadline = time.time() + 30
    while job.status().code.name not in ("PROCESSING", "PROGRESS", "FINISHED") and time.time() < deadline:
        time.sleep(0.05)
    started = time.time()
    reply = chat(client, "Who is the harbour master of Valmora?")
    answered_in = time.time() - started
    still_updating = not job.done()
    progress = []
    while not job.done() and time.time() < deadline + 90:
        progress.extend(job.status().progress_data or [])
        time.sleep(0.05)
    status_md, note = job.result(timeout=120)
    assert any(p.unit == "articles" and p.length == 24 for p in progress), progress
    assert "Ilse Brandt" in " ".join(c["quote"] for c in reply["citations"]), reply
    assert "24 added" in note, note
    assert still_updating, f"the update finished before the answer came back ({answered_in:.1f} s)"
    assert client.predict(api_name="/status")["articles"] == 28


def test_rendering_escapes_article_text_and_cuts_the_paragraph():
    from ui import render

    text = "First paragraph.\n\nBefore <script>alert(1)</script> the quote. After it.\n\nLast paragraph."
    start = text.index("the quote.")
    end = start + len("the quote.")
    before, quote, after = render.paragraph_around(text, start, end)
    assert (before, quote, after) == ("Before <script>alert(1)</script> ", "the quote.", " After it.")
    citation = {"n": 1, "article_id": "a.txt", "headline": "<img src=x onerror=alert(1)>", "date": None,
                "path": "/c/a.txt", "quote": quote, "start": start, "end": end}
    reply = {"mode": "answer", "question": "q", "answer": "It was <b>the quote</b>. [1] [7]",
             "abstained": False, "citations": [citation], "passages": []}
    panel = render.sources_html(reply, 3, {"a.txt": text})
    viewer = render.article_html({"id": "a.txt", "headline": "<i>h</i>", "date": None, "path": "/c/a.txt",
                                  "text": text}, start, end)
    for html in (panel, viewer):
        assert "<script>" not in html and "<img" not in html and "<i>" not in html
    assert '<mark class="qa-quote">the quote.</mark>' in panel and 'id="qa-src-3-1"' in panel
    assert "First paragraph" not in panel
    message = render.answer_markdown(reply, 3)
    assert 'href="#qa-src-3-1"' in message and "<b>" not in message
    assert "qa-src-3-7" not in message  # a marker without a citation stays plain text
