"""Passages -> a short answer built only from verbatim sentences, each cited.

No language model: every sentence of the answer is a quote from a retrieved
passage, chosen by how much of the question it covers (headline and previous
sentence as context), whether it holds a fresh answer of the expected type,
and how well its passage ranked. When the evidence is weak the answer
abstains and says so, with the closest passages still listed.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from index.lexical import tokenize
from qa.question import QuestionInfo
from qa.scoring import LRU, TYPED, Idf, SentenceFit, coverage, sentence_fits
from qa.types import Answer, Citation, Passage

ABSTAIN_TEXT = "The indexed articles do not answer this."
MAX_ANSWER_WORDS = 60
# Calibrated with `qa eval bench/devset.jsonl --sweep` (see BENCHMARKS.md): about the
# highest confidence cut that keeps false abstentions on answerable questions near 5%.
ABSTAIN_BELOW = 0.19
MEANING_CANDIDATES = 12  # sentences embedded per question (about 7 ms each on 2 cores)


@dataclass
class Candidate:
    passage: Passage
    fit: SentenceFit
    score: float
    similarity: float = 0.0  # dense, question vs sentence (when computed)

    @property
    def start(self) -> int:
        return self.passage.start + self.fit.start

    @property
    def end(self) -> int:
        return self.passage.start + self.fit.end


def candidates(info: QuestionInfo, passages: list[Passage], idf: Idf, cache: LRU,
               weights: dict[str, float] | None, meaning=None) -> list[Candidate]:
    """Sentences ranked by lexical fit; with `meaning` (question -> list of sentence
    similarities), the best few are re-scored by what they mean too."""
    out = []
    top = max((p.score for p in passages), default=1.0) or 1.0
    for p in passages:
        for fit in sentence_fits(info, cache.get(p.chunk_id, p.text), p.headline, idf, weights):
            if len(fit.text.split()) >= 3:
                out.append(Candidate(p, fit, 0.8 * fit.score + 0.2 * (p.score / top)))
    out.sort(key=lambda c: -c.score)
    if meaning is not None and out:
        head = out[:MEANING_CANDIDATES]
        for c, sim in zip(head, meaning([c.fit.text for c in head])):
            c.similarity = sim
            c.score = 0.7 * c.score + 0.3 * max(0.0, sim)
        out = sorted(head, key=lambda c: -c.score) + out[MEANING_CANDIDATES:]
    return out


def choose(ranked: list[Candidate], query_terms: set[str], most: int = 3,
           budget: int = MAX_ANSWER_WORDS) -> list[Candidate]:
    """The best sentence, plus up to two more that add an article or missing terms, in budget."""
    if not ranked:
        return []
    chosen = [ranked[0]]
    words = len(ranked[0].fit.text.split()) + 1  # each sentence carries its [n] marker
    covered = set(ranked[0].fit.tokens)
    for c in ranked[1:]:
        if len(chosen) >= most or c.score < 0.75 * chosen[0].score:
            break
        if any(_same(c, other) for other in chosen):
            continue
        other_article = all(c.passage.article_id != o.passage.article_id for o in chosen)
        adds_terms = bool((c.fit.tokens - covered) & query_terms)
        n = len(c.fit.text.split()) + 1
        if not (other_article or adds_terms) or words + n > budget:
            continue
        chosen.append(c)
        words += n
        covered |= c.fit.tokens
    return chosen


def _same(a: Candidate, b: Candidate) -> bool:
    overlap = a.passage.article_id == b.passage.article_id and a.start < b.end and b.start < a.end
    return overlap or a.fit.text.strip().lower() == b.fit.text.strip().lower()


def confidence(info: QuestionInfo, best: Candidate, idf: Idf, weights) -> float:
    """0..1: how well the best sentence, in its article's context, grounds the question."""
    grounded = coverage(info, best.fit.tokens | _passage_tokens(best), idf, weights)
    conf = 0.4 * best.fit.score + 0.4 * grounded + 0.2 * max(0.0, best.similarity)
    if info.type in TYPED and best.fit.fit < 1.0:
        # nothing of the asked-for kind that the question did not already say
        conf *= 0.75 if best.fit.fit > 0 else 0.5
    if info.names:
        context = f"{best.passage.headline} {best.passage.text}".lower()
        missing = sum(n.lower() not in context for n in info.names)
        conf *= 1.0 - 0.7 * missing / len(info.names)
    unknown = sum(1 for t in set(tokenize(" ".join(info.names))) if idf.df.get(t, 0) == 0)
    conf *= 0.5 ** min(unknown, 2)  # names the corpus has never seen: it cannot be about them
    if info.years and not any(y in best.passage.text or (best.passage.date or "").startswith(y)
                              for y in info.years):
        conf *= 0.5  # the question's year is neither in the passage nor its date
    return round(conf, 4)


def _passage_tokens(c: Candidate) -> set:
    return set(tokenize(f"{c.passage.headline}\n{c.passage.text}"))


def compose(question: str, info: QuestionInfo, passages: list[Passage], idf: Idf, cache: LRU,
            weights: dict[str, float] | None = None, threshold: float = ABSTAIN_BELOW,
            resolved: str = "", meaning=None, most: int = 3, budget: int = MAX_ANSWER_WORDS,
            exclude: frozenset = frozenset()) -> Answer:
    """`exclude`: (article id, start) of sentences already quoted (by an earlier part)."""
    ranked = [c for c in candidates(info, passages, idf, cache, weights, meaning)
              if (c.passage.article_id, c.start) not in exclude]
    chosen = choose(ranked, set(info.terms), most, budget)
    conf = confidence(info, chosen[0], idf, weights) if chosen else 0.0
    resolved = resolved or question
    if not chosen or conf < threshold:
        return Answer(question, ABSTAIN_TEXT, True, [], passages, resolved, conf)
    chosen.sort(key=lambda c: (c.passage.rank, c.start))  # read in passage order
    citations, parts = [], []
    for n, c in enumerate(chosen, start=1):
        p = c.passage
        citations.append(Citation(n, p.article_id, p.headline, p.date, p.path, c.fit.text, c.start, c.end))
        parts.append(f"{c.fit.text} [{n}]")
    return Answer(question, " ".join(parts), False, citations, passages, resolved, conf)


def merge(question: str, parts: list[Answer], k: int) -> Answer:
    """One answer from the answers to each part of a two-part question, markers renumbered."""
    answered = [a for a in parts if not a.abstained]
    passages, seen = [], set()
    for group in zip(*[a.passages for a in parts]):  # interleave: each part's best first
        for p in group:
            if p.chunk_id not in seen:
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
