"""The lexical index (Tantivy): the reader's tokens, updates in place, a run that dies between,
steady readers, the query syntax of `qa search`, and an index from the bm25s version."""

from __future__ import annotations

import shutil

import pytest

from index import lexical
from index.lexical import LexicalIndex, tokenize
from qa.engine import Engine
from tests.conftest import write_article
from tests.helpers import lexical_contents, manifest_contents


class Killed(BaseException):
    """Stands for the process dying: not an Exception, so nothing catches it."""


def make_corpus(folder, n=6):
    for i in range(n):
        write_article(folder, f"s{i}.txt", f"Council story {i}",
                      f"The council of town{i} voted {i} to 3 on the harbour plan. The mayor said little.",
                      f"2024-0{1 + i % 9}-01")


@pytest.fixture
def engine(settings, embedder):
    make_corpus(settings.corpus_dir)
    engine = Engine(settings, embedder=embedder)
    engine.index()
    return engine


def assert_follows_manifest(engine):
    contents = lexical_contents(engine)
    assert contents, "the lexical index is empty"
    assert contents == dict.fromkeys(manifest_contents(engine), 1)


def test_the_index_analyses_text_as_the_reader_does():
    text = ("Shares in the U.S. firm rose 1.13bn to 2,004.5 on 3 March 2004; Zürich's Müller-Lüdenscheid "
            "“said” a plan was running, the runners ran. I/O: A-level results, £5m, 10%.")
    expected = tokenize(text)
    assert {"1.13bn", "2,004.5", "2004", "3", "run", "zürich", "müller"} <= set(expected)
    assert lexical._analyzer().analyze(text) == expected


def test_a_change_updates_the_index_in_place(engine, monkeypatch):
    corpus = engine.settings.corpus_dir

    def no_rebuild(*args, **kwargs):
        raise AssertionError("the whole lexical index was rebuilt for one article")

    monkeypatch.setattr(lexical, "rebuild", no_rebuild)
    write_article(corpus, "s1.txt", "Council story 1", "Zorblat harbour reopened. " * 40, "2024-02-01")
    (corpus / "s2.txt").unlink()
    write_article(corpus, "s9.txt", "A new story", "Quixotic ferries sail to Zorblat.", "2024-03-01")
    report = engine.index()
    assert (report.added, report.updated, report.removed) == (1, 1, 1)
    assert_follows_manifest(engine)
    assert sorted(p.article_id for p in engine.search("Zorblat", k=3, mode="lexical")) == ["s1.txt", "s9.txt"]
    assert not engine.search("town2", k=3, mode="lexical")  # the removed article's words are gone


def test_a_run_that_dies_after_the_lexical_commit_is_repaired(engine, embedder, monkeypatch):
    corpus = engine.settings.corpus_dir
    original = lexical.update

    def dies_after(*args, **kwargs):
        original(*args, **kwargs)
        raise Killed("after the lexical commit, before the manifest's stamp")

    monkeypatch.setattr(lexical, "update", dies_after)
    write_article(corpus, "s9.txt", "A new story", "Quixotic ferries sail to Zorblat.", "2024-03-01")
    (corpus / "s3.txt").unlink()
    with pytest.raises(Killed):
        engine.index()
    monkeypatch.undo()
    engine.close()
    again = Engine(engine.settings, embedder=embedder)
    again.index()
    assert_follows_manifest(again)
    assert again.manifest.get_meta("lexical_behind") is None
    assert again.search("Quixotic", k=1, mode="lexical")[0].article_id == "s9.txt"


def test_a_run_that_dies_before_the_lexical_commit_is_repaired(engine, embedder, monkeypatch):
    """The manifest holds the new article, the lexical index does not: the mark left behind
    makes the next run (which finds nothing to do) rebuild it."""
    corpus = engine.settings.corpus_dir

    def dies(*args, **kwargs):
        raise Killed("before the lexical commit")

    monkeypatch.setattr(lexical, "update", dies)
    write_article(corpus, "s9.txt", "A new story", "Quixotic ferries sail to Zorblat.", "2024-03-01")
    with pytest.raises(Killed):
        engine.index()
    monkeypatch.undo()
    engine.close()
    again = Engine(engine.settings, embedder=embedder)
    report = again.index()
    assert not report.changed  # the article was stored before the death: only the lexical side was behind
    assert_follows_manifest(again)
    assert again.search("Quixotic", k=1, mode="lexical")[0].article_id == "s9.txt"


