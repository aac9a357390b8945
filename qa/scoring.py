"""How well text answers a question: idf-weighted coverage (the reranker and the
answerer) and the fit of one sentence (the answerer).

A sentence answers when it (with its headline and the sentence before it as
context) covers the question's weighted terms AND holds a fresh answer of the
expected type: a date for "when", an amount for "how much", a name the
question does not already contain for "who". A sentence that merely repeats
the question's words scores below one that adds the missing fact.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from dataclasses import dataclass

from qa.terms import tokenize
from index.sentences import sentence_spans
from qa.question import QuestionInfo, answer_type_match
from qa.tuning import DEFAULT, Tuning

TYPED = {"who", "when", "where", "how_much", "which", "why", "condition"}


class Idf:
    """Inverse document frequency of stemmed terms, read from the lexical index (chunks)."""

    def __init__(self, lexical=None):
        self.lexical = lexical if lexical is not None and lexical.size else None
        self.n = max(1, lexical.size) if self.lexical else 1

    def df(self, term: str) -> int:
        """Chunks holding the term (0: unknown to the corpus)."""
        return self.lexical.doc_freq(term) if self.lexical else 0

    def __call__(self, term: str) -> float:
        df = self.df(term)  # unknown to the corpus: as rare as it gets
        return math.log(1 + (self.n - df + 0.5) / (df + 0.5))


def coverage(info: QuestionInfo, tokens: set[str], idf: Idf, weights: dict[str, float] | None = None) -> float:
    """Share of the question's idf-weighted terms found in tokens."""
    total = hit = 0.0
    for term in info.terms:
        w = idf(term) * (weights.get(term, 1.0) if weights else 1.0)
        total += w
        if term in tokens:
            hit += w
    return hit / total if total else 0.0


@dataclass
class SentenceFit:
    start: int  # offsets into the text that was split
    end: int
    text: str
    tokens: set
    coverage: float  # of the question, by the sentence alone
    context_coverage: float  # by headline + previous sentence + sentence
    fit: float  # expected answer type present (1 fresh, 0.3 only repeated, 0 none)
    score: float


class LRU:
    """A bounded cache of values computed from a chunk's text, keyed by chunk id.

    Chunk texts are static until the index changes; the engine starts a new
    cache whenever it does. Safe across threads (the chat answers several at once): the
    order is changed under a lock, values are computed outside it.
    """

    def __init__(self, compute, size: int = 50_000):
        self.compute = compute
        self.size = size
        self.data: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str, text: str):
        with self._lock:
            hit = self.data.get(key)
            if hit is not None:
                self.data.move_to_end(key)
                return hit
        value = self.compute(text)
        with self._lock:
            self.data[key] = value
            while len(self.data) > self.size:
                self.data.popitem(last=False)
        return value


def split_sentences(text: str) -> list[tuple[int, int, str, frozenset]]:
    """(start, end, sentence, its tokens) for each sentence of a chunk."""
    return [(s, e, text[s:e], frozenset(tokenize(text[s:e]))) for s, e in sentence_spans(text)]


def sentence_cache(size: int = 50_000) -> LRU:
    return LRU(split_sentences, size)


def token_cache(size: int = 50_000) -> LRU:
    return LRU(lambda text: frozenset(tokenize(text)), size)


def sentence_fits(info: QuestionInfo, sentences: list[tuple[int, int, str, frozenset]], headline: str,
                  idf: Idf, weights: dict[str, float] | None = None, tuning: Tuning = DEFAULT) -> list[SentenceFit]:
    headline_tokens = frozenset(tokenize(headline))
    out = []
    before: list[frozenset] = []
    for start, end, text, tokens in sentences:
        cov = coverage(info, tokens, idf, weights)
        context = tokens | headline_tokens
        for previous in before[-tuning.context_sentences:] if tuning.context_sentences else []:
            context |= previous
        ctx = coverage(info, context, idf, weights)
        fit = answer_type_match(info.type, text, info.text) if info.type in TYPED else 0.5
        out.append(SentenceFit(start, end, text, set(tokens), cov, ctx, fit, sentence_score(ctx, fit, cov, tuning)))
        before.append(tokens)
    return out


def sentence_score(ctx: float, fit: float, cov: float, tuning: Tuning = DEFAULT) -> float:
    """Context coverage, the answer type (counted only as far as the sentence is on topic),
    and the sentence's own coverage."""
    return (tuning.sentence_context * ctx + tuning.sentence_type * fit * min(1.0, 2 * ctx)
            + tuning.sentence_own * cov)
