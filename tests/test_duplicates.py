"""Copies of one story (wire copies, republished articles) are grouped at index time and
shown once, the other copies listed as `also_in`."""

from __future__ import annotations

import json

import numpy as np

from index.duplicates import groups, signature
from index.settings import Settings
from qa.engine import Engine
from tests.archive_files import BRIDGE, FERRY, ORCHARD

STORY = BRIDGE + (" Engineers said the cracks had probably been caused by heavy lorries using the bridge as a "
                  "short cut to the industrial estate. A temporary footbridge will be put up within a month so "
                  "that pupils can still walk to the two schools on the far bank. Bus routes 12 and 14 will be "
                  "diverted through the town centre, adding about ten minutes to each journey, the operator said. "
                  "The bridge was built in 1887 and last repaired in 1994.")
INTRO = "Residents have been warned to expect long diversions. "
TAIL = " A public meeting will be held at the town hall next week."


def test_lsh_groups_copies_and_leaves_other_stories_alone():
    texts = {"a": STORY, "b": INTRO + STORY, "c": STORY + TAIL, "d": FERRY, "e": ORCHARD, "f": BRIDGE + " " + FERRY}
    found = groups({k: signature(v) for k, v in texts.items()})
    assert found == {"a": "a", "b": "a", "c": "a"}
    assert signature(BRIDGE).dtype == np.uint32 and len(signature(BRIDGE)) == 64


def write(folder, rows):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "wire.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))


ROWS = [
    {"id": "w1", "title": "Old Mill bridge closed", "text": STORY, "date": "2024-03-04", "source": "County Wire",
     "url": "https://wire.example/bridge"},
    {"id": "g1", "title": "Bridge shut after cracks found", "text": INTRO + STORY + TAIL, "date": "2024-03-05",
     "source": "Valley Gazette", "url": "https://gazette.example/bridge"},
    {"id": "f1", "title": "New ferry", "text": FERRY, "date": "2024-03-01", "source": "Coast Herald"},
]


def test_copies_show_once_with_also_in_and_follow_updates(tmp_path, embedder):
    write(tmp_path / "c", ROWS)
    engine = Engine(Settings(index_dir=tmp_path / "idx", corpus_dir=tmp_path / "c"), embedder=embedder)
    report = engine.index()
    assert report.added == 3 and report.copies == 1
    passages = engine.search("Why was the Old Mill bridge closed?", k=3)
    bridge = [p for p in passages if p.article_id in ("wire.jsonl#w1", "wire.jsonl#g1")]
    assert len(bridge) == 1  # one copy of the story
    other = ({"wire.jsonl#w1", "wire.jsonl#g1"} - {bridge[0].article_id}).pop()
    assert [c["article_id"] for c in bridge[0].also_in] == [other]
    assert bridge[0].to_dict()["also_in"][0]["outlet"] in ("County Wire", "Valley Gazette")
    answer = engine.ask("Why was the Old Mill bridge closed?")
    assert answer.citations and answer.citations[0].also_in
    rows = [dict(ROWS[0]), dict(ROWS[1], text=ORCHARD), ROWS[2]]  # the Gazette story is now another one
    write(tmp_path / "c", rows)
    report = engine.index()
    assert report.updated == 1 and report.copies == 0
    assert all(not p.also_in for p in engine.search("Why was the Old Mill bridge closed?", k=3))