def test_a_reader_keeps_its_commit_while_the_writer_updates(engine, embedder):
    reader = LexicalIndex.load(engine.settings.index_dir)
    before = [h.chunk_id for h in reader.search("harbour", 10)]
    assert len(before) == 6
    corpus = engine.settings.corpus_dir
    for i in range(6):
        (corpus / f"s{i}.txt").unlink()
    write_article(corpus, "t.txt", "Other", "The harbour froze.", "2024-05-01")
    engine.index(allow_removal=True)
    assert [h.chunk_id for h in reader.search("harbour", 10)] == before  # its commit, whole
    assert reader.doc_freq("harbour") == 6
    fresh = LexicalIndex.load(engine.settings.index_dir)
    assert [h.chunk_id for h in fresh.search("harbour", 10)] == ["t.txt#0"]
    assert fresh.doc_freq("harbour") == 1


def test_search_reads_the_query_syntax(engine):
    corpus = engine.settings.corpus_dir
    write_article(corpus, "p.txt", "Harbour plan passes", "The plan was voted down, then the harbour plan passed.",
                  "2024-04-01")
    engine.index()
    phrase = engine.search('"voted down"', k=10)
    assert [p.article_id for p in phrase] == ["p.txt"]  # dense hits without the phrase are left out
    excluded = engine.search("harbour plan -mayor", k=10)
    assert [p.article_id for p in excluded] == ["p.txt"]
    headline = engine.search("headline:passes", k=10)
    assert [p.article_id for p in headline] == ["p.txt"]
    dated = engine.search("harbour", k=10, since="2024-04-01", until="2024-04-30")
    assert sorted(p.article_id for p in dated) == ["p.txt", "s3.txt"]
    # in a question, quotes and hyphens are plain text: no constraint
    asked = engine.ask('What did the mayor say about the "harbour plan"?')
    assert not asked.abstained and asked.passages


def test_an_index_from_the_bm25s_version_gets_a_lexical_index(engine, embedder):
    index_dir = engine.settings.index_dir
    engine.close()
    shutil.rmtree(index_dir / "lexical")
    (index_dir / "bm25").mkdir()
    (index_dir / "bm25" / "stamp.json").write_text('{"format": "bm25s-v2"}')
    reader = Engine(engine.settings, embedder=embedder)
    assert reader.search("town4", k=1, mode="lexical")[0].article_id == "s4.txt"
    assert not (index_dir / "bm25").exists()
    assert_follows_manifest(reader)


def test_a_rebuild_killed_while_it_saves_leaves_nothing_behind_after_the_next_run(engine, embedder):
    """A process killed inside the lexical rebuild (no `finally` runs) leaves its build folders;
    the next writer removes them, and the index still follows the manifest."""
    import subprocess
    import sys
    import textwrap

    from tests.conftest import ROOT

    index_dir = engine.settings.index_dir
    engine.close()
    child = textwrap.dedent(f"""
        import os, sys
        sys.path.insert(0, {str(ROOT)!r})
        from pathlib import Path
        from index import lexical
        from index.manifest import Manifest
        lexical._write_meta = lambda *a: os._exit(9)  # killed after the segments, before the swap
        lexical.rebuild(Path({str(index_dir)!r}), Manifest.open(Path({str(index_dir)!r})))
    """)
    assert subprocess.run([sys.executable, "-c", child]).returncode == 9
    assert len(list(index_dir.glob(".lexical-*"))) == 2  # the build and the swap folders
    again = Engine(engine.settings, embedder=embedder)
    report = again.index()
    assert not report.changed and list(index_dir.glob(".lexical-*")) == []
    assert_follows_manifest(again)
