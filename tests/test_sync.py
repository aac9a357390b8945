"""Sync against a real Chroma and the real model: only what changed costs anything."""

from __future__ import annotations

import pytest

from index.errors import IndexMismatchError
from qa.engine import Engine
from tests.conftest import CountingEmbedder, HashEmbedder, write_article
from tests.helpers import assert_vectors_fresh


def stored(engine: Engine) -> dict[str, dict]:
    return {r["id"]: r for r in engine.store.iter_all()}


@pytest.fixture
def corpus(settings):
    folder = settings.corpus_dir
    write_article(folder, "world/ukraine.txt", "Kiev talks", "The US is not pushing Ukraine. " * 40, "2023-11-08")
    write_article(folder, "sport/final.txt", "Cup final", "United won the cup final 2-1 on Saturday.", "2024-05-25")
    write_article(folder, "tech/chips.txt", "Chip sales", "Chip sales rose 12% in March, the company said.")
    return folder


def test_add_change_remove_and_unchanged(settings, corpus, counting: CountingEmbedder):
    engine = Engine(settings, embedder=counting)
    first = engine.index()
    assert (first.added, first.updated, first.removed, first.unchanged) == (3, 0, 0, 0)
    assert len(stored(engine)) == first.chunks == first.embedded > 3

    counting.embedded.clear()
    again = engine.index()
    assert (again.added, again.updated, again.unchanged, again.embedded) == (0, 0, 3, 0)
    assert counting.embedded == []  # unchanged articles cost no embedding call

    # a much shorter new version: its old, higher-numbered chunks must go
    write_article(corpus, "world/ukraine.txt", "Kiev talks", "Talks are up to Ukraine, Patel said.", "2023-11-08")
    (corpus / "tech/chips.txt").unlink()
    write_article(corpus, "tech/phones.txt", "Phone sales", "Phone sales fell.")
    report = engine.index()
    assert (report.added, report.updated, report.removed, report.unchanged) == (1, 1, 1, 1)
    assert len(counting.embedded) == report.embedded == 2
    records = stored(engine)
    assert sorted(records) == ["sport/final.txt#0", "tech/phones.txt#0", "world/ukraine.txt#0"]
    assert engine.manifest.passages(["world/ukraine.txt#0"])["world/ukraine.txt#0"].text == \
        "Talks are up to Ukraine, Patel said."
    assert_vectors_fresh(engine, counting.inner)  # its vector is the new text's
    assert engine.status().articles == 3 and engine.status().chunks == 3


def test_search_returns_cited_fields_and_filters_dates(settings, corpus, embedder):
    engine = Engine(settings, embedder=embedder)
    engine.index()
    hits = engine.search("Who won the cup final?", k=2)
    top = hits[0]
    assert top.article_id == "sport/final.txt" and top.rank == 1
    assert top.headline == "Cup final" and top.date == "2024-05-25"
    text = engine.article(top.article_id).text
    assert text[top.start:top.end] == top.text
    dated = engine.search("Who won the cup final?", k=5, since="2024-01-01")
    assert {h.article_id for h in dated} == {"sport/final.txt"}
    old = engine.search("cup final", k=5, until="2023-12-31")
    assert {h.article_id for h in old} == {"world/ukraine.txt"}


def test_rebuild_starts_over(settings, corpus, counting):
    engine = Engine(settings, embedder=counting)
    engine.index()
    n = len(counting.embedded)
    report = engine.index(rebuild=True)
    assert report.added == 3 and len(counting.embedded) == 2 * n


def test_other_model_is_a_clear_error(settings, corpus, embedder):
    Engine(settings, embedder=embedder).index()
    with pytest.raises(IndexMismatchError, match="all-MiniLM-L6-v2"):
        Engine(settings, embedder=HashEmbedder()).index()
    with pytest.raises(IndexMismatchError):
        Engine(settings, embedder=HashEmbedder()).search("anything")


def test_bad_input_never_loses_what_is_indexed(settings, corpus, embedder):
    engine = Engine(settings, embedder=embedder)
    engine.index()
    before = stored(engine)
    (corpus / "sport/final.txt").write_bytes(b"\x00\x01binary now" * 50)  # corrupted in place
    (corpus / "new-empty.txt").write_text("")
    report = engine.index()
    assert report.skipped == {"binary": 1, "empty": 1}
    assert report.removed == 0 and report.unchanged == 2
    assert stored(engine).keys() == before.keys()  # the last good version stays searchable
    assert engine.search("Who won the cup final?", k=1)[0].article_id == "sport/final.txt"
