"""The manifest's hot queries read its indexes, never the whole table of article texts.

At a million chunks a scan of `articles` takes about a second (its rows hold the texts), so
one in a no-op run, a search or an answer costs that every time: SQLite's plan for every
statement those run is checked here (an index added for one query once made the passage
lookup of every search scan every done article)."""

from __future__ import annotations

import re

from index.settings import Settings
from qa.engine import Engine
from tests.conftest import HashEmbedder, write_article


def plans(engine: Engine, action) -> dict[str, list[str]]:
    """Each SELECT the action ran on this thread's manifest connection -> its query plan."""
    db = engine.manifest.db
    ran: list[str] = []
    db.set_trace_callback(ran.append)
    try:
        action()
    finally:
        db.set_trace_callback(None)
    selects = {sql for sql in ran if sql.lstrip().upper().startswith("SELECT")}
    return {sql: [row[3] for row in db.execute(f"EXPLAIN QUERY PLAN {sql}")] for sql in selects}


def full_scans(found: dict[str, list[str]]) -> list[str]:
    """Steps that read every article row (or every done one: an index on the status alone)."""
    out = []
    for sql, steps in found.items():
        for step in steps:
            on_articles = re.match(r"(SCAN|SEARCH) (articles|a)\b", step)
            everything = step.startswith("SCAN") and "COVERING INDEX" not in step \
                and "INDEX articles_pending" not in step  # (that one holds the pending rows only)
            by_status = step.startswith("SEARCH") and step.endswith("(status=?)")
            if on_articles and (everything or by_status):
                out.append(f"{step}  <-  {sql}")
    return out


def test_no_op_runs_searches_and_answers_never_scan_the_articles(tmp_path):
    corpus = tmp_path / "c"
    for i in range(30):
        write_article(corpus, f"{i % 3}/{i:02d}.txt", f"Harbour report {i}",
                      f"The harbour master said ferry {i} was delayed by {i} hours on Monday.", "2024-02-01")
    engine = Engine(Settings(index_dir=tmp_path / "idx", corpus_dir=corpus, ner_model="none"),
                    embedder=HashEmbedder())
    engine.index()
    engine.search("warm up")  # the view opened: what follows is what every question costs

    def change() -> None:  # an edit, a new article, a removal: what a sync with work to do reads
        write_article(corpus, "1/04.txt", "Harbour report 4", "The harbour master said ferry 4 was cancelled.")
        write_article(corpus, "1/new.txt", "Harbour report new", "A new ferry route opens in May.", "2024-03-01")
        (corpus / "1/07.txt").unlink()
        report = engine.index()
        assert (report.added, report.updated, report.removed) == (1, 1, 1)

    for action in (engine.index, lambda: engine.search("Why was ferry 7 delayed?", k=5),
                   lambda: engine.ask("Why was ferry 7 delayed?"), lambda: engine.index(corpus / "1"), engine.status,
                   change):
        found = plans(engine, action)
        assert found  # the trace saw the statements
        assert full_scans(found) == []
