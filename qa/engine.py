"""The one object behind the Python API, the CLI and the UI.

An `Engine` owns the settings, the embedder (loaded on first use, then kept
warm), the vector store and the manifest. Everything a user does goes
through one of its methods.
"""

from __future__ import annotations

import datetime as dt
import threading
from functools import cached_property
from pathlib import Path

from index.embedding import Embedder, load_embedder
from index.errors import EmptyIndexError, UserError
from index.manifest import Manifest
from index.settings import Settings
from index.store import ChunkStore, StoredChunk, check_recorded, date_filter
from index.sync import Progress, SyncReport, Syncer
from qa.types import ArticleText, Passage, Status


def date_to_int(value: str | dt.date | None) -> int | None:
    """'2023-11-08' (or a date) -> 20231108; None stays None."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError as exc:
            raise UserError(f"not a date (want YYYY-MM-DD): {value!r}") from exc
    return value.year * 10000 + value.month * 100 + value.day


class Engine:
    def __init__(self, settings: Settings | None = None, embedder: Embedder | None = None):
        self.settings = settings or Settings()
        self._embedder = embedder
        self._write_lock = threading.Lock()

    # -- parts, built on first use --------------------------------------------

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = load_embedder(self.settings.embed_model, self.settings.embed_batch)
        return self._embedder

    @cached_property
    def manifest(self) -> Manifest:
        return Manifest.open(self.settings.index_dir)

    @cached_property
    def store(self) -> ChunkStore:
        return ChunkStore.open(self.settings, self.embedder.model_id)

    def close(self) -> None:
        if "manifest" in self.__dict__:
            self.manifest.close()
            del self.__dict__["manifest"]

    # -- operations ----------------------------------------------------------

    def index(self, corpus: str | Path | None = None, rebuild: bool = False,
              progress: Progress | None = None, on_total=None) -> SyncReport:
        """Bring the index up to date with the corpus folder (settings' by default)."""
        corpus = Path(corpus) if corpus is not None else self.settings.corpus_dir
        with self._write_lock:
            syncer = Syncer(self.settings, self.embedder, self.store, self.manifest)
            report = syncer.run(corpus, rebuild=rebuild, progress=progress, on_total=on_total)
        if report.changed or rebuild:
            self.manifest.set_meta(corpus_dir=str(corpus.resolve()))
        return report

    def search(self, question: str, k: int = 5, since=None, until=None) -> list[Passage]:
        """Dense retrieval: the k chunks nearest to the question, best first."""
        self._check_ready()
        where = date_filter(date_to_int(since), date_to_int(until))
        hits = self.store.query(self.embedder.embed_query(question), k, where)
        return [to_passage(rank, hit) for rank, hit in enumerate(hits, start=1)]

    def status(self) -> Status:
        articles, chunks = self.manifest.counts()
        last = self.manifest.get_meta("last_update")
        dimension = self.manifest.get_meta("dimension")
        store = (f"chroma server {self.settings.chroma_host}:{self.settings.chroma_port}"
                 if self.settings.chroma_host else f"chroma on disk {Path(self.settings.index_dir) / 'chroma'}")
        return Status(
            index_dir=str(Path(self.settings.index_dir).resolve()),
            corpus_dir=self.manifest.get_meta("corpus_dir") or str(self.settings.corpus_dir),
            articles=articles,
            chunks=chunks,
            embed_model=self.manifest.get_meta("embed_model"),
            dimension=int(dimension) if dimension else None,
            last_update=(dt.datetime.fromtimestamp(float(last), dt.timezone.utc).isoformat(timespec="seconds")
                         if last else None),
            store=store,
        )

    def article(self, article_id: str) -> ArticleText:
        """An indexed article by id; anything not in the index is an error."""
        record = self.manifest.article(article_id) if isinstance(article_id, str) else None
        if record is None or record.status != "done":
            raise UserError(f"no indexed article {article_id!r}")
        return ArticleText(record.id, record.headline, record.date, record.path, record.text or "")

    def _check_ready(self) -> None:
        recorded = {k: self.manifest.get_meta(k) for k in ("embed_model", "chunking")}
        if not recorded["embed_model"]:
            raise EmptyIndexError(
                f"no index in {Path(self.settings.index_dir).resolve()}: run `qa index` first"
            )
        check_recorded(recorded, self.embedder.model_id, self.settings.chunking_fingerprint())


def to_passage(rank: int, hit: StoredChunk) -> Passage:
    meta = hit.metadata
    return Passage(
        rank=rank,
        score=round(float(hit.score), 4),
        article_id=meta["article_id"],
        headline=meta["headline"],
        date=meta.get("date") or None,
        path=meta["path"],
        text=hit.text,
        start=int(meta["start"]),
        end=int(meta["end"]),
        chunk_id=hit.id,
    )
