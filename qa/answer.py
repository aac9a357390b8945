"""Passages -> a short answer built only from verbatim sentences, each cited.

No language model: every sentence of the answer is a quote from a retrieved
passage, chosen by how much of the question it covers (idf-weighted terms,
its headline as context), whether it holds an answer of the expected type,
and how well its passage ranked. When the best evidence is weak the answer
abstains and says so, with the closest passages still listed.
"""

from __future__ import annotations

from dataclasses import dataclass

from index.lexical import tokenize
from index.sentences import sentence_spans
from qa.question import QuestionInfo, answer_type_match
from qa.retrieval import Idf, coverage
from qa.types import Answer, Citation, Passage

ABSTAIN_TEXT = "The indexed articles do not answer this. The closest passages are listed below."
MAX_ANSWER_WORDS = 60
# Calibrated with `qa eval bench/devset.jsonl --sweep` (see BENCHMARKS.md): the lowest
# confidence that keeps false abstentions on answerable questions at or under 5%.
ABSTAIN_BELOW = 0.42


@dataclass
class Sentence:
    passage: Passage
    start: int  # offsets into the article text
    end: int
    text: str
    tokens: set
    score: float = 0.0
    coverage: float = 0.0


def candidate_sentences(passages: list[Passage]) -> list[Sentence]:
    out = []
    for p in passages:
        for s, e in sentence_spans(p.text):
            text = p.text[s:e]
            if len(text.split()) < 3:
                continue
            out.append(Sentence(p, p.start + s, p.start + e, text, set(tokenize(text))))
    return out


def score_sentences(info: QuestionInfo, sentences: list[Sentence], idf: Idf,
                    weights: dict[str, float] | None) -> None:
    if not sentences:
        return
    top = max(s.passage.score for s in sentences) or 1.0
    names = [n.lower() for n in info.names]
    for s in sentences:
        headline_tokens = set(tokenize(s.passage.headline))
        s.coverage = coverage(info, s.tokens, idf, weights)
        in_context = coverage(info, s.tokens | headline_tokens, idf, weights)
        fit = answer_type_match(info.type, s.text, info.text) if s.coverage > 0 else 0.0
        lowered = f"{s.passage.headline} {s.text}".lower()
        named = sum(n in lowered for n in names) / len(names) if names else 0.5
        lead = 1.0 if s.start == 0 else 0.0
        s.score = (0.35 * s.coverage + 0.15 * in_context + 0.2 * fit + 0.2 * (s.passage.score / top)
                   + 0.05 * lead + 0.05 * named)


def choose(sentences: list[Sentence], query_terms: set[str]) -> list[Sentence]:
    """The best sentence, plus one or two more that add something, within the word budget."""
    ranked = sorted(sentences, key=lambda s: -s.score)
    if not ranked:
        return []
    chosen = [ranked[0]]
    words = len(ranked[0].text.split())
    covered = set(ranked[0].tokens)
    for s in ranked[1:]:
        if len(chosen) == 3 or s.score < 0.75 * chosen[0].score:
            break
        if any(_overlaps(s, c) or _same_text(s, c) for c in chosen):
            continue
        other_article = all(s.passage.article_id != c.passage.article_id for c in chosen)
        adds = bool((s.tokens - covered) & query_terms)
        if not (other_article or adds):
            continue
        n = len(s.text.split())
        if words + n > MAX_ANSWER_WORDS:
            continue
        chosen.append(s)
        words += n
        covered |= s.tokens
    return chosen


def _overlaps(a: Sentence, b: Sentence) -> bool:
    return a.passage.article_id == b.passage.article_id and a.start < b.end and b.start < a.end


def _same_text(a: Sentence, b: Sentence) -> bool:
    return a.text.strip().lower() == b.text.strip().lower()


def confidence(info: QuestionInfo, best: Sentence | None, passages: list[Passage]) -> float:
    """How sure the evidence is, 0..1: the best sentence's score, damped when a name is missing."""
    if best is None:
        return 0.0
    conf = best.score
    if info.names:
        context = " ".join(f"{p.headline} {p.text}" for p in passages[:3]).lower()
        missing = [n for n in info.names if n.lower() not in context]
        conf *= 1.0 - 0.6 * len(missing) / len(info.names)
    return round(conf, 4)


def compose(question: str, info: QuestionInfo, passages: list[Passage], idf: Idf,
            weights: dict[str, float] | None = None, threshold: float = ABSTAIN_BELOW,
            resolved: str = "") -> Answer:
    sentences = candidate_sentences(passages)
    score_sentences(info, sentences, idf, weights)
    chosen = choose(sentences, set(info.terms))
    conf = confidence(info, chosen[0] if chosen else None, passages)
    if not chosen or conf < threshold:
        return Answer(question, ABSTAIN_TEXT, True, [], passages, resolved or question, conf)
    chosen.sort(key=lambda s: (s.passage.rank, s.start))  # read in passage order
    citations, parts = [], []
    for n, s in enumerate(chosen, start=1):
        p = s.passage
        citations.append(Citation(n, p.article_id, p.headline, p.date, p.path, s.text, s.start, s.end))
        parts.append(f"{s.text.strip()} [{n}]")
    return Answer(question, " ".join(parts), False, citations, passages, resolved or question, conf)
