"""question -> passages -> answer: the steps of one ask, over the parts an engine hands in.

`ask` resolves a follow-up (or has the model condense it), answers a question that
describes an entity in two steps (`bridge.py`), splits a two-part question
(`decompose.py`), and answers each piece from its passages plus the rest of the
best articles. Every answer's quotes are checked against the articles' text at
their offsets, and its passages and citations carry the other copies of their
stories (`also_in`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from index import duplicates
from index.manifest import Manifest
from qa.answer import ABSTAIN_TEXT, merge
from qa.answerer import AnswerContext, Answerer, check_citations
from qa.bridge import describe
from qa.conversation import resolve
from qa.dates import wants_latest
from qa.decompose import split_question
from qa.llm import client as llm_client
from qa.llm.condense import condense
from qa.retrieval import HybridRetriever, passage_of, question_with_context
from qa.scoring import LRU, Idf
from qa.tuning import Tuning
from qa.types import Answer, Passage

ANSWER_PASSAGES = 6  # passages whose sentences the answer may quote
ANSWER_ARTICLES = 3  # ... and all other chunks of this many best articles

Bounds = tuple  # (since, until, undated): the store's date range, see qa.dates.Bounds.args


@dataclass(frozen=True)
class AskParts:
    """What one ask reads, from one view of the index."""

    retriever: Callable[[str], HybridRetriever]  # retrieval mode -> a retriever
    manifest: Manifest  # chunks of an article, stored passages, entities, copies
    embed_documents: Callable[[list[str]], list]
    query_vector: Callable[[str], list[float]]  # cached: retrieval embeds the same question
    idf: Idf
    sentences: LRU  # chunk id -> its sentences
    article_text: Callable[[str], str]  # article id -> its text (citations are checked against it)
    tuning: Tuning
    extractive: Answerer  # the default answerer, and the fallback of any other


def ask(parts: AskParts, question: str, history: list[dict], k: int, bounds: Bounds, mode: str,
        threshold: float, rerank: bool, answerer: Answerer, on_text=None) -> Answer:
    if answerer is not parts.extractive:  # the model reads the whole question; it condenses follow-ups
        try:
            context = condense(answerer.llm, answerer.settings.llm_timeout, question, history)
        except llm_client.LLMFailure as exc:
            answer = _answer(parts, question, resolve(question, history), k, bounds, mode, threshold, rerank=rerank)
            return replace(answer, notes=[f"the model could not be used: {exc}", "this is the extractive answer instead"])
        return _answer(parts, question, context, k, bounds, mode, threshold, rerank=rerank, answerer=answerer,
                       on_text=on_text)
    context = resolve(question, history)
    bridged = _bridged(parts, question, context, k, bounds, mode, threshold, rerank)
    if bridged is not None:
        return bridged
    pieces = split_question(question)
    if len(pieces) == 1:
        return _answer(parts, question, context, k, bounds, mode, threshold, rerank=rerank)
    answers: list[Answer] = []
    for n, piece in enumerate(pieces):  # each piece answered alone, never quoting the same sentence
        quoted = frozenset((c.article_id, c.start) for a in answers for c in a.citations)
        answers.append(_answer(parts, piece, f"{context} {pieces[0]}".strip() if n else context, k, bounds, mode,
                               threshold, most=1, budget=parts.tuning.max_answer_words // 2, rerank=rerank,
                               exclude=quoted))
    return merge(question, answers, k)


def _bridged(parts: AskParts, question: str, context: str, k: int, bounds: Bounds, mode: str, threshold: float,
             rerank: bool) -> Answer | None:
    """A question that describes an entity ("the carmaker that bought ..."): find the name
    first, then answer the question with it; None when it holds no description or either
    step finds nothing (the question is then answered as it stands)."""
    described = describe(question) if parts.tuning.use_bridge else None
    if described is None:
        return None
    half = parts.tuning.max_answer_words // 2
    found = _answer(parts, described.question, context, k, bounds, mode, threshold, most=1, budget=half,
                    rerank=rerank)
    if found.abstained or not found.short_answer:
        return None
    quoted = frozenset((c.article_id, c.start) for c in found.citations)
    answered = _answer(parts, described.rewrite(question, found.short_answer), context, k, bounds, mode, threshold,
                       most=2, budget=half, rerank=rerank, exclude=quoted)
    if answered.abstained:
        return None
    return merge(question, [found, answered], k)


def _answer(parts: AskParts, question: str, context: str, k: int, bounds: Bounds, mode: str, threshold: float,
            most: int = 3, budget: int | None = None, rerank: bool = True, exclude: frozenset = frozenset(),
            answerer: Answerer | None = None, on_text=None) -> Answer:
    passages = parts.retriever(mode).passages(question, max(k, ANSWER_PASSAGES), *bounds, context=context,
                                              rerank=rerank, latest=wants_latest(question))
    info, weights = question_with_context(question, context)
    evidence = with_whole_articles(parts, passages[:ANSWER_PASSAGES])
    resolved = f"{context} {question}".strip()
    answer = (answerer or parts.extractive).answer(question, evidence, AnswerContext(
        info, weights, resolved, parts.idf, parts.sentences, meaning=similarities(parts, resolved),
        spans=entities(parts, evidence), threshold=threshold, most=most, budget=budget, exclude=exclude,
        embed=parts.embed_documents, on_text=on_text))
    if check_citations(answer, parts.article_text):  # an answer whose quotes are not the articles' text is none
        answer = Answer(question, ABSTAIN_TEXT, True, [], evidence, resolved, 0.0, mode=answer.mode,
                        notes=answer.notes + ["an answer whose quotes were not the articles' text was withheld"])
    copies = duplicates.copies(parts.manifest, [c.article_id for c in answer.citations])
    citations = [replace(c, also_in=copies[c.article_id]) if copies.get(c.article_id) else c
                 for c in answer.citations]
    return replace(answer, citations=citations, passages=with_copies(parts.manifest, passages[:k]))


def with_copies(manifest: Manifest, passages: list[Passage]) -> list[Passage]:
    """The passages with the other copies of their stories (`also_in`)."""
    copies = duplicates.copies(manifest, [p.article_id for p in passages])
    return [replace(p, also_in=copies[p.article_id]) if copies.get(p.article_id) else p for p in passages]


def entities(parts: AskParts, passages: list[Passage]) -> dict[str, list] | None:
    """Entity spans of the passages' articles (None: the index has none)."""
    if parts.manifest.get_meta("ner_model") in (None, "none"):
        return None
    return parts.manifest.entities(sorted({p.article_id for p in passages}))


