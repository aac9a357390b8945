"""One article the chunker, the model or the entity tagger fails on never stops a run: it is
reported in one line, the rest is indexed, and its indexed version (if any) is kept.

The failures are raised from inside the real code for one article, as a bad input would."""

from __future__ import annotations

import pytest

from index.chunks import Chunker
from index.settings import Settings
from qa.engine import Engine
from tests.conftest import CountingEmbedder, write_article


class PoisonedEmbedder(CountingEmbedder):
    """The real model, failing on any batch that holds the word POISON (a text it cannot take)."""

    def embed_documents(self, texts):
        if any("POISON" in t for t in texts):
            raise RuntimeError("input rejected by the model")
        return super().embed_documents(texts)


def corpus(folder, n=6):
    for i in range(n):
        write_article(folder, f"a{i}.txt", f"Council story {i}", f"The council voted {i} times on the harbour plan.",
                      "2024-02-01")


def engine_for(tmp_path, embedder) -> Engine:
    return Engine(Settings(index_dir=tmp_path / "idx", corpus_dir=tmp_path / "c", embed_batch=2), embedder=embedder)


def test_a_chunking_failure_skips_one_article(tmp_path, embedder, monkeypatch):
    corpus(tmp_path / "c")
    real = Chunker.chunk

    def chunk(self, article):
        if article.id == "a3.txt":
            raise ValueError("chunk text not found in article text")
        return real(self, article)

    monkeypatch.setattr(Chunker, "chunk", chunk)
    report = engine_for(tmp_path, embedder).index()
    assert report.added == 5 and report.skipped == {"chunking_failed": 1}
    problem = next(p for p in report.problems if p.reason == "chunking_failed")
    assert problem.id == "a3.txt" and "chunk text not found" in problem.detail and "\n" not in problem.detail


def test_a_model_failure_skips_one_article_and_keeps_its_indexed_version(tmp_path, embedder):
    corpus(tmp_path / "c")
    engine = engine_for(tmp_path, PoisonedEmbedder(embedder))
    assert engine.index().added == 6
    write_article(tmp_path / "c", "a2.txt", "Council story 2", "POISON in the new version of the story.",
                  "2024-02-02")
    write_article(tmp_path / "c", "new.txt", "Ferry story", "The ferry will run hourly from January.", "2024-02-02")
    report = engine.index()
    assert (report.added, report.updated, report.skipped) == (1, 0, {"embedding_failed": 1})
    assert "harbour plan" in engine.article("a2.txt").text  # the indexed version is kept
    assert engine.search("ferry hourly January", k=1)[0].article_id == "new.txt"


def test_a_model_failing_on_everything_stops_the_run(tmp_path, embedder):
    for i in range(3):
        write_article(tmp_path / "c", f"p{i}.txt", "Poisoned", f"POISON story {i}.", "2024-02-01")
    with pytest.raises(RuntimeError, match="input rejected"):
        engine_for(tmp_path, PoisonedEmbedder(embedder)).index()


def test_an_entity_failure_indexes_without_entities(tmp_path, embedder, monkeypatch):
    corpus(tmp_path / "c", n=2)
    engine = engine_for(tmp_path, embedder)
    if engine.tagger is None:
        pytest.skip("no entity model")
    monkeypatch.setattr(type(engine.tagger), "tag", lambda self, texts: (_ for _ in ()).throw(OSError("model gone")))
    report = engine.index()
    assert report.added == 2 and report.warnings == {"entities_failed": 2}
