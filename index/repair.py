"""Bringing an index back to a state a fresh build would give, whatever stopped it.

Three checks a sync runs before its own work: finish (or start) a crash-safe
rebuild, re-tag entities when the entity model changed, and repair a vector
store whose records differ from what the manifest says it holds.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from index.entities import EntityTagger
from index.manifest import Manifest
from index.settings import Settings
from index.store import ChunkStore


def drop_for_rebuild(manifest: Manifest, store: ChunkStore) -> None:
    """Empty the store so everything is embedded again, crash-safely.

    Every article is marked pending (committed) before the store is dropped, and the
    `rebuild` mark is cleared only once each is done again: a run killed at any
    step leaves an index the next run finishes rebuilding.
    """
    if manifest.get_meta("rebuild") == "dropped":
        return  # resuming: the store was emptied by the run that was interrupted
    manifest.set_meta(rebuild="started")
    manifest.mark_all_pending()
    manifest.forget_build()
    store.drop()
    manifest.set_meta(rebuild="dropped")

def retag_if_model_changed(manifest: Manifest, tagger: EntityTagger | None) -> int:
    """Articles tagged again because the index holds another entity model's spans (or none)."""
    wanted = tagger.model_id if tagger else "none"
    if manifest.get_meta("ner_model") == wanted:
        return 0
    tagged = 0
    batch: list[tuple[str, list]] = []
    for article_id, chunks in manifest.iter_article_chunks():
        batch.append((article_id, tagger.tag_chunks(chunks) if tagger else []))
        if len(batch) >= 64:
            manifest.set_entities(batch)
            tagged, batch = tagged + len(batch), []
    manifest.set_entities(batch)
    manifest.set_meta(ner_model=wanted)
    return tagged + len(batch) if tagger else 0

def store_fingerprint(settings: Settings) -> str | None:
    """Size and change time of an on-disk store's database (None for a server): when it is
    what the last run left, the store holds what the manifest says and need not be opened."""
    if settings.chroma_host:
        return None
    database = Path(settings.index_dir) / "chroma" / "chroma.sqlite3"
    try:
        stat = database.stat()
    except OSError:
        return "missing"
    return f"{stat.st_size}:{stat.st_mtime_ns}"


def repair_store(manifest: Manifest, store: ChunkStore | Callable[[], ChunkStore],
                 fingerprint: str | None = None) -> int:
    """Articles whose chunks the store lost (or holds extra of), marked for repair.

    The manifest says how many chunks are stored; a store holding another number
    (its folder deleted, a copy restored from an older backup) has each affected
    article re-embedded and each stray record deleted. `store` may be a factory: with
    the on-disk `fingerprint` the last run recorded, the store is not even opened.
    """
    if fingerprint is not None and manifest.get_meta("store_fingerprint") == fingerprint:
        return 0  # untouched since the last run checked it
    store = store() if callable(store) else store
    expected = manifest.counts()[1]
    if expected == 0 and not store.exists():
        return 0
    if store.count() == expected:
        return 0
    stored = set(store.ids())
    wanted = set(manifest.chunk_ids())
    broken = {cid.rpartition("#")[0] for cid in wanted - stored}
    stray = sorted(stored - wanted)
    if stray:
        store.delete_ids(stray)
    if broken:
        manifest.mark_pending(sorted(broken))
    return len(broken) + len(stray)
