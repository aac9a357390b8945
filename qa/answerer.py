"""Passages -> an answer: the seam between retrieval and whatever writes the answer.

An `Answerer` gets the question, the passages to answer from and an
`AnswerContext` (the question's analysis, the index view, the entity spans,
limits), and returns an `Answer` whose citations point into article texts. The
extractive reader is one implementation; the language-model mode is another.
Whatever the implementation, `check_citations` holds it to the same rule: every
citation is its article's text at its offsets.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from qa.answer import compose
from qa.question import QuestionInfo
from qa.scoring import LRU, Idf
from qa.tuning import DEFAULT, Tuning
from qa.types import Answer, Citation, Passage


@dataclass(frozen=True)
class AnswerContext:
    info: QuestionInfo  # the question's analysis (follow-up context merged in)
    weights: dict[str, float] | None  # term weights (a follow-up's context terms count less)
    resolved: str  # the question as retrieved, after follow-up resolution
    idf: Idf
    sentences: LRU  # chunk id -> its sentences
    meaning: Callable[[list[str]], list[float]] | None = None  # sentences -> similarity to the question
    spans: dict[str, list] | None = None  # article id -> entity spans (None: the index has none)
    threshold: float = DEFAULT.abstain_below
    most: int = 3  # sentences at most
    budget: int | None = None  # words at most (None: the tuning's)
    exclude: frozenset = field(default_factory=frozenset)  # (article id, start) already quoted
    embed: Callable[[list[str]], Any] | None = None  # texts -> embedding vectors (the claim check's)
    on_text: Callable[[str], None] | None = None  # a model's reply so far, while it streams


class Answerer(Protocol):
    def answer(self, question: str, passages: list[Passage], context: AnswerContext) -> Answer: ...


class ExtractiveAnswerer:
    """Verbatim sentences, chosen by features (see qa.answer); no model beyond the embedder."""

    def __init__(self, tuning: Tuning = DEFAULT):
        self.tuning = tuning

    def answer(self, question: str, passages: list[Passage], context: AnswerContext) -> Answer:
        return compose(question, context.info, passages, context.idf, context.sentences, context.weights,
                       context.threshold, resolved=context.resolved, meaning=context.meaning, most=context.most,
                       budget=context.budget, exclude=context.exclude, spans=context.spans, tuning=self.tuning)


def check_citations(answer: Answer, article_text: Callable[[str], str]) -> list[Citation]:
    """The citations that are NOT their article's text at their offsets (empty: all hold)."""
    bad = []
    for c in answer.citations:
        try:
            text = article_text(c.article_id)
        except Exception:  # noqa: BLE001 - an article removed since is a broken citation too
            bad.append(c)
            continue
        if text[c.start:c.end] != c.quote:
            bad.append(c)
    return bad
