"""An index records its sources: a bare update never drops another source's articles."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess

import pytest

from index.errors import LargeRemovalError, UserError
from index.settings import Settings
from qa.engine import Engine
from tests.conftest import ROOT, cli_env, qa_command, write_article
from tests.helpers import index_contents


def make_archive(folder, n, topic):
    for i in range(n):
        write_article(folder, f"{topic}/{i:02d}.txt", f"{topic.title()} story {i}",
                      f"The {topic} report number {i} said prices rose by {i} percent.", "2024-01-0%d" % (1 + i % 9))


@pytest.fixture
def two_archives(tmp_path):
    bbc, wire = tmp_path / "bbc", tmp_path / "wire"
    make_archive(bbc, 6, "business")
    make_archive(wire, 3, "sport")
    return bbc, wire


def test_bare_update_keeps_every_source(tmp_path, two_archives, counting):
    bbc, wire = two_archives
    # the settings' corpus folder (seeds/ by default) is only the first-run default
    engine = Engine(Settings(index_dir=tmp_path / "idx", corpus_dir=ROOT / "seeds"), embedder=counting)
    assert engine.index(bbc).added == 6
    assert engine.index(wire).added == 3
    ids = set(engine.manifest.hashes())
    assert "business/00.txt" in ids and "wire/sport/00.txt" in ids  # a second source's ids carry its label
    assert {s.folder: s.articles for s in engine.sources()} == {str(bbc.resolve()): 6, str(wire.resolve()): 3}

    counting.embedded.clear()
    report = engine.index()  # what `qa index` and the chat's Update button do
    assert (report.added, report.removed, report.unchanged) == (0, 0, 9)
    assert sorted(report.sources) == sorted([str(bbc.resolve()), str(wire.resolve())])
    assert counting.embedded == []

    (wire / "sport/01.txt").unlink()  # removed from its own source: removed from the index
    write_article(bbc, "business/new.txt", "New story", "A new business story about a merger.")
    report = engine.index()
    assert (report.added, report.removed, report.unchanged) == (1, 1, 8)
    assert "wire/sport/01.txt" not in engine.manifest.hashes()
    assert {r.rpartition("#")[0] for r in index_contents(engine)} == set(engine.manifest.hashes())


def test_updating_one_source_leaves_the_others_alone(tmp_path, two_archives, embedder):
    bbc, wire = two_archives
    engine = Engine(Settings(index_dir=tmp_path / "idx"), embedder=embedder)
    engine.index(bbc)
    engine.index(wire)
    (bbc / "business/00.txt").unlink()
    report = engine.index(wire)  # only wire is read: bbc's deleted file is noticed on its own update
    assert (report.removed, report.unchanged) == (0, 3)
    assert "business/00.txt" in engine.manifest.hashes()
    assert engine.index(bbc).removed == 1
    # a folder inside a source updates that part of it; a folder holding one is refused
    assert engine.index(bbc / "business").sources == [str(bbc.resolve())]
    with pytest.raises(UserError, match="holds the recorded source"):
        engine.index(tmp_path)


def test_a_part_of_a_source_is_updated_alone(tmp_path, embedder):
    """`qa index FOLDER-OR-FILE` inside a recorded source reads and removes within that part
    only (a pipeline that knows which file changed pays for that file, not the archive)."""
    archive = tmp_path / "archive"
    make_archive(archive, 4, "business")
    make_archive(archive, 3, "sport")
    engine = Engine(Settings(index_dir=tmp_path / "idx"), embedder=embedder)
    assert engine.index(archive).added == 7
    write_article(archive, "business/00.txt", "Business story 0", "The business report now says prices fell.")
    write_article(archive, "sport/00.txt", "Sport story 0", "The sport report now says the final was moved.")
    (archive / "sport/01.txt").unlink()
    write_article(archive, "business/new.txt", "New story", "A new business story about a merger.")

    report = engine.index(archive / "business")  # this folder only: sport's edit and removal wait
    assert (report.added, report.updated, report.removed, report.unchanged) == (1, 1, 0, 3)
    assert "sport/01.txt" in engine.manifest.hashes() and "business/new.txt" in engine.manifest.hashes()
    before = engine.manifest.hashes()["sport/00.txt"]

    report = engine.index(archive / "sport" / "01.txt")  # a file that is gone: its articles go
    assert (report.added, report.updated, report.removed, report.unchanged) == (0, 0, 1, 0)
    report = engine.index(archive / "sport" / "00.txt")  # one file
    assert (report.updated, report.removed, report.unchanged) == (1, 0, 0)
    assert engine.manifest.hashes()["sport/00.txt"] != before
    assert engine.search("Where was the final moved?", k=1)[0].article_id == "sport/00.txt"
    assert {r.rpartition("#")[0] for r in index_contents(engine)} == set(engine.manifest.hashes())
    assert engine.index().changed is False  # the parts brought the whole source up to date
    with pytest.raises(UserError, match="not found"):
        engine.index(archive / "sport" / "no-such-file.txt")  # a typo is not a removal


def test_missing_source_folder_keeps_its_articles(tmp_path, two_archives, embedder):
    bbc, wire = two_archives
    engine = Engine(Settings(index_dir=tmp_path / "idx"), embedder=embedder)
    engine.index(bbc)
    engine.index(wire)
    shutil.move(wire, tmp_path / "unmounted")
    report = engine.index()
    assert report.removed == 0 and report.skipped == {"source_missing": 1}
    assert engine.status().articles == 9
    assert [s.present for s in engine.sources()] == [True, False]


def test_removing_more_than_half_needs_confirmation(tmp_path, two_archives, embedder):
    bbc, _ = two_archives
    engine = Engine(Settings(index_dir=tmp_path / "idx"), embedder=embedder)
    engine.index(bbc)
    before = index_contents(engine)
    for path in list((bbc / "business").glob("0[0-3].txt")):
        path.unlink()
    with pytest.raises(LargeRemovalError, match="remove 4 of the index's 6 articles"):
        engine.index()
    assert index_contents(engine) == before and engine.status().articles == 6
    assert engine.index(allow_removal=True).removed == 4


def test_an_index_from_before_sources_adopts_its_folder(tmp_path, two_archives, embedder):
    bbc, _ = two_archives
    engine = Engine(Settings(index_dir=tmp_path / "idx"), embedder=embedder)
    engine.index(bbc)
    engine.close()
    with sqlite3.connect(tmp_path / "idx" / "manifest.sqlite") as db:  # what the first version wrote
        db.execute("DELETE FROM sources")
        db.execute("UPDATE articles SET source = NULL")
        db.execute("INSERT INTO meta(key, value) VALUES ('corpus_dir', ?)", (str(bbc.resolve()),))
    again = Engine(Settings(index_dir=tmp_path / "idx"), embedder=embedder)
    report = again.index()
    assert (report.unchanged, report.removed, report.sources) == (6, 0, [str(bbc.resolve())])


def qa(tmp_path, *args):
    return subprocess.run([*qa_command(), *args], env=cli_env(tmp_path), capture_output=True, text=True,
                          timeout=300, cwd=tmp_path, stdin=subprocess.DEVNULL)


def test_cli_sources_and_the_bare_index(tmp_path, two_archives):
    bbc, wire = two_archives
    assert qa(tmp_path, "index", str(bbc)).returncode == 0
    assert qa(tmp_path, "index", str(wire)).returncode == 0
    bare = qa(tmp_path, "index", "--json")  # used to sync against seeds/ and remove everything else
    assert bare.returncode == 0, bare.stderr
    report = json.loads(bare.stdout)
    assert (report["removed"], report["unchanged"], report["added"]) == (0, 9, 0)

    listed = json.loads(qa(tmp_path, "sources", "--json").stdout)
    assert [(s["folder"], s["articles"]) for s in listed] == [(str(bbc.resolve()), 6), (str(wire.resolve()), 3)]
    status = json.loads(qa(tmp_path, "status", "--json").stdout)
    assert [s["folder"] for s in status["sources"]] == [str(bbc.resolve()), str(wire.resolve())]

    refused = qa(tmp_path, "sources", "--remove", str(wire))  # no terminal: needs --yes
    assert refused.returncode == 1 and "--yes" in refused.stderr and "Traceback" not in refused.stderr
    removed = qa(tmp_path, "sources", "--remove", str(wire), "--yes")
    assert removed.returncode == 0, removed.stderr
    assert "3 articles" in removed.stdout
    assert json.loads(qa(tmp_path, "status", "--json").stdout)["articles"] == 6
    unknown = qa(tmp_path, "sources", "--remove", str(tmp_path / "nowhere"), "--yes")
    assert unknown.returncode == 1 and "not a source" in unknown.stderr

    for path in list((bbc / "business").glob("0[0-4].txt")):
        path.unlink()
    guarded = qa(tmp_path, "index")
    assert guarded.returncode == 1 and "--yes" in guarded.stderr and "Traceback" not in guarded.stderr
    assert json.loads(qa(tmp_path, "status", "--json").stdout)["articles"] == 6
    confirmed = qa(tmp_path, "index", "--yes", "--json")
    assert json.loads(confirmed.stdout)["removed"] == 5
