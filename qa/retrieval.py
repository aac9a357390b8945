"""Question -> passages: dense (Chroma) and lexical (BM25) hits fused by reciprocal rank.

Then a light rerank that knows news questions: how much of the question's
weighted vocabulary a passage covers (its headline counts), and whether it
holds an answer of the expected type. Near-duplicate passages (wire copies)
are collapsed so they do not fill the results twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from llama_index.core.base.base_retriever import BaseRetriever
from llama_index.core.schema import NodeWithScore, QueryBundle, TextNode

from qa.question import QuestionInfo, analyse
from qa.scoring import Idf, coverage
from qa.tuning import DEFAULT, Tuning
from qa.types import Passage

RRF_K = 60
MODES = ("hybrid", "dense", "lexical")


LATEST_SHARE = 0.8  # "latest" questions: passages scoring at least this share of the best, newest first


def _newer_first(candidates: list, looked_up: dict) -> list:
    """The candidates nearly as relevant as the best, newest first (undated last); then the rest."""
    best = max(c.score for c in candidates)
    close = [c for c in candidates if c.score >= LATEST_SHARE * best]
    rest = [c for c in candidates if c.score < LATEST_SHARE * best]
    close.sort(key=lambda c: (looked_up[c.chunk_id].date or "", c.score), reverse=True)
    return close + rest


def passage_of(row, rank: int, score: float, chunk_id: str) -> Passage:
    """A `Passage` from the manifest's `ChunkRow` of a chunk."""
    return Passage(rank, score, row.article_id, row.headline, row.date, row.path, row.text, row.start, row.end,
                   chunk_id, row.url, row.outlet, row.author)


@dataclass
class Candidate:
    chunk_id: str
    dense: float = 0.0
    dense_rank: int | None = None
    lexical: float = 0.0
    lexical_rank: int | None = None
    fused: float = 0.0
    score: float = 0.0
    features: dict = field(default_factory=dict)


def rrf(candidates: dict[str, Candidate]) -> None:
    for c in candidates.values():
        c.fused = sum(1.0 / (RRF_K + r) for r in (c.dense_rank, c.lexical_rank) if r is not None)


@dataclass(frozen=True)
class RetrievalParts:
    """What retrieval reads, handed over whole: one consistent view of the index."""

    vectors: object  # index.store.ChunkStore: query(vector, k, where)
    lexical: object | None  # index.lexical.LexicalIndex: search(query, k, since, until)
    embed_query: Callable[[str], list[float]]
    passages: Callable[[list[str]], dict]  # chunk ids -> stored passage rows (the manifest's)
    idf: Idf
    passage_tokens: Callable[[str, str], frozenset]  # (chunk id, text) -> its tokens, cached
    tuning: Tuning = DEFAULT