def similarities(parts: AskParts, question: str):
    """question -> (sentences -> cosine similarities), with the question embedded once."""
    q = np.asarray(parts.query_vector(question))

    def score(sentences: list[str]) -> list[float]:
        if not sentences:
            return []
        vectors = np.asarray(parts.embed_documents(sentences))
        return (vectors @ q / (np.linalg.norm(vectors, axis=1) * np.linalg.norm(q) + 1e-9)).tolist()

    return score


def with_whole_articles(parts: AskParts, passages: list[Passage], articles: int = ANSWER_ARTICLES) -> list[Passage]:
    """The passages plus every other chunk of the best few articles: the answer to a
    question is often a few sentences away from the passage that matched it best."""
    out = list(passages)
    seen = {p.chunk_id for p in passages}
    best: dict[str, float] = {}
    for p in passages:
        best.setdefault(p.article_id, p.score)
    extra_ids = [cid for aid in list(best)[:articles]
                 for cid in parts.manifest.article_chunk_ids(aid) if cid not in seen]
    looked_up = parts.manifest.passages(extra_ids)
    for cid in extra_ids:
        if cid in looked_up:
            row = looked_up[cid]
            out.append(passage_of(row, len(out) + 1, round(0.9 * best[row.article_id], 4), cid))
    return out
