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

import numpy as np

from index import lexical, sources
from index.embedding import Embedder, load_embedder
from index.entities import EntityTagger, load_tagger
from index.errors import EmptyIndexError, UserError
from index.lexical import LexicalIndex
from index.manifest import Manifest
from index.settings import Settings
from index.store import ChunkStore, check_recorded
from index.sync import Progress, SyncReport, Syncer
from qa.answer import ABSTAIN_TEXT, merge
from qa.answerer import AnswerContext, Answerer, ExtractiveAnswerer, check_citations
from qa.bridge import describe
from qa.conversation import resolve
from qa.dates import Bounds, bounds_for, wants_latest
from qa.decompose import split_question
from qa.inputs import check_date, check_history, check_k, check_question, date_bounds
from qa.llm import client as llm_client
from qa.llm.answerer import LLMAnswerer
from qa.llm.condense import condense
from qa.retrieval import HybridRetriever, RetrievalParts, passage_of, question_with_context
from qa.scoring import LRU, Idf, sentence_cache, token_cache
from qa.tuning import DEFAULT, Tuning
from qa.types import Answer, ArticleText, Passage, SourceInfo, Status


ANSWER_PASSAGES = 6  # passages whose sentences the answer may quote
ANSWER_ARTICLES = 3  # ... and all other chunks of this many best articles


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
            self._embedder = load_embedder(self.settings.embed_model, self.settings.embed_batch)
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
                from chromadb.api.shared_system_client import SharedSystemClient

                del self.__dict__["store"]  # a cached on-disk client does not see other writers
                SharedSystemClient.clear_system_cache()
            found = lexical.current(self.settings.index_dir, self.manifest)
            self._view = ReaderView(stamp, found, Idf(found), sentence_cache(), token_cache())

    def passage_tokens(self, chunk_id: str, text: str) -> frozenset:
        return self.view.tokens.get(chunk_id, text)

    def retriever(self, mode: str = "hybrid") -> HybridRetriever:
        """A retriever over the current view of the index (reopened first if another process wrote)."""
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
              progress: Progress | None = None, on_total=None, allow_removal: bool = False) -> SyncReport:
        """Bring the index up to date: with `corpus` (recorded as a source if new), or with
        every recorded source (the settings' corpus folder when none is recorded yet).

        A run that would remove more than half of the articles raises `LargeRemovalError`
        unless `allow_removal`; a rebuild covers every source.
        """
        with self._write_lock:
            recorded = sources.recorded(self.manifest, self.settings.corpus_dir)
            if corpus is not None:
                wanted = [sources.register(self.manifest, Path(corpus))]
            else:
                wanted = recorded or [sources.register(self.manifest, self.settings.corpus_dir)]
            if rebuild or self.manifest.get_meta("rebuild"):  # every source is embedded again
                wanted += [s for s in sources.recorded(self.manifest) if s not in wanted]
            syncer = Syncer(self.settings, self.embedder, lambda: self.store, self.manifest, self.tagger)
            report = syncer.run(wanted, rebuild=rebuild, progress=progress, on_total=on_total,
                                allow_removal=allow_removal)
            self._written_stamp = self.manifest.get_meta("last_update")
        return report

    def sources(self) -> list[SourceInfo]:
        """The recorded sources with their article counts."""
        counts = self.manifest.source_counts()
        return [SourceInfo(s.path, s.label, counts.get(s.path, 0), Path(s.path).exists())
                for s in sources.recorded(self.manifest, self.settings.corpus_dir)]

    def remove_source(self, path: str | Path) -> SyncReport:
        """Forget a source and remove its articles from the index."""
        with self._write_lock:
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
        return self._with_copies(self.retriever(mode).passages(question, k, *bounds.args(), rerank=rerank,
                                                               latest=wants_latest(question)))

    def _with_copies(self, passages: list[Passage]) -> list[Passage]:
        """The passages with the other copies of their stories (`also_in`)."""
        copies = self.manifest.copies([p.article_id for p in passages])
        return [replace(p, also_in=copies[p.article_id]) if copies.get(p.article_id) else p for p in passages]

    def timeline(self, question: str, since=None, until=None, as_of=None, depth: int = 100) -> dict[str, int]:
        """Articles among the question's `depth` best passages, counted by month of publication
        ("2005-03": 4; "undated" for the rest), oldest first."""
        self._check_ready()
        self._refresh_view()
        question = check_question(question, self.settings.max_question_chars)
        bounds = self._bounds(question, since, until, as_of)
        passages = [] if bounds.empty else self.retriever().passages(question, depth, *bounds.args())
        counts: dict[str, int] = {}
        seen: set[str] = set()
        for p in passages:
            if p.article_id not in seen:
                seen.add(p.article_id)
                month = p.date[:7] if p.date else "undated"
                counts[month] = counts.get(month, 0) + 1
        return dict(sorted(counts.items(), key=lambda kv: (kv[0] == "undated", kv[0])))

    def example_questions(self, n: int = 3) -> list[str]:
        """Questions to offer a new user: headlines of indexed stories (the newest, when dated)."""
        return [h for h in self.manifest.sample_headlines(n) if h.strip()]

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
        answer = self._ask(question, history, k, dates.args(), mode, threshold, rerank, answerer, on_text)
        return replace(answer, notes=answer.notes + [dates.note]) if dates.note else answer

    def _ask(self, question: str, history, k: int, bounds: tuple, mode: str, threshold: float | None,
             rerank: bool, answerer: Answerer, on_text) -> Answer:
        threshold = self.tuning.abstain_below if threshold is None else threshold
        if answerer is not self.answerer:  # the model reads the whole question; it condenses follow-ups
            try:
                context = condense(answerer.llm, self.settings.llm_timeout, question, check_history(history))
            except llm_client.LLMFailure as exc:
                answer = self._answer(question, resolve(question, check_history(history)), k, bounds, mode,
                                      threshold, rerank=rerank)
                return replace(answer, notes=[f"the model could not be used: {exc}",
                                              "this is the extractive answer instead"])
            return self._answer(question, context, k, bounds, mode, threshold, rerank=rerank, answerer=answerer,
                                on_text=on_text)
        context = resolve(question, check_history(history))
        bridged = self._bridged(question, context, k, bounds, mode, threshold, rerank)
        if bridged is not None:
            return bridged
        parts = split_question(question)
        if len(parts) == 1:
            return self._answer(question, context, k, bounds, mode, threshold, rerank=rerank)
        answers: list[Answer] = []
        for n, part in enumerate(parts):  # each part answered alone, never quoting the same sentence
            quoted = frozenset((c.article_id, c.start) for a in answers for c in a.citations)
            answers.append(self._answer(part, f"{context} {parts[0]}".strip() if n else context, k, bounds,
                                        mode, threshold, most=1, budget=self.tuning.max_answer_words // 2,
                                        rerank=rerank, exclude=quoted))
        return merge(question, answers, k)

    def _bridged(self, question: str, context: str, k: int, bounds, mode: str, threshold: float,
                 rerank: bool) -> Answer | None:
        """A question that describes an entity ("the carmaker that bought ..."): find the name
        first, then answer the question with it; None when it holds no description or either
        step finds nothing (the question is then answered as it stands)."""
        described = describe(question) if self.tuning.use_bridge else None
        if described is None:
            return None
        half = self.tuning.max_answer_words // 2
        found = self._answer(described.question, context, k, bounds, mode, threshold, most=1, budget=half,
                             rerank=rerank)
        if found.abstained or not found.short_answer:
            return None
        quoted = frozenset((c.article_id, c.start) for c in found.citations)
        answered = self._answer(described.rewrite(question, found.short_answer), context, k, bounds, mode,
                                threshold, most=2, budget=half, rerank=rerank, exclude=quoted)
        if answered.abstained:
            return None
        return merge(question, [found, answered], k)

    def _answer(self, question: str, context: str, k: int, bounds: tuple[int | None, int | None, bool], mode: str,
                threshold: float, most: int = 3, budget: int | None = None, rerank: bool = True,
                exclude: frozenset = frozenset(), answerer: Answerer | None = None, on_text=None) -> Answer:
        passages = self.retriever(mode).passages(question, max(k, ANSWER_PASSAGES), *bounds, context=context,
                                                 rerank=rerank, latest=wants_latest(question))
        info, weights = question_with_context(question, context)
        evidence = self._with_whole_articles(passages[:ANSWER_PASSAGES])
        resolved = f"{context} {question}".strip()
        view = self.view
        answer = (answerer or self.answerer).answer(question, evidence, AnswerContext(
            info, weights, resolved, view.idf, view.sentences, meaning=self._similarities(resolved),
            spans=self._entities(evidence), threshold=threshold, most=most, budget=budget, exclude=exclude,
            embed=self.embedder.embed_documents, on_text=on_text))
        broken = check_citations(answer, lambda article_id: self.article(article_id).text)
        if broken:  # an answer whose quotes are not the articles' text is no answer
            answer = Answer(question, ABSTAIN_TEXT, True, [], evidence, resolved, 0.0, mode=answer.mode,
                            notes=answer.notes + ["an answer whose quotes were not the articles' text was withheld"])
        copies = self.manifest.copies([c.article_id for c in answer.citations])
        citations = [replace(c, also_in=copies[c.article_id]) if copies.get(c.article_id) else c
                     for c in answer.citations]
        return replace(answer, citations=citations, passages=self._with_copies(passages[:k]))

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

    def _entities(self, passages: list[Passage]) -> dict[str, list] | None:
        """Entity spans of the passages' articles (None: the index has none)."""
        if self.manifest.get_meta("ner_model") in (None, "none"):
            return None
        return self.manifest.entities(sorted({p.article_id for p in passages}))

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

    def _similarities(self, question: str):
        """question -> (sentences -> cosine similarities), with the question embedded once."""
        q = np.asarray(self.query_vector(question))

        def similarities(sentences: list[str]) -> list[float]:
            if not sentences:
                return []
            vectors = np.asarray(self.embedder.embed_documents(sentences))
            return (vectors @ q / (np.linalg.norm(vectors, axis=1) * np.linalg.norm(q) + 1e-9)).tolist()

        return similarities

    def _with_whole_articles(self, passages: list[Passage], articles: int = ANSWER_ARTICLES) -> list[Passage]:
        """The passages plus every other chunk of the best few articles: the answer to a
        question is often a few sentences away from the passage that matched it best."""
        out = list(passages)
        seen = {p.chunk_id for p in passages}
        best: dict[str, float] = {}
        for p in passages:
            best.setdefault(p.article_id, p.score)
        extra_ids = [cid for aid in list(best)[:articles]
                     for cid in self.manifest.article_chunk_ids(aid) if cid not in seen]
        looked_up = self.manifest.passages(extra_ids)
        for cid in extra_ids:
            if cid in looked_up:
                row = looked_up[cid]
                out.append(passage_of(row, len(out) + 1, round(0.9 * best[row.article_id], 4), cid))
        return out

    def status(self) -> Status:
        articles, chunks = self.manifest.counts()
        last = self.manifest.get_meta("last_update")
        dimension = self.manifest.get_meta("dimension")
        store = (f"chroma server {self.settings.chroma_host}:{self.settings.chroma_port}"
                 if self.settings.chroma_host else f"chroma on disk {Path(self.settings.index_dir) / 'chroma'}")
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
        record = self.manifest.article(article_id) if isinstance(article_id, str) else None
        if record is None or record.status != "done":
            raise UserError(f"no indexed article {article_id!r}")
        return ArticleText(record.id, record.headline, record.date, record.path, record.text or "",
                           record.url, record.outlet, record.author)

    def _check_ready(self) -> None:
        recorded = {k: self.manifest.get_meta(k) for k in ("embed_model", "chunking")}
        if not recorded["embed_model"]:
            raise EmptyIndexError(
                f"no index in {Path(self.settings.index_dir).resolve()}: run `qa index` first"
            )
        check_recorded(recorded, self.embedder.model_id, self.settings.chunking_fingerprint())