class HybridRetriever(BaseRetriever):
    """A llama-index retriever over our store and lexical index; returns `Passage`s too."""

    def __init__(self, parts: RetrievalParts, mode: str = "hybrid", depth: int = 40):
        super().__init__()
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}")
        self.parts = parts
        self.mode = mode
        self.depth = depth

    # llama-index interface -------------------------------------------------------
    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        return [
            NodeWithScore(
                node=TextNode(
                    id_=p.chunk_id, text=p.text, start_char_idx=p.start, end_char_idx=p.end,
                    metadata={"article_id": p.article_id, "headline": p.headline, "date": p.date, "path": p.path},
                ),
                score=p.score,
            )
            for p in self.passages(query_bundle.query_str, k=5)
        ]

    # ours --------------------------------------------------------------------------
    def candidates(self, question: str, since: int | None, until: int | None,
                   context: str = "", undated: bool = False, syntax: bool = False) -> list[Candidate]:
        """Fused, reranked candidates (best first), before duplicate removal. With `syntax`, a
        query in the lexical index's syntax ("a phrase", -word, headline:word) keeps only the
        chunks that match it; the dense side embeds its plain words and only reorders."""
        from index.lexical import plain, uses_syntax
        from index.store import date_filter

        query = f"{context} {question}".strip()
        lexical = self.parts.lexical
        strict = syntax and lexical is not None and uses_syntax(query)
        found: dict[str, Candidate] = {}
        if self.mode in ("hybrid", "dense"):
            hits = self.parts.vectors.query(self.parts.embed_query(plain(query) if strict else query), self.depth,
                                           date_filter(since, until, undated))
            for rank, hit in enumerate(hits, start=1):
                found[hit.id] = Candidate(hit.id, dense=hit.score, dense_rank=rank)
        if (self.mode in ("hybrid", "lexical") or strict) and lexical is not None:
            for rank, hit in enumerate(lexical.search(query, self.depth, since, until, undated, strict), start=1):
                c = found.setdefault(hit.chunk_id, Candidate(hit.chunk_id))
                c.lexical, c.lexical_rank = hit.score, rank
        if strict:
            found = {cid: c for cid, c in found.items() if c.lexical_rank is not None}
        rrf(found)
        return sorted(found.values(), key=lambda c: -c.fused)

    def passages(self, question: str, k: int = 5, since: int | None = None, until: int | None = None,
                 undated: bool = False, context: str = "", rerank: bool = True,
                 latest: bool = False, syntax: bool = False) -> list[Passage]:
        """The k best passages; `latest`: among those about as relevant as the best, newer first;
        `syntax`: read the lexical index's query syntax (see `candidates`)."""
        candidates = self.candidates(question, since, until, context, undated, syntax)
        looked_up = self.parts.passages([c.chunk_id for c in candidates])
        candidates = [c for c in candidates if c.chunk_id in looked_up]
        if rerank and candidates:
            self._rerank(question, context, candidates, looked_up)
        else:
            for c in candidates:
                c.score = c.fused if self.mode == "hybrid" else (c.dense or c.lexical)
        if latest and candidates:
            candidates = _newer_first(candidates, looked_up)
        passages: list[Passage] = []
        kept: list[set] = []
        shown: dict[str, str] = {}  # a story's group -> the copy shown for it
        for c in candidates:
            row = looked_up[c.chunk_id]
            group = row.dup_of or row.article_id
            if shown.setdefault(group, row.article_id) != row.article_id:
                continue  # another copy of this story (grouped at index time) is shown already
            shingles = _shingles(row.text)
            if any(_jaccard(shingles, other) > 0.6 for other in kept):
                continue  # the same text from another copy of the story
            kept.append(shingles)
            passages.append(passage_of(row, len(passages) + 1, round(c.score, 4), c.chunk_id))
            if len(passages) == k:
                break
        return passages

    def _rerank(self, question: str, context: str, candidates: list[Candidate], looked_up: dict) -> None:
        """Order by evidence: the question's idf-weighted terms the passage (with its headline)
        covers, and its dense similarity, in equal parts; fusion rank breaks ties.

        Weights picked by a grid search on bench/devset.jsonl (BENCHMARKS.md); scoring the
        best sentence here as well made the order worse, so sentences are left to the answerer.
        """
        info, weights = question_with_context(question, context)
        idf, t = self.parts.idf, self.parts.tuning
        best_fused = max(c.fused for c in candidates) or 1.0
        dense_scores = [c.dense for c in candidates if c.dense_rank is not None]
        dense_floor = min(dense_scores) if dense_scores else 0.0
        for c in candidates:
            row = looked_up[c.chunk_id]
            text, headline, day = row.text, row.headline, row.date
            cov = coverage(info, self.parts.passage_tokens(c.chunk_id, f"{headline}\n{text}"), idf, weights)
            year = 1.0 if info.years and any(y in text or (day or "").startswith(y) for y in info.years) else 0.0
            dense = c.dense if c.dense_rank is not None else dense_floor
            c.features = {"cov": cov, "dense": dense, "fused": c.fused / best_fused, "year": year}
            c.score = (t.rerank_coverage * cov + t.rerank_dense * dense + t.rerank_fused * (c.fused / best_fused)
                       + t.rerank_year * year)
        candidates.sort(key=lambda c: -c.score)


def question_with_context(question: str, context: str) -> tuple[QuestionInfo, dict[str, float] | None]:
    """The question's analysis, with a follow-up's context terms added at half weight."""
    info = analyse(question)
    if not context:
        return info, None
    extra = analyse(context)
    weights = {t: 0.3 for t in extra.terms} | {t: 1.0 for t in info.terms}
    merged = QuestionInfo(question, info.type, tuple(dict.fromkeys(info.terms + extra.terms)),
                          info.names, info.years + extra.years)
    return merged, weights


def _shingles(text: str, n: int = 5) -> set:
    words = text.lower().split()
    return {tuple(words[i : i + n]) for i in range(max(1, len(words) - n + 1))}


def _jaccard(a: set, b: set) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0
