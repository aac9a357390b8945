"""Passages -> a short answer built only from verbatim sentences, each cited.

No language model: every sentence of the answer is a quote from a retrieved
passage. `candidates` scores the sentences, `choose` picks the best and up to two
that add to it (another article, missing terms, more of a speaker's words), and
`confidence` decides whether to answer at all. When the evidence is weak the
answer abstains and says so, with the closest passages still listed.
"""

from __future__ import annotations

import re
from dataclasses import replace
from itertools import zip_longest

from qa import speech
from qa.candidates import Candidate, candidates, quote_span
from qa.confidence import confidence
from qa.question import CONDITION_RE, REASON_RE, QuestionInfo
from qa.scoring import LRU, Idf
from qa.terms import tokenize
from qa.tuning import DEFAULT, Tuning
from qa.typed import Span
from qa.types import Answer, Citation, Passage

ABSTAIN_TEXT = "The indexed articles do not answer this."
MAX_ANSWER_WORDS = DEFAULT.max_answer_words
ABSTAIN_BELOW = DEFAULT.abstain_below


def choose(ranked: list[Candidate], query_terms: set[str], most: int = 3,
           budget: int = MAX_ANSWER_WORDS, tuning: Tuning = DEFAULT) -> list[Candidate]:
    """The best sentence, plus up to two more that add an article or missing terms (or, for
    a who-said-what question, more of the speaker's words), in budget."""
    if not ranked:
        return []
    chosen = [ranked[0]]
    words = _words(ranked[0], tuning) + 1  # each quote carries its [n] marker
    covered = set(ranked[0].fit.tokens)
    second = next((c for c in ranked[1:] if c.passage.article_id != ranked[0].passage.article_id
                   and c.score >= tuning.other_article_ratio * ranked[0].score), None)
    if second is not None and most > 1 and (second.fit.tokens - covered) & query_terms \
            and words + _words(second, tuning) + 1 <= budget:
        # a second article that says what the first does not: questions often need two
        chosen.append(second)
        words += _words(second, tuning) + 1
        covered |= second.fit.tokens
    for c in ranked[1:]:
        if len(chosen) >= most or c.score < tuning.keep_ratio * chosen[0].score:
            break
        if any(_same(c, other, tuning) for other in chosen):
            continue
        other_article = all(c.passage.article_id != o.passage.article_id for o in chosen)
        adds_terms = bool((c.fit.tokens - covered) & query_terms)
        n = _words(c, tuning) + 1
        if not (other_article or adds_terms or c.said > 0) or words + n > budget:
            continue
        chosen.append(c)
        words += n
        covered |= c.fit.tokens
    return chosen


def _words(c: Candidate, tuning: Tuning) -> int:
    """Words of the quote as it will be shown (a quotation it opens or closes included)."""
    return len(quote_span(c, tuning)[2].split())


def _same(a: Candidate, b: Candidate, tuning: Tuning) -> bool:
    (a_start, a_end, _), (b_start, b_end, _) = quote_span(a, tuning), quote_span(b, tuning)
    overlap = a.passage.article_id == b.passage.article_id and a_start < b_end and b_start < a_end
    return overlap or a.fit.text.strip().lower() == b.fit.text.strip().lower()


def short_answer(info: QuestionInfo, best: Candidate) -> str | None:
    """The phrase that answers: the typed entity, or the clause of a reason or condition."""
    if best.typed is not None:
        return best.typed.text
    pattern = {"why": REASON_RE, "condition": CONDITION_RE}.get(info.type)
    if pattern is not None:
        match = pattern.search(best.fit.text)
        if match:
            return re.split(r"\s[–—-]\s|;", best.fit.text[match.start():])[0].strip().rstrip(".").strip()
    return None


def compose(question: str, info: QuestionInfo, passages: list[Passage], idf: Idf, cache: LRU,
            weights: dict[str, float] | None = None, threshold: float | None = None,
            resolved: str = "", meaning=None, most: int = 3, budget: int | None = None,
            exclude: frozenset = frozenset(), spans: dict[str, list[Span]] | None = None,
            tuning: Tuning = DEFAULT) -> Answer:
    """`exclude`: (article id, start) of sentences already quoted (by an earlier part)."""
    threshold = tuning.abstain_below if threshold is None else threshold
    budget = tuning.max_answer_words if budget is None else budget
    asked = speech.speaker(info.text) if tuning.use_speech else None
    if asked:  # what must stand near a speaker's words is the topic, not the question's other terms
        named = set(tokenize(" ".join(info.names)))
        info = replace(info, predicate=tuple(t for t in tokenize(asked[1]) if t not in named))
    ranked = [c for c in candidates(info, passages, idf, cache, weights, meaning, spans, tuning)
              if (c.passage.article_id, c.start) not in exclude]
    chosen = choose(ranked, set(info.terms), most, budget, tuning)
    article = " ".join(p.text for p in passages if chosen and p.article_id == chosen[0].passage.article_id)
    conf = confidence(info, chosen[0], idf, weights, tuning, article) if chosen else 0.0
    resolved = resolved or question
    if not chosen or conf < threshold:
        return Answer(question, ABSTAIN_TEXT, True, [], passages, resolved, conf)
    lead, rest = chosen[0], chosen[1:]
    if lead.said:  # a speaker's words read best in the order they were said
        spoken = sorted([lead] + [c for c in rest if c.said], key=lambda c: (c.passage.rank, c.start))
        ordered = spoken + [c for c in rest if not c.said]
    else:  # the sentence holding the answer first, the rest in passage order
        ordered = [lead] + sorted(rest, key=lambda c: (c.passage.rank, c.start))
    citations, parts = [], []
    for n, c in enumerate(ordered, start=1):
        p = c.passage
        start, end, text = quote_span(c, tuning)
        citations.append(Citation(n, p.article_id, p.headline, p.date, p.path, text, start, end,
                                  p.url, p.outlet, p.author))
        parts.append(f"{text} [{n}]")
    return Answer(question, " ".join(parts), False, citations, passages, resolved, conf,
                  short_answer=short_answer(info, lead))


def merge(question: str, parts: list[Answer], k: int) -> Answer:
    """One answer from the answers to each part of a two-part question, markers renumbered."""
    answered = [a for a in parts if not a.abstained]
    passages, seen = [], set()
    for group in zip_longest(*[a.passages for a in parts]):  # interleave: each part's best first
        for p in group:
            if p is not None and p.chunk_id not in seen:
                seen.add(p.chunk_id)
                passages.append(p)
    passages = [replace(p, rank=n) for n, p in enumerate(passages[:k], start=1)]
    resolved = " | ".join(a.resolved_question for a in parts)
    if not answered:
        return Answer(question, ABSTAIN_TEXT, True, [], passages, resolved, min(a.confidence for a in parts))
    citations, texts = [], []
    for a in parts:
        if a.abstained:
            texts.append(f"(The indexed articles do not answer: {a.question})")
            continue
        text = a.answer
        for c in a.citations:
            n = len(citations) + 1
            text = text.replace(f"[{c.n}]", f"[#{n}]")
            citations.append(replace(c, n=n))
        texts.append(text.replace("[#", "["))
    return Answer(question, " ".join(texts), False, citations, passages, resolved,
                  min(a.confidence for a in answered))
