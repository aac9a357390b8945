"""The JSON API under /api/v1 of a real `qa ui` app on a localhost port, called over HTTP."""

from __future__ import annotations

import httpx
import pytest

from index.settings import Settings
from qa.engine import Engine
from tests.conftest import SEED_QUESTION
from tests.ui_fixtures import QUIET_GRADIO, indexed_engine, running_app
from ui.app import launch

pytestmark = QUIET_GRADIO


@pytest.fixture(scope="module")
def engine(tmp_path_factory, embedder):
    return indexed_engine(tmp_path_factory.mktemp("rest"), embedder)


@pytest.fixture(scope="module")
def api(engine):
    with running_app(engine) as app:
        with httpx.Client(base_url=app.local_url.rstrip("/") + "/api/v1", timeout=60) as client:
            yield client


def test_ask_returns_what_qa_ask_json_prints_with_verbatim_citations(api, engine):
    got = api.post("/ask", json={"question": SEED_QUESTION})
    assert got.status_code == 200, got.text
    reply = got.json()
    assert set(reply) == set(engine.ask(SEED_QUESTION).to_dict())
    assert not reply["abstained"] and reply["mode"] == "extractive"
    assert reply["citations"]
    for c in reply["citations"]:
        article = api.get(f"/articles/{c['article_id']}").json()
        assert article["text"][c["start"]:c["end"]] == c["quote"]
        assert article["headline"] == c["headline"]


def test_ask_takes_history_and_filters(api):
    history = [{"role": "user", "content": SEED_QUESTION}, {"role": "assistant", "content": "He spoke."}]
    reply = api.post("/ask", json={"question": "And what did Zelensky say?", "history": history, "k": 3}).json()
    assert "Patel" in reply["resolved_question"]
    reply = api.post("/ask", json={"question": SEED_QUESTION, "since": "2030-01-01"}).json()
    assert reply["abstained"] and not reply["citations"]  # no article dated then


def test_search_status_and_articles(api, engine):
    found = api.post("/search", json={"question": "Vedant Patel negotiations", "k": 3}).json()
    assert found["passages"] and len(found["passages"]) <= 3
    assert {"headline", "date", "text", "article_id", "start", "end", "outlet"} <= set(found["passages"][0])
    status = api.get("/status").json()
    assert status["articles"] == engine.status().articles == 4
    first = found["passages"][0]["article_id"]
    assert api.get(f"/articles/{first}").json()["id"] == first  # ids holding '/' work too


@pytest.mark.parametrize("method, path, body, status, words", [
    ("post", "/ask", {"question": ""}, 400, "question"),
    ("post", "/ask", {"question": "x" * 5000}, 400, "characters"),
    ("post", "/ask", {"question": SEED_QUESTION, "k": 0}, 400, "between 1 and 50"),
    ("post", "/ask", {"question": SEED_QUESTION, "since": "yesterday"}, 400, "must be a date"),
    ("post", "/ask", {"question": SEED_QUESTION, "answer_mode": "poem"}, 400, "answer_mode"),
    ("post", "/ask", {"question": SEED_QUESTION, "k": "many"}, 422, "k"),
    ("post", "/search", {"k": 3}, 422, "question"),
    ("get", "/articles/no/such/article.txt", None, 404, "no indexed article"),
])
def test_errors_are_one_line_json_with_the_right_status(api, method, path, body, status, words):
    got = api.request(method.upper(), path, json=body)
    assert got.status_code == status, got.text
    message = got.json()["error"]
    assert words in message and "\n" not in message and "Traceback" not in message


def test_a_huge_history_is_refused_at_once(api):
    import time

    history = [{"role": "user", "content": "x" * 100_000}] * 20  # 2 MB
    started = time.perf_counter()
    got = api.post("/ask", json={"question": SEED_QUESTION, "history": history})
    assert got.status_code == 400 and "characters" in got.json()["error"]
    assert time.perf_counter() - started < 10


def test_an_empty_index_is_503(tmp_path, embedder):
    engine = Engine(Settings(index_dir=tmp_path / "idx", corpus_dir=tmp_path, ui_auth=None), embedder=embedder)
    with running_app(engine) as app:
        got = httpx.post(app.local_url.rstrip("/") + "/api/v1/ask", json={"question": SEED_QUESTION}, timeout=60)
    assert got.status_code == 503 and "qa index" in got.json()["error"]


def test_logins_are_the_chats(engine):
    engine.settings.ui_auth = "ann:s3cret,bob:pw"
    try:
        app = launch(engine, port=0, block=False)
    finally:
        engine.settings.ui_auth = None
    try:
        url = app.local_url.rstrip("/") + "/api/v1/status"
        assert httpx.get(url).status_code == 401
        assert httpx.get(url).headers["www-authenticate"] == "Basic"
        assert httpx.get(url, auth=("ann", "wrong")).status_code == 401
        assert httpx.get(url, auth=("bob", "s3cret")).status_code == 401  # another user's password
        assert httpx.get(url, auth=("bob", "pw")).json()["articles"] == 4
    finally:
        app.close()


def test_the_api_is_documented(api):
    spec = api.get("/openapi.json").json()
    assert {"/ask", "/search", "/status", "/articles/{article_id}"} <= set(spec["paths"])
    assert "question" in spec["components"]["schemas"]["AskRequest"]["properties"]
    assert api.get("/docs").status_code == 200


def test_a_local_server_answers_only_to_its_own_names(api):
    """DNS rebinding: a page elsewhere makes the browser call 127.0.0.1 under its own name."""
    root = str(api.base_url).rstrip("/").removesuffix("/api/v1")
    port = root.rsplit(":", 1)[1]
    assert httpx.get(root + "/api/v1/status").status_code == 200
    assert httpx.get(root + "/api/v1/status", headers={"Host": f"localhost:{port}"}).status_code == 200
    for path in ("/api/v1/status", "/", "/gradio_api/info"):
        assert httpx.get(root + path, headers={"Host": f"rebind.example:{port}"}).status_code == 400, path
    assert httpx.post(root + "/api/v1/ask", json={"question": SEED_QUESTION},
                      headers={"Host": "rebind.example"}).status_code == 400


def test_uploads_are_bounded(api):
    root = str(api.base_url).rstrip("/").removesuffix("/api/v1")
    small = httpx.post(root + "/gradio_api/upload", files={"files": ("a.txt", b"x" * 1000)})
    big = httpx.post(root + "/gradio_api/upload", files={"files": ("b.txt", b"x" * 2_000_000)})
    assert small.status_code == 200 and big.status_code == 413
