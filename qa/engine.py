"""The one object behind the Python API, the CLI and the UI.

An `Engine` owns the settings, the embedder (loaded on first use, then kept
warm), the vector store and the manifest. Everything a user does goes
through one of its methods.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from index import lexical, sources
from index.embedding import Embedder, embedder_for
from index.entities import EntityTagger, load_tagger
from index.errors import EmptyIndexError, NotFoundError, UserError
from index.lock import WriterLock
from index.lexical import LexicalIndex
from index.manifest import Manifest
from index.settings import Settings
from index.store import ChunkStore, check_recorded, forget_cached_clients
from index.sync import Progress, SyncReport, Syncer
from qa.answerer import Answerer, ExtractiveAnswerer
from qa.dates import Bounds, bounds_for, wants_latest
from qa.inputs import check_date, check_history, check_k, check_question, date_bounds
from qa.llm import client as llm_client
from qa.llm.answerer import LLMAnswerer
from qa.scoring import LRU, Idf, sentence_cache, token_cache
from qa.tuning import DEFAULT, Tuning
from qa.types import Answer, ArticleText, Passage, SourceInfo, Status

if TYPE_CHECKING:  # loaded on first question: `qa index` in a new process does not pay for llama-index
    from qa import asking
    from qa.retrieval import HybridRetriever



@dataclass(frozen=True)
class ReaderView:
    """The readers' side of one index update: built by `_refresh_view`, never changed after."""

    stamp: str | None  # the manifest's last_update it was opened at
    lexical: LexicalIndex | None
    idf: Idf
    sentences: LRU  # chunk id -> its sentences
    tokens: LRU  # chunk id -> its tokens