def test_grouping_after_each_change_matches_a_full_regroup(tmp_path, monkeypatch):
    """Random edits, moves to another story, removals and additions: after each sync, the groups
    (updated only where a change reaches) are the groups a full regroup finds."""
    import random

    from index import duplicates
    from tests.conftest import HashEmbedder

    rng = random.Random(3)
    vocab = [f"w{i}" for i in range(400)]
    stories = [[rng.choice(vocab) for _ in range(120)] for _ in range(6)]

    def variant(story: int) -> str:
        words = list(stories[story])
        for _ in range(2):
            words[rng.randrange(len(words))] = rng.choice(vocab)
        return " ".join(words)

    corpus = tmp_path / "c"
    corpus.mkdir()
    files = {f"a{i:02d}.txt": variant(i % 6) for i in range(18)}
    for name, text in files.items():
        (corpus / name).write_text(f"Story {name}\n\n{text}\n")
    engine = Engine(Settings(index_dir=tmp_path / "idx", corpus_dir=corpus, ner_model="none"), embedder=HashEmbedder())
    engine.index()
    passes = []  # "whole" for a pass over every signature, "reach" for one from the changes' band keys
    real_grouped, real_reach = duplicates.grouped, duplicates._reach
    monkeypatch.setattr(duplicates, "grouped", lambda *a: (passes.append("whole"), real_grouped(*a))[1])
    monkeypatch.setattr(duplicates, "_reach", lambda *a: (passes.append("reach"), real_reach(*a))[1])
    seen = set()
    for step in range(16):
        action = ["edit", "move", "remove", "add"][step % 4]
        name = rng.choice(sorted(files))
        if action == "remove":
            del files[name]
            (corpus / name).unlink()
        else:
            if action == "add":
                name = f"n{step:02d}.txt"
            story = rng.randrange(6) if action != "edit" else int(name[1:3]) % 6 if name.startswith("a") else 0
            files[name] = variant(story)
            (corpus / name).write_text(f"Story {name}\n\n{files[name]}\n")
        engine.index(allow_removal=True)
        stored = {aid: np.frombuffer(raw, np.uint32) for aid, raw in duplicates.stored_signatures(engine.manifest)}
        expected = real_grouped(list(stored), np.stack(list(stored.values())))  # a full pass
        actual = dict(engine.manifest.db.execute("SELECT id, dup_of FROM articles WHERE dup_of IS NOT NULL"))
        assert actual == expected, (step, action, name)
        seen.add(tuple(sorted(expected.items())))
    assert len(seen) > 8  # the groups did change along the way
    assert passes == ["reach"] * 16  # every sync grouped only what its change reached


def test_an_index_from_before_band_keys_were_stored_is_grouped_again(tmp_path, embedder, monkeypatch):
    """Signatures kept from an earlier version (a `signatures` table, no band keys): the next run
    keeps them, fills the band keys in one pass, and a later change is grouped from those keys."""
    import sqlite3

    from index import duplicates

    write(tmp_path / "c", ROWS)
    settings = Settings(index_dir=tmp_path / "idx", corpus_dir=tmp_path / "c", ner_model="none")
    engine = Engine(settings, embedder=embedder)
    engine.index()
    engine.close()
    db = sqlite3.connect(tmp_path / "idx" / "manifest.sqlite")
    with db:  # the layout of the earlier version
        db.execute("CREATE TABLE signatures (article_id TEXT PRIMARY KEY, minhash BLOB NOT NULL)")
        db.execute("INSERT INTO signatures SELECT article_id, minhash FROM copy_signatures")
        db.execute("DROP TABLE copy_signatures")
        db.execute("DROP TABLE copy_bands")
        db.execute("DELETE FROM meta WHERE key = 'copy_bands'")
        db.execute("UPDATE articles SET dup_of = NULL")
    db.close()

    signed = []
    real_signature = duplicates.signature
    monkeypatch.setattr(duplicates, "signature", lambda text: (signed.append(text), real_signature(text))[1])
    engine = Engine(settings, embedder=embedder)
    report = engine.index()
    assert not report.changed and report.copies == 1  # grouped again, nothing embedded
    assert signed == []  # the stored signatures were kept
    assert duplicates.ready(engine.manifest)
    assert engine.manifest.db.execute("SELECT COUNT(*) FROM copy_bands").fetchone()[0] == 3 * duplicates.BANDS
    write(tmp_path / "c", ROWS + [dict(ROWS[0], id="w2", source="Another Wire")])  # a third copy, grouped by keys
    assert engine.index().copies == 2 and len(signed) == 1
