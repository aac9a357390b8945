"""Ten gradio_client sessions at once: each gets the reply to its own question and conversation."""

from __future__ import annotations

import threading

import pytest
from gradio_client import Client

from tests.ui_fixtures import QUIET_GRADIO, indexed_engine, running_app

TOWNS = [
    ("Ashcombe", "Helen Marsh", "a floating solar farm on the reservoir"),
    ("Brackley Vale", "Omar Haddad", "a cable car to the hilltop castle"),
    ("Corriemuir", "Sofia Brennan", "a public sauna beside the loch"),
    ("Dunhollow", "Pieter Vos", "an indoor climbing wall in the old mill"),
    ("Eskerby", "Amina Yusuf", "a night market under the railway arches"),
    ("Fenwick Cross", "Lars Holm", "a free electric ferry across the estuary"),
    ("Glenmarrow", "Chiara Russo", "a seed library in the town hall"),
    ("Harrowgate Mill", "Kwame Mensah", "a velodrome on the former airfield"),
    ("Inverlochy", "Mei Tanaka", "an observatory on the harbour wall"),
    ("Jesmond Reach", "Tomasz Nowak", "a rooftop orchard on the bus station"),
]

pytestmark = QUIET_GRADIO


def articles():
    for i, (town, mayor, project) in enumerate(TOWNS):
        body = (f"The mayor of {town}, {mayor}, announced on Tuesday that {town} will build {project}.\n\n"
                f"Residents of {town} will vote on the plan in the spring, {mayor} told the council.")
        yield f"town{i}.txt", f"{town} mayor announces {project}", f"2022-0{1 + i % 9}-1{i % 9}", body


@pytest.fixture(scope="module")
def url(tmp_path_factory, embedder):
    engine = indexed_engine(tmp_path_factory.mktemp("ui_conc"), embedder, articles=list(articles()), seeds=False)
    with running_app(engine) as app:
        yield app.local_url


def test_ten_concurrent_sessions_get_their_own_answers(url):
    barrier = threading.Barrier(len(TOWNS))
    results: dict[int, tuple] = {}
    failures: dict[int, BaseException] = {}

    def session(i: int) -> None:
        town, mayor, project = TOWNS[i]
        try:
            client = Client(url, verbose=False)
            question = f"What did the mayor of {town} announce?"
            barrier.wait(timeout=60)
            first = client.predict(question, api_name="/chat")
            history = [{"role": "user", "content": question}, {"role": "assistant", "content": first["answer"]}]
            follow = client.predict("Who is the mayor there?", history=history, api_name="/chat")
            results[i] = (question, first, follow)
        except BaseException as exc:  # reported below, with the session it came from
            failures[i] = exc

    threads = [threading.Thread(target=session, args=(i,)) for i in range(len(TOWNS))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=180)
    assert not failures, failures
    assert sorted(results) == list(range(len(TOWNS)))
    for i, (question, first, follow) in results.items():
        town, mayor, project = TOWNS[i]
        own = f"town{i}.txt"
        assert first["question"] == question
        assert first["passages"][0]["article_id"] == own, (question, first["passages"][0])
        assert all(c["article_id"] == own for c in first["citations"]), (question, first["citations"])
        if not first["abstained"]:
            assert project in " ".join(c["quote"] for c in first["citations"])
        # the follow-up was read with this session's conversation, nobody else's
        assert town in follow["resolved_question"], (question, follow["resolved_question"])
        assert follow["passages"][0]["article_id"] == own, (question, follow["passages"][0])
        assert all(c["article_id"] == own for c in follow["citations"])