class Engine:
    def __init__(self, settings: Settings | None = None, embedder: Embedder | None = None,
                 tuning: Tuning = DEFAULT, answerer: Answerer | None = None):
        self.settings = settings or Settings()
        self.tuning = tuning
        self.answerer: Answerer = answerer or ExtractiveAnswerer(tuning)
        self._embedder = embedder
        self._write_lock = threading.Lock()
        self._view_lock = threading.Lock()
        self._view: ReaderView | None = None  # replaced whole, in one assignment, after each update
        self._query_vectors: dict[str, list[float]] = {}
        self._written_stamp: str | None = None  # the last update this engine wrote itself
        self._llm_answerer: Answerer | None = None

    # -- parts, built on first use --------------------------------------------

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = embedder_for(self.settings)
        return self._embedder

    @cached_property
    def tagger(self) -> EntityTagger | None:
        return load_tagger(self.settings.ner_model)

    @cached_property
    def manifest(self) -> Manifest:
        return Manifest.open(self.settings.index_dir)

    @cached_property
    def store(self) -> ChunkStore:
        return ChunkStore.open(self.settings, self.embedder.model_id)

    @property
    def view(self) -> ReaderView:
        """What readers read, all from one update of the index."""
        self._refresh_view()
        return self._view

    @property
    def lexical(self) -> LexicalIndex | None:
        return self.view.lexical

    @property
    def idf(self) -> Idf:
        return self.view.idf

    @property
    def sentence_cache(self):
        return self.view.sentences

    def _refresh_view(self) -> None:
        """Reopen readers when the index changed since they were opened (another process wrote)."""
        stamp = self.manifest.get_meta("last_update")
        if self._view is not None and stamp == self._view.stamp:
            return
        with self._view_lock:
            if self._view is not None and stamp == self._view.stamp:
                return
            another_writer = self._view is not None and stamp != self._written_stamp
            if another_writer and "store" in self.__dict__ and not self.settings.chroma_host:
                del self.__dict__["store"]  # a cached on-disk client does not see other writers
                forget_cached_clients()
            found = lexical.current(self.settings.index_dir, self.manifest)
            self._view = ReaderView(stamp, found, Idf(found), sentence_cache(), token_cache())

    def passage_tokens(self, chunk_id: str, text: str) -> frozenset:
        return self.view.tokens.get(chunk_id, text)

    def retriever(self, mode: str = "hybrid") -> HybridRetriever:
        """A retriever over the current view of the index (reopened first if another process wrote)."""
        from qa.retrieval import HybridRetriever, RetrievalParts

        view = self.view
        parts = RetrievalParts(self.store, view.lexical, self.query_vector, self.manifest.passages, view.idf,
                               view.tokens.get, self.tuning)
        return HybridRetriever(parts, mode=mode)

    def close(self) -> None:
        if "manifest" in self.__dict__:
            self.manifest.close()
            del self.__dict__["manifest"]

    # -- operations ----------------------------------------------------------

    def index(self, corpus: str | Path | None = None, rebuild: bool = False,
              progress: Progress | None = None, on_total=None, allow_removal: bool = False,
              verify: bool = False) -> SyncReport:
        """Bring the index up to date: with `corpus` (recorded as a source if new; a folder or
        file inside a recorded source updates that part alone), or with every recorded source
        (the settings' corpus folder when none is recorded yet).

        A run that would remove more than half of the articles raises `LargeRemovalError`
        unless `allow_removal`; a rebuild covers every source. A file whose size and time are
        as when it was last read is not read again, unless `verify`.
        """
        with self._write_lock, WriterLock(self.settings.index_dir, self.settings.writer_wait):
            recorded = sources.recorded(self.manifest, self.settings.corpus_dir)
            if corpus is not None:
                wanted = [sources.register(self.manifest, Path(corpus))]
            else:
                wanted = recorded or [sources.register(self.manifest, self.settings.corpus_dir)]
            if rebuild or self.manifest.get_meta("rebuild"):  # every source is embedded again, whole
                wanted = [s.whole for s in wanted]
                wanted += [s for s in sources.recorded(self.manifest) if s not in wanted]
            syncer = Syncer(self.settings, self.embedder, lambda: self.store, self.manifest, self.tagger)
            report = syncer.run(wanted, rebuild=rebuild, progress=progress, on_total=on_total,
                                allow_removal=allow_removal, verify=verify)
            self._written_stamp = self.manifest.get_meta("last_update")
        return report

    def sources(self) -> list[SourceInfo]:
        """The recorded sources with their article counts."""
        if not self.has_index:
            return []
        counts = self.manifest.source_counts()
        return [SourceInfo(s.path, s.label, counts.get(s.path, 0), Path(s.path).exists())
                for s in sources.recorded(self.manifest, self.settings.corpus_dir)]

    def remove_source(self, path: str | Path) -> SyncReport:
        """Forget a source and remove its articles from the index."""
        with self._write_lock, WriterLock(self.settings.index_dir, self.settings.writer_wait):
            source = sources.find(self.manifest, Path(path))
            syncer = Syncer(self.settings, self.embedder, lambda: self.store, self.manifest, self.tagger)
            report = syncer.remove_source(source)
            self._written_stamp = self.manifest.get_meta("last_update")
        return report

    def search(self, question: str, k: int = 5, since=None, until=None, mode: str = "hybrid",
               rerank: bool = True, as_of=None) -> list[Passage]:
        """The k best passages for the question: dense and BM25 hits fused, then reranked.
        Without `since`/`until`, dates the question names ("last week", "in March 2005") filter,
        relative to `as_of` (YYYY-MM-DD, default today)."""
        self._check_ready()
        self._refresh_view()
        question, k = check_question(question, self.settings.max_question_chars), check_k(k)
        bounds = self._bounds(question, since, until, as_of)
        if bounds.empty:
            return []
        from qa import asking

        return asking.with_copies(self.manifest, self.retriever(mode).passages(
            question, k, *bounds.args(), rerank=rerank, latest=wants_latest(question), syntax=True))

    def search_by_month(self, question: str, k: int = 5, since=None, until=None, as_of=None,
                        depth: int = 100) -> tuple[list[Passage], dict[str, int]]:
        """`search`'s k passages, and the articles among the question's `depth` best passages
        counted by month of publication ("2005-03": 4; "undated" for the rest), oldest first;
        one retrieval serves both (the k best are the first k of the `depth` best)."""
        self._check_ready()
        self._refresh_view()
        question, k = check_question(question, self.settings.max_question_chars), check_k(k)
        bounds = self._bounds(question, since, until, as_of)
        found = [] if bounds.empty else self.retriever().passages(question, max(k, depth), *bounds.args(),
                                                                  latest=wants_latest(question), syntax=True)
        counts: dict[str, int] = {}
        for p in {p.article_id: p for p in found}.values():
            month = p.date[:7] if p.date else "undated"
            counts[month] = counts.get(month, 0) + 1
        by_month = dict(sorted(counts.items(), key=lambda kv: (kv[0] == "undated", kv[0])))
        from qa import asking

        return asking.with_copies(self.manifest, found[:k]), by_month

    def example_questions(self, n: int = 3) -> list[str]:
        """Questions to offer a new user: headlines of indexed stories (the newest, when dated)."""
        return [h for h in self.manifest.sample_headlines(n) if h.strip()] if self.has_index else []

    def _bounds(self, question: str, since, until, as_of) -> Bounds:
        """The user's date filter, else the range the question names (checked against the index)."""
        if since or until:
            return Bounds(*date_bounds(since, until))
        day = check_date(as_of, "as_of")
        return bounds_for(question, dt.date.fromisoformat(day) if day else dt.date.today(), self.manifest.dated_count)

    def ask(self, question: str, history: list[dict] | None = None, k: int = 5, since=None, until=None,
            mode: str = "hybrid", threshold: float | None = None, rerank: bool = True,
            answer_mode: str | None = None, on_text=None, as_of=None) -> Answer:
        """A short answer whose every sentence is a cited quote (or, with `answer_mode="llm"`, a
        model's sentence checked against the quote it cites), or an abstention.

        `history`: earlier turns as {"role": "user"|"assistant", "content": str}; a
        follow-up question is retrieved together with the question it follows.
        `on_text`: called with the model's reply so far while it streams (llm mode).
        `as_of`: the day relative dates in the question count from (YYYY-MM-DD, default today);
        the answer's notes say which range was searched.
        """
        question, k = check_question(question, self.settings.max_question_chars), check_k(k)
        answerer = self._answerer(answer_mode)
        self._check_ready()
        self._refresh_view()
        dates = self._bounds(question, since, until, as_of)
        if dates.empty:
            return Answer(question, f"No indexed article is dated in that range ({dates.range.describe()}).", True,
                          [], [], question, 0.0, notes=[dates.note])
        threshold = self.tuning.abstain_below if threshold is None else threshold
        from qa import asking

        answer = asking.ask(self.ask_parts(), question, check_history(history), k, dates.args(), mode, threshold,
                            rerank, answerer, on_text)
        return replace(answer, notes=answer.notes + [dates.note]) if dates.note else answer

    def ask_parts(self) -> asking.AskParts:
        """What one ask reads, from the current view of the index."""
        from qa import asking

        view = self.view
        return asking.AskParts(self.retriever, self.manifest, self.embedder.embed_documents, self.query_vector,
                               view.idf, view.sentences, lambda article_id: self.article(article_id).text,
                               self.tuning, self.answerer)

    def _answerer(self, answer_mode: str | None) -> Answerer:
        """The extractive reader, or the language-model one (built on first use; nothing is
        contacted before a question is asked in that mode)."""
        mode = answer_mode or self.settings.answer_mode
        if mode == "extractive":
            return self.answerer
        if mode != "llm":
            raise UserError(f"unknown answer mode {mode!r}: use 'extractive' or 'llm'")
        if self._llm_answerer is None:
            llm_client.require(self.settings)
            self._llm_answerer = LLMAnswerer(self.settings, self.answerer)
        return self._llm_answerer

    def query_vector(self, text: str) -> list[float]:
        """The question's embedding; the last few are kept (retrieval and answering share it)."""
        with self._view_lock:
            vector = self._query_vectors.get(text)
        if vector is None:
            vector = self.embedder.embed_query(text)
            with self._view_lock:
                self._query_vectors[text] = vector
                while len(self._query_vectors) > 64:
                    self._query_vectors.pop(next(iter(self._query_vectors)))
        return vector

    @property
    def has_index(self) -> bool:
        """Whether the index folder holds a manifest (reading never creates one)."""
        return "manifest" in self.__dict__ or (Path(self.settings.index_dir) / "manifest.sqlite").is_file()

    def status(self) -> Status:
        store = (f"chroma server {self.settings.chroma_host}:{self.settings.chroma_port}"
                 if self.settings.chroma_host else f"chroma on disk {Path(self.settings.index_dir) / 'chroma'}")
        if not self.has_index:
            return Status(str(Path(self.settings.index_dir).absolute()), [], 0, 0, None, None, None, store)
        articles, chunks = self.manifest.counts()
        last = self.manifest.get_meta("last_update")
        dimension = self.manifest.get_meta("dimension")
        return Status(
            index_dir=str(Path(self.settings.index_dir).resolve()),
            sources=[s.to_dict() for s in self.sources()],
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
        record = self.manifest.article(article_id) if isinstance(article_id, str) and self.has_index else None
        if record is None or record.status != "done":
            raise NotFoundError(f"no indexed article {article_id!r}")
        return ArticleText(record.id, record.headline, record.date, record.path, record.text or "",
                           record.url, record.outlet, record.author)

    def _check_ready(self) -> None:
        recorded = {k: self.manifest.get_meta(k) for k in ("embed_model", "chunking")} if self.has_index else {}
        if not recorded.get("embed_model"):
            raise EmptyIndexError(
                f"no index in {Path(self.settings.index_dir).resolve()}: run `qa index` first"
            )
        check_recorded(recorded, self.embedder.model_id, self.settings.chunking_fingerprint())

