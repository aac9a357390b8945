"""A `qa index` killed with SIGKILL mid-way is repaired by the next run."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import time


from index.settings import Settings
from qa.engine import Engine
from tests.conftest import cli_env, qa_command, write_article
from tests.helpers import assert_vectors_fresh, fresh_build, index_contents, manifest_contents

TOPICS = ["budget", "election", "football", "chip maker", "film festival", "oil price", "court case"]


def make_corpus(folder, n=60):
    for i in range(n):
        topic = TOPICS[i % len(TOPICS)]
        body = " ".join(
            f"Report {i} on the {topic}: officials said figure {j} rose by {i + j}% on Monday." for j in range(30)
        )
        write_article(folder, f"batch{i % 3}/story{i:03d}.txt", f"Story {i} about the {topic}", body, "2024-03-01")


def done_articles(db_path) -> int:
    try:
        with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=1) as db:
            return db.execute("SELECT COUNT(*) FROM articles WHERE status = 'done'").fetchone()[0]
    except sqlite3.Error:
        return 0


def test_sigkill_mid_index_is_repaired(tmp_path, embedder):
    corpus = tmp_path / "corpus"
    make_corpus(corpus)
    env = cli_env(tmp_path) | {"QA_EMBED_BATCH": "8"}  # groups of 32 chunks: many commits
    proc = subprocess.Popen([*qa_command(), "index", str(corpus), "--json"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    db = tmp_path / "idx" / "manifest.sqlite"
    deadline = time.time() + 240
    while done_articles(db) < 10 and time.time() < deadline and proc.poll() is None:
        time.sleep(0.05)
    assert proc.poll() is None, "the run finished before it could be killed: make the corpus bigger"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    killed_at = done_articles(db)
    assert 10 <= killed_at < 60

    rerun = subprocess.run([*qa_command(), "index", str(corpus), "--json"], env=env,
                           capture_output=True, text=True, timeout=600)
    assert rerun.returncode == 0, rerun.stderr
    report = json.loads(rerun.stdout)
    assert report["added"] + report["repaired"] == 60 - killed_at
    assert report["unchanged"] == killed_at

    engine = Engine(Settings(index_dir=tmp_path / "idx"), embedder=embedder)
    expected = fresh_build(corpus, engine)
    assert index_contents(engine) == expected
    assert manifest_contents(engine) == expected
    assert_vectors_fresh(engine, embedder, every=25)


def rebuild_state(db_path) -> str | None:
    try:
        with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=1) as db:
            row = db.execute("SELECT value FROM meta WHERE key = 'rebuild'").fetchone()
            return row[0] if row else None
    except sqlite3.Error:
        return None


def test_sigkill_mid_rebuild_is_repaired(tmp_path, embedder):
    """Killed after the vectors were dropped: the next plain run finishes the rebuild."""
    corpus = tmp_path / "corpus"
    make_corpus(corpus, n=40)
    env = cli_env(tmp_path) | {"QA_EMBED_BATCH": "8"}
    Engine(Settings(index_dir=tmp_path / "idx", embed_batch=8), embedder=embedder).index(corpus)
    proc = subprocess.Popen([*qa_command(), "index", "--rebuild", "--json"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    db = tmp_path / "idx" / "manifest.sqlite"
    deadline = time.time() + 240
    while (rebuild_state(db) != "dropped" or done_articles(db) < 5) and time.time() < deadline \
            and proc.poll() is None:
        time.sleep(0.05)
    assert proc.poll() is None, "the rebuild finished before it could be killed: make the corpus bigger"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    killed_at = done_articles(db)
    assert rebuild_state(db) == "dropped" and 5 <= killed_at < 40

    rerun = subprocess.run([*qa_command(), "index", "--json"], env=env, capture_output=True, text=True,
                           timeout=600)
    assert rerun.returncode == 0, rerun.stderr
    report = json.loads(rerun.stdout)
    assert (report["added"], report["unchanged"]) == (40 - killed_at, killed_at)
    assert rebuild_state(db) is None
    engine = Engine(Settings(index_dir=tmp_path / "idx"), embedder=embedder)
    expected = fresh_build(corpus, engine)
    assert index_contents(engine) == expected
    assert manifest_contents(engine) == expected
    assert_vectors_fresh(engine, embedder, every=20)
