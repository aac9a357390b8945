"""A rebuild cut short at any step, or a store that lost records, is repaired by the next run.

Each case stops a rebuild right after one of its steps by raising from inside
the real code (nothing after that point runs, as with a kill: SQLite rolls back
what was not committed), drops every cached client as a dead process would, then
runs a plain update and compares the index with a fresh build, vectors included.
`tests/test_kill.py` does the same with a real SIGKILL.
"""

from __future__ import annotations

import pytest
from chromadb.api.shared_system_client import SharedSystemClient

from index import lexical
from index.manifest import Manifest
from index.settings import Settings
from index.store import ChunkStore
from qa.engine import Engine
from tests.conftest import write_article
from tests.helpers import assert_vectors_fresh, fresh_build, index_contents, lexical_contents, manifest_contents


class Killed(BaseException):
    """Stands for the process dying: not an Exception, so nothing catches it."""


def make_corpus(folder, n=12):
    for i in range(n):
        body = " ".join(f"Story {i} sentence {j}: the council voted {i + j} to {j} on the plan." for j in range(12))
        write_article(folder, f"s{i:02d}.txt", f"Council story {i}", body, "2024-02-01")


def settings_for(tmp_path) -> Settings:
    return Settings(index_dir=tmp_path / "idx", corpus_dir=tmp_path / "corpus", embed_batch=2)


def assert_like_a_fresh_build(tmp_path, embedder) -> Engine:
    SharedSystemClient.clear_system_cache()  # a new process: no client cached from the dead one
    engine = Engine(settings_for(tmp_path), embedder=embedder)
    report = engine.index()
    expected = fresh_build(tmp_path / "corpus", engine)
    assert expected
    assert index_contents(engine) == expected
    assert manifest_contents(engine) == expected
    assert lexical_contents(engine) == dict.fromkeys(expected, 1)
    assert engine.store.count() == engine.status().chunks == len(expected)
    assert_vectors_fresh(engine, embedder)
    assert engine.manifest.get_meta("rebuild") is None
    return report


# (class, method, which call): the rebuild stops right after that call returns
STEPS = [
    (Manifest, "set_meta", 1),  # the rebuild is marked started
    (Manifest, "mark_all_pending", 1),
    (Manifest, "forget_build", 1),
    (ChunkStore, "drop", 1),  # the reported case: vectors gone, manifest not yet told
    (Manifest, "set_meta", 2),  # marked dropped
    (ChunkStore, "add", 1),  # first group stored, not yet marked done
    (Manifest, "mark_done", 2),  # two groups done, the rest pending
    (lexical, "rebuild", 1),  # everything written, the lexical index saved, the manifest not yet told
]


@pytest.mark.parametrize("owner,name,nth", STEPS, ids=[f"{o.__name__}.{n}#{k}" for o, n, k in STEPS])
def test_rebuild_cut_short_at_each_step(tmp_path, embedder, monkeypatch, owner, name, nth):
    make_corpus(tmp_path / "corpus")
    Engine(settings_for(tmp_path), embedder=embedder).index()
    original, calls = getattr(owner, name), {"n": 0}

    def crash_after(*args, **kwargs):
        result = original(*args, **kwargs)
        calls["n"] += 1
        if calls["n"] == nth:
            raise Killed(name)
        return result

    monkeypatch.setattr(owner, name, crash_after if owner is lexical else _method(crash_after))
    with pytest.raises(Killed):
        Engine(settings_for(tmp_path), embedder=embedder).index(rebuild=True)
    monkeypatch.undo()
    assert calls["n"] == nth  # the step was reached
    assert_like_a_fresh_build(tmp_path, embedder)


def _method(function):
    def method(self, *args, **kwargs):
        return function(self, *args, **kwargs)

    return method


def test_a_store_that_lost_its_records_is_repaired(tmp_path, embedder):
    make_corpus(tmp_path / "corpus")
    engine = Engine(settings_for(tmp_path), embedder=embedder)
    engine.index()
    lost = sorted(index_contents(engine))[::3]
    engine.store.collection().delete(ids=lost)  # e.g. a store restored from an older backup
    engine.store.collection().add(ids=["gone.txt#0"], embeddings=[[0.1] * 384], documents=["stray"],
                                  metadatas=[{"article_id": "gone.txt"}])
    report = assert_like_a_fresh_build(tmp_path, embedder)
    assert report.repaired_store == len({cid.rpartition("#")[0] for cid in lost}) + 1
    assert report.repaired == len({cid.rpartition("#")[0] for cid in lost})


def test_a_deleted_store_folder_is_rebuilt_from_the_corpus(tmp_path, embedder):
    import shutil

    make_corpus(tmp_path / "corpus")
    engine = Engine(settings_for(tmp_path), embedder=embedder)
    engine.index()
    engine.close()
    SharedSystemClient.clear_system_cache()
    shutil.rmtree(tmp_path / "idx" / "chroma")
    report = assert_like_a_fresh_build(tmp_path, embedder)
    assert report.repaired == 12
