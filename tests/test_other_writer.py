"""A long-running engine (the chat, a script) sees what another process indexed: its next
search finds the new article, from the vector store as well as the lexical index."""

from __future__ import annotations

import subprocess

from index.settings import Settings
from qa.engine import Engine
from tests.conftest import cli_env, qa_command, write_article


def test_an_engine_sees_articles_another_process_added(tmp_path, embedder):
    corpus = tmp_path / "c"
    write_article(corpus, "a.txt", "Harbour story", "The harbour council met in May to discuss the pier.", "2024-05-01")
    engine = Engine(Settings(index_dir=tmp_path / "idx", corpus_dir=corpus), embedder=embedder)
    engine.index()
    assert [p.article_id for p in engine.search("harbour pier", k=3)] == ["a.txt"]
    write_article(corpus, "b.txt", "Lighthouse story", "Volunteers repainted the old lighthouse at Elston.",
                  "2024-05-02")
    env = cli_env(tmp_path) | {"QA_CORPUS_DIR": str(corpus)}
    out = subprocess.run(qa_command() + ["index"], env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    dense = engine.search("volunteers painting a lighthouse tower", k=3, mode="dense")
    assert dense and dense[0].article_id == "b.txt"  # the vector store's new records, not only BM25

