"""Bring the index up to date with a corpus folder, at the cost of what changed.

Compares the corpus with the manifest (article id -> content hash): new
articles are embedded and added, changed ones replaced (old chunks deleted
first), removed ones deleted, unchanged ones cost nothing. See `manifest` for
why a killed run is repaired by the next one.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from index.articles import Article, ReadOptions, Skip, read_corpus
from index.chunks import Chunk, Chunker, embedding_text
from index.embedding import Embedder
from index import lexical
from index.manifest import Manifest
from index.settings import Settings
from index.errors import UserError
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
    skipped: dict[str, int] = field(default_factory=dict)
    warnings: dict[str, int] = field(default_factory=dict)
    chunks: int = 0  # chunks in the index after the run
    embedded: int = 0  # chunks embedded by this run
    seconds: float = 0.0
    problems: list[Problem] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed or self.repaired)

    def to_dict(self) -> dict:
        return asdict(self)


Progress = Callable[[int], None]  # called with the number of articles just finished


class Syncer:
    def __init__(self, settings: Settings, embedder: Embedder, store: ChunkStore | Callable[[], ChunkStore],
                 manifest: Manifest):
        """`store` may be a factory: a run with nothing to write never opens Chroma."""
        self.settings = settings
        self.embedder = embedder
        self._store = store
        self.manifest = manifest
        self._chunker: Chunker | None = None

    @property
    def store(self) -> ChunkStore:
        if callable(self._store) and not isinstance(self._store, ChunkStore):
            self._store = self._store()
        return self._store

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

    def plan(self, corpus: Path, report: SyncReport) -> tuple[list[tuple[Article, str]], list[str]]:
        """(articles to (re)index with 'added'|'updated', ids to remove)."""
        known = self.manifest.hashes()
        seen: set[str] = set()
        todo: list[tuple[Article, str]] = []
        skipped: Counter[str] = Counter()
        warnings: Counter[str] = Counter()
        orphaned: list[str] = []
        options = ReadOptions(max_bytes=self.settings.max_file_bytes)
        for entry in read_corpus(corpus, options):
            seen.add(entry.id)
            if isinstance(entry, Skip):
                skipped[entry.reason] += 1
                report.problems.append(Problem(entry.id, entry.reason, entry.detail))
                if entry.id in known and known[entry.id] is None:
                    orphaned.append(entry.id)  # half-written before, unreadable now
                continue  # otherwise keep whatever is indexed for it
            for warning in entry.warnings:
                warnings[warning] += 1
                report.problems.append(Problem(entry.id, warning))
            if entry.id not in known:
                todo.append((entry, "added"))
            elif known[entry.id] is None:
                todo.append((entry, "repaired"))
            elif known[entry.id] != entry.content_hash:
                todo.append((entry, "updated"))
            else:
                report.unchanged += 1
        report.skipped = dict(skipped)
        report.warnings = dict(warnings)
        removed = [a for a in known if a not in seen] + orphaned
        return todo, removed

    def run(self, corpus: Path, rebuild: bool = False, progress: Progress | None = None,
            on_total: Callable[[int], None] | None = None) -> SyncReport:
        started = time.perf_counter()
        corpus = Path(corpus)
        if not corpus.is_dir():
            raise UserError(f"corpus folder not found: {corpus}")
        chunking = self.settings.chunking_fingerprint()
        if rebuild:
            self.store.drop()
            self.manifest.clear()
        recorded = {k: self.manifest.get_meta(k) for k in ("embed_model", "chunking")}
        check_recorded(recorded, self.embedder.model_id, chunking)
        report = SyncReport()
        todo, removed = self.plan(corpus, report)
        if on_total:
            on_total(len(todo))
        if removed:
            self.manifest.mark_pending(removed)
            self.store.delete_articles(removed)
            self.manifest.remove(removed)
            report.removed = len(removed)
        for group in self._groups(todo):
            self._write(group, report)
            if progress:
                progress(len(group))
        if todo or removed or rebuild or not self.manifest.get_meta("embed_model"):
            meta = {"embed_model": self.embedder.model_id, "chunking": chunking,
                    "last_update": str(time.time())}
            if report.embedded:
                meta["dimension"] = str(self.embedder.dimension)
            self.manifest.set_meta(**meta)
        lexical.ensure_current(self.settings.index_dir, self.manifest)  # BM25 follows the manifest
        report.chunks = self.manifest.counts()[1]
        report.seconds = round(time.perf_counter() - started, 3)
        return report

    def _groups(self, todo: list[tuple[Article, str]]):
        """Articles with their chunks, grouped so each model call sees a few batches of chunks."""
        group: list[tuple[Article, str, list[Chunk]]] = []
        size = 0
        for article, kind in todo:
            chunks = self.chunker.chunk(article)
            group.append((article, kind, chunks))
            size += len(chunks)
            if size >= GROUP_BATCHES * self.settings.embed_batch:
                yield group
                group, size = [], 0
        if group:
            yield group

    def _write(self, group: list[tuple[Article, str, list[Chunk]]], report: SyncReport) -> None:
        texts = [embedding_text(a, c.text) for a, _, chunks in group for c in chunks]
        vectors = self.embedder.embed_documents(texts) if texts else []
        ids = [a.id for a, _, _ in group]
        self.manifest.mark_pending(ids)  # committed before the store is touched
        self.store.delete_articles(ids)
        records = [(a, c) for a, _, chunks in group for c in chunks]
        self.store.add(
            ids=[c.id for _, c in records],
            vectors=vectors,
            documents=[c.text for _, c in records],
            metadatas=[chunk_metadata(a, c) for a, c in records],
        )
        self.manifest.mark_done((a, chunks) for a, _, chunks in group)
        for _, kind, _ in group:
            setattr(report, kind, getattr(report, kind) + 1)
        report.embedded += len(texts)


def chunk_metadata(article: Article, chunk: Chunk) -> dict:
    return {
        "article_id": article.id,
        "seq": chunk.seq,
        "start": chunk.start,
        "end": chunk.end,
        "headline": article.headline,
        "date": article.date or "",
        "date_int": article.date_int,
        "path": str(article.path),
        "content_hash": article.content_hash,
    }
