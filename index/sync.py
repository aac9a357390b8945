"""Bring the index up to date with a corpus folder, at the cost of what changed.

Compares the corpus with the manifest (article id -> content hash): new
articles are embedded and added, changed ones replaced (old chunks deleted
first), removed ones deleted, unchanged ones cost nothing. See `manifest` for
why a killed run is repaired by the next one.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from functools import cached_property
from pathlib import Path

from index import duplicates
from index import filestats
from index.articles import Article, ReadOptions, Skip, read_files
from index.chunks import Chunk, Chunker, embedding_text
from index.embedding import Embedder
from index.entities import EntityTagger
from index import lexical
from index.manifest import Manifest
from index.repair import drop_for_rebuild, repair_store, retag_if_model_changed, store_fingerprint
from index.settings import Settings
from index.errors import LargeRemovalError
from index.sources import Source
from index.store import ChunkStore, check_recorded

GROUP_BATCHES = 4  # model batches per group: chunks of several articles share a model call


@dataclass
class Problem:
    id: str
    reason: str
    detail: str = ""


@dataclass
class SyncReport:
    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    repaired: int = 0  # pending articles left by an interrupted run, now fixed
    repaired_store: int = 0  # articles the vector store had lost (or stray records it held)
    tagged: int = 0  # articles whose entities were found again (the entity model changed)
    sources: list[str] = field(default_factory=list)  # the source folders this run read
    skipped: dict[str, int] = field(default_factory=dict)
    warnings: dict[str, int] = field(default_factory=dict)
    chunks: int = 0  # chunks in the index after the run
    embedded: int = 0  # chunks embedded by this run
    copies: int = 0  # indexed articles that are a copy of another story (shown once, as `also_in`)
    seconds: float = 0.0
    problems: list[Problem] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed or self.repaired or self.repaired_store)

    def to_dict(self) -> dict:
        return asdict(self)


Progress = Callable[[int], None]  # called with the number of articles just finished


class Syncer:
    def __init__(self, settings: Settings, embedder: Embedder, store: ChunkStore | Callable[[], ChunkStore],
                 manifest: Manifest, tagger: EntityTagger | None = None):
        """`store` may be a factory: a run with nothing to write never opens Chroma.
        `tagger`: named entities stored per article (None: none)."""
        self.settings = settings
        self.embedder = embedder
        self.tagger = tagger
        self._store = store
        self.manifest = manifest
        self._chunker: Chunker | None = None
        self._dirty_before: set[str] = set()  # articles pending when this run began

    @property
    def store(self) -> ChunkStore:
        if callable(self._store) and not isinstance(self._store, ChunkStore):
            self._store = self._store()
        return self._store

    @cached_property
    def file_stats(self) -> filestats.FileStats:
        """What each file was when last read whole; a change to how files are read forgets it."""
        fields = ",".join(f"{k}={v}" for k, v in sorted(self.settings.record_fields().items()))
        return filestats.FileStats(self.manifest, f"{self.settings.max_file_bytes}:{fields}")

    @property
    def chunker(self) -> Chunker:
        if self._chunker is None:
            counter = getattr(self.embedder, "count_tokens", None)
            self._chunker = Chunker(
                self.settings.chunk_tokens,
                self.settings.chunk_overlap,
                counter,
                self.embedder.max_input_tokens,
            )
        return self._chunker

    def plan(self, source: Source, report: SyncReport, rebuilding: bool = False,
             verify: bool = False) -> tuple[list[tuple[Article, str, str]], list[str], dict[str, object]]:
        """(articles of this source to (re)index with 'added'|'updated'|'repaired', ids to remove,
        the stat of each file read whole).

        A file whose size and modification time are as recorded, with none of its articles
        pending, is not read (unless `verify`): its articles count as unchanged. While a
        rebuild is under way every article is pending and counts as added. A source given
        `within` one of its folders or files reads, and removes from, that part only."""
        files = self.file_stats.known(source.path, source.within)  # path -> (articles, size, mtime_ns)
        pending = self.manifest.pending_ids()
        pending_paths = self.manifest.paths_of(pending) if pending else set()
        seen: set[str] = set()
        read: list[Article] = []
        orphaned: list[str] = []
        options = ReadOptions(max_bytes=self.settings.max_file_bytes, fields=self.settings.record_fields())
        kept_prefixes: list[str] = []
        read_whole: dict[str, object] = {}  # file path -> its stat, for files read (and not skipped)
        partial: set[str] = set()
        touched: set[str] = set()
        as_recorded = [0]  # articles of the files not read

        def unchanged(path: str, st) -> bool:  # called for every file of the archive: kept lean
            touched.add(path)
            known = files.get(path)
            if (known is not None and known[1] == st.st_size and known[2] == st.st_mtime_ns and not verify
                    and path not in pending_paths):
                as_recorded[0] += known[0]
                return True
            read_whole[path] = st
            return False

        for path, entry in read_files(Path(source.path), options, unchanged, source.within):
            if entry is None:  # not read: as it was
                continue
            entry = replace(entry, id=source.article_id(entry.id))
            seen.add(entry.id)
            if isinstance(entry, Skip):
                if path is not None:
                    partial.add(str(path))
                if entry.keeps:  # a file read only in part: none of its indexed records is removed
                    kept_prefixes.append(source.article_id(entry.keeps))
                report.skipped[entry.reason] = report.skipped.get(entry.reason, 0) + 1
                report.problems.append(Problem(entry.id, entry.reason, entry.detail))
                if entry.id in pending:
                    orphaned.append(entry.id)  # half-written before, unreadable now
                continue  # otherwise keep whatever is indexed for it
            for warning in entry.warnings:
                report.warnings[warning] = report.warnings.get(warning, 0) + 1
                report.problems.append(Problem(entry.id, warning))
            read.append(entry)
        known = self.manifest.hashes_of([a.id for a in read])  # only the articles read
        todo: list[tuple[Article, str, str]] = []
        for entry in read:
            if entry.id not in known:
                todo.append((entry, "added", source.path))
            elif known[entry.id] is None:
                todo.append((entry, "added" if rebuilding else "repaired", source.path))
            elif known[entry.id] != entry.content_hash:
                todo.append((entry, "updated", source.path))
            else:
                report.unchanged += 1
        report.unchanged += as_recorded[0]
        kept = tuple(kept_prefixes)
        untouched = [p for p in files if p not in touched]  # gone (or a pending article's empty path)
        removed = [a for ids in self.manifest.ids_by_path(source.path, paths=untouched + list(read_whole)).values()
                   for a in ids if a not in seen and not (kept and a.startswith(kept))]
        removed += orphaned
        gone = [p for p in untouched if files[p][1] is not None]
        if gone:
            self.file_stats.forget(source.path, gone)
        return todo, removed, {p: st for p, st in read_whole.items() if p not in partial}

    def run(self, sources: list[Source], rebuild: bool = False, progress: Progress | None = None,
            on_total: Callable[[int], None] | None = None, allow_removal: bool = False,
            verify: bool = False) -> SyncReport:
        """Bring the index up to date with these sources.

        A run that would remove more than half of the index's articles raises
        `LargeRemovalError` before it removes anything, unless `allow_removal`. `verify`
        reads and hashes every file, even those whose size and time are as recorded.
        """
        file_reads: list[tuple[str, dict]] = []
        started = time.perf_counter()
        lexical.remove_leftovers(self.settings.index_dir)  # a rebuild killed while it saved
        chunking = self.settings.chunking_fingerprint()
        rebuilding = bool(rebuild or self.manifest.get_meta("rebuild"))
        if rebuilding:
            drop_for_rebuild(self.manifest, self.store)
        recorded = {k: self.manifest.get_meta(k) for k in ("embed_model", "chunking")}
        check_recorded(recorded, self.embedder.model_id, chunking)
        report = SyncReport(sources=[s.path for s in sources])
        report.repaired_store = repair_store(self.manifest, lambda: self.store, store_fingerprint(self.settings))
        report.tagged = retag_if_model_changed(self.manifest, self.tagger)
        todo: list[tuple[Article, str, str]] = []
        removed: list[str] = []
        for source in sources:
            if not Path(source.path).exists():  # an unmounted drive is not a deleted archive
                report.skipped["source_missing"] = report.skipped.get("source_missing", 0) + 1
                report.problems.append(Problem(source.path, "source_missing", "its articles are kept"))
                continue
            source_todo, source_removed, read_stats = self.plan(source, report, rebuilding, verify)
            file_reads.append((source.path, read_stats))
            todo += source_todo
            removed += source_removed
        total = self.manifest.article_count()
        if not allow_removal and len(removed) > 1 and 2 * len(removed) > total:
            raise LargeRemovalError(len(removed), total)
        if on_total:
            on_total(len(todo))
        lexical_whole = rebuilding or not lexical.is_current(self.settings.index_dir, self.manifest)
        groups_whole = rebuilding or bool(self.manifest.get_meta("groups_behind"))
        regroup: set[str] | None = None
        if todo or removed:  # marks cleared once the lexical index and the copy groups follow
            if not groups_whole:
                regroup = duplicates.group_mates(self.manifest, [a.id for a, _, _ in todo] + removed)
            self.manifest.set_meta(lexical_behind="1", groups_behind="1")
        self._dirty_before = self.manifest.pending_ids()
        if removed:
            self.manifest.mark_pending(removed)
            self._delete_from_store(removed)
            self.manifest.remove(removed)
            report.removed = len(removed)
        for group in self._groups(todo, report):
            self._write(group, report)
            if progress:
                progress(len(group))
        failed = {p.id for p in report.problems if p.reason in ("chunking_failed", "embedding_failed")}
        failed_files = {str(a.path) for a, _, _ in todo if a.id in failed}
        for source_path, read_stats in file_reads:  # every article of these files is done now
            self.file_stats.record(source_path, {p: st for p, st in read_stats.items() if p not in failed_files})
        if todo or removed or rebuild or report.repaired_store or not self.manifest.get_meta("embed_model"):
            stamp = str(time.time())
            self._follow(stamp, [a.id for a, _, _ in todo], removed, whole=lexical_whole)
            meta = {"embed_model": self.embedder.model_id, "chunking": chunking, "last_update": stamp}
            if report.embedded:
                meta["dimension"] = str(self.embedder.dimension)
            self.manifest.set_meta(**meta)
            self.manifest.delete_meta("lexical_behind")
        if self.manifest.get_meta("rebuild") and not any(h is None for h in self.manifest.hashes().values()):
            self.manifest.delete_meta("rebuild")  # every article is back: the rebuild is over
        if todo or removed or groups_whole or not duplicates.ready(self.manifest):  # wire copies, reprints
            duplicates.regroup(self.manifest, regroup)  # only the groups a change can alter, after a clean run
            self.manifest.delete_meta("groups_behind")
        lexical.ensure_current(self.settings.index_dir, self.manifest)  # after an earlier version or a dead run
        fingerprint = store_fingerprint(self.settings)
        if fingerprint is not None and fingerprint != self.manifest.get_meta("store_fingerprint"):
            self.manifest.set_meta(store_fingerprint=fingerprint)  # the store as checked and written now
        report.chunks = self.manifest.counts()[1]
        report.copies = duplicates.copy_count(self.manifest)
        report.seconds = round(time.perf_counter() - started, 3)
        return report

    def remove_source(self, source: Source) -> SyncReport:
        """Remove a source's articles, then forget the source (a kill between is repaired
        by the next run, which finds the articles pending and indexes them again)."""
        started = time.perf_counter()
        ids = list(self.manifest.hashes(source.path))
        regroup: set[str] | None = None
        if ids:
            whole = not lexical.is_current(self.settings.index_dir, self.manifest)
            if not self.manifest.get_meta("groups_behind"):
                regroup = duplicates.group_mates(self.manifest, ids)
            self.manifest.set_meta(lexical_behind="1", groups_behind="1")
            self._dirty_before = self.manifest.pending_ids()
            self.manifest.mark_pending(ids)
            self._delete_from_store(ids)
            self.manifest.remove(ids)
            stamp = str(time.time())
            self._follow(stamp, [], ids, whole)
            self.manifest.set_meta(last_update=stamp)
            self.manifest.delete_meta("lexical_behind")
        self.manifest.drop_source(source.path)
        self.file_stats.forget(source.path)
        if ids or self.manifest.get_meta("groups_behind"):
            duplicates.regroup(self.manifest, regroup)  # a removed copy no longer groups what is left
            self.manifest.delete_meta("groups_behind")
        lexical.ensure_current(self.settings.index_dir, self.manifest)
        return SyncReport(removed=len(ids), sources=[source.path], chunks=self.manifest.counts()[1],
                          seconds=round(time.perf_counter() - started, 3))

    def _delete_from_store(self, article_ids: list[str]) -> None:
        """Remove these articles' records from the store. An article that was done before this
        run has exactly the records the manifest lists (it is marked done only after they are
        written): those ids are deleted directly. One a dead run left pending may have any
        records: they are found by a scan of the store's metadata (slow on a large store, rare)."""
        dirty = [a for a in article_ids if a in self._dirty_before]
        chunk_ids = [cid for a in article_ids if a not in self._dirty_before
                     for cid in self.manifest.article_chunk_ids(a)]
        self.store.delete_ids(chunk_ids)
        self.store.delete_articles(dirty)

    def _follow(self, stamp: str, changed: list[str], removed: list[str], whole: bool) -> None:
        """The lexical index brought to the manifest as it is now, before the manifest's new
        `stamp` is published: a reader that sees the stamp finds the lexical index written."""
        if whole:
            lexical.rebuild(self.settings.index_dir, self.manifest, stamp)
        else:
            lexical.update(self.settings.index_dir, self.manifest, changed, removed, stamp)

    def _groups(self, todo: list[tuple[Article, str, str]], report: SyncReport):
        """Articles with their chunks, grouped so each model call sees a few batches of chunks.
        An article the chunker fails on is reported and left as it was."""
        group: list[tuple[Article, str, str, list[Chunk]]] = []
        size = 0
        for article, kind, source in todo:
            try:
                chunks = self.chunker.chunk(article)
            except Exception as exc:  # noqa: BLE001 - one odd article never stops a run
                _failed(report, article.id, "chunking_failed", exc)
                continue
            group.append((article, kind, source, chunks))
            size += len(chunks)
            if size >= GROUP_BATCHES * self.settings.embed_batch:
                yield group
                group, size = [], 0
        if group:
            yield group

    def _write(self, group: list[tuple[Article, str, str, list[Chunk]]], report: SyncReport) -> None:
        """Embed and store a group. When the model fails on it, each article is tried alone: the
        ones it fails on are reported and left as they were (all of them failing is no odd
        article but a broken model or service: that error stops the run)."""
        texts = [embedding_text(a, c.text) for a, _, _, chunks in group for c in chunks]
        try:
            vectors = self.embedder.embed_documents(texts) if texts else []
        except Exception as exc:  # noqa: BLE001
            if len(group) == 1:
                raise
            failed = []
            for one in group:
                try:
                    self._write([one], report)
                except Exception as one_exc:  # noqa: BLE001
                    failed.append((one[0].id, one_exc))
            if len(failed) == len(group):
                raise exc
            for article_id, one_exc in failed:
                _failed(report, article_id, "embedding_failed", one_exc)
            return
        for source in {s for _, _, s, _ in group}:  # committed before the store is touched
            self.manifest.mark_pending([a.id for a, _, s, _ in group if s == source], source)
        self._delete_from_store([a.id for a, _, _, _ in group])
        records = [(a, c) for a, _, _, chunks in group for c in chunks]
        self.store.add(
            ids=[c.id for _, c in records],
            vectors=vectors,
            metadatas=[chunk_metadata(a) for a, _ in records],
        )
        try:
            spans = self._entities(group)
        except Exception as exc:  # noqa: BLE001 - indexed without entities, and said
            spans = None
            for a, _, _, _ in group:
                _failed(report, a.id, "entities_failed", exc, warning=True)
        self.manifest.mark_done((a, chunks, source, spans[n] if spans else None)
                                for n, (a, _, source, chunks) in enumerate(group))
        for _, kind, _, _ in group:
            setattr(report, kind, getattr(report, kind) + 1)
        report.embedded += len(texts)


    def _entities(self, group: list[tuple[Article, str, str, list[Chunk]]]) -> list[list] | None:
        """Each article's entity spans (offsets into its text), one tagger call for the group."""
        if self.tagger is None:
            return None
        english = [(a, chunks) if "not_english" not in a.warnings else (a, []) for a, _, _, chunks in group]
        found = iter(self.tagger.tag([c.text for _, chunks in english for c in chunks]))
        return [[(c.start + s, c.start + e, label) for c in chunks for s, e, label in next(found)]
                for _, chunks in english]


def _failed(report: SyncReport, article_id: str, reason: str, exc: Exception, warning: bool = False) -> None:
    """One article's failure, counted and described in one line (the run goes on)."""
    counts = report.warnings if warning else report.skipped
    counts[reason] = counts.get(reason, 0) + 1
    report.problems.append(Problem(article_id, reason, " ".join(f"{type(exc).__name__}: {exc}".split())[:200]))


def chunk_metadata(article: Article) -> dict:
    """What the vector side needs beside the vector: deletes go by article, filters by date.
    Texts, offsets and headlines live once, in the manifest."""
    return {"article_id": article.id, "date_int": article.date_int}
