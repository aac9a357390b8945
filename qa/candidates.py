"""Candidate sentences for an answer: each sentence of the passages, scored by how well it
(in its context) covers the question, the answer of the asked kind it holds, and what it
means next to the question; and the span a sentence is quoted with.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from qa import speech
from qa.question import QuestionInfo
from qa.scoring import LRU, Idf, SentenceFit, sentence_fits, sentence_score
from qa.tuning import DEFAULT, Tuning
from qa.typed import (Span, TypedAnswer, agreement, fresh_entities, fresh_names, local_weights, proximity,
                      wanted_labels)
from qa.types import Passage


@dataclass
class Candidate:
    passage: Passage
    fit: SentenceFit
    score: float
    similarity: float = 0.0  # dense, question vs sentence (when computed)
    before: list[str] = field(default_factory=list)  # the sentences before it in its passage
    spans: list[tuple[int, int]] = field(default_factory=list)  # all sentences of its passage
    after: list[tuple[int, int, str]] = field(default_factory=list)  # (start, end, text) after it
    answers: list[TypedAnswer] = field(default_factory=list)  # fresh entities of the asked kind
    said: float = 0.0  # the asked speaker's words (1), probably theirs (0.7), not (0)

    @property
    def start(self) -> int:
        return self.passage.start + self.fit.start

    @property
    def end(self) -> int:
        return self.passage.start + self.fit.end

    @property
    def typed(self) -> TypedAnswer | None:
        return self.answers[0] if self.answers else None


def answer_score(a: TypedAnswer, tuning: Tuning) -> float:
    return a.weight * (tuning.answer_proximity * a.proximity + tuning.answer_agreement * a.agreement
                       + tuning.answer_base)


def candidates(info: QuestionInfo, passages: list[Passage], idf: Idf, cache: LRU,
               weights: dict[str, float] | None, meaning=None, spans: dict[str, list[Span]] | None = None,
               tuning: Tuning = DEFAULT) -> list[Candidate]:
    """Sentences ranked by lexical fit and the typed answers they hold; with `meaning`
    (question -> list of sentence similarities), the best few are re-scored by what they mean too."""
    out: list[Candidate] = []
    top = max((p.score for p in passages), default=1.0) or 1.0
    for p in passages:
        sentences = cache.get(p.chunk_id, p.text)
        fits = sentence_fits(info, sentences, p.headline, idf, weights, tuning)
        bounds = [(f.start, f.end) for f in fits]
        window = max(2, tuning.context_sentences)
        for i, fit in enumerate(fits):
            if len(fit.text.split()) >= 3:
                out.append(Candidate(p, fit, 0.0, before=[f.text for f in fits[max(0, i - window):i]],
                                     spans=bounds, after=[(f.start, f.end, f.text) for f in fits[i + 1:i + 3]]))
    labels = wanted_labels(info.type, info.text) if tuning.use_entities and spans is not None else {}
    if labels:
        _type_by_entities(info, out, spans, labels, idf, tuning)
    who = speech.speaker(info.text) if tuning.use_speech else None
    for c in out:
        c.score = tuning.candidate_sentence * c.fit.score + tuning.candidate_passage * (c.passage.score / top)
        if c.typed is not None:
            c.score += tuning.candidate_answer * answer_score(c.typed, tuning)
        if who:
            c.said = speech.attributed(c.fit.text, c.before, who[0])
            c.score = c.score * (0.4 + 0.6 * c.said) + 0.1 * c.said * speech.has_quote(c.fit.text)
    out.sort(key=lambda c: -c.score)
    if meaning is not None and out:
        head = out[:tuning.meaning_candidates]
        for c, sim in zip(head, meaning([c.fit.text for c in head])):
            c.similarity = sim
        if tuning.meaning_inherit:
            _inherit_meaning(head, tuning)
        for c in head:
            c.score = (1 - tuning.meaning_weight) * c.score + tuning.meaning_weight * max(0.0, c.similarity)
        out = sorted(head, key=lambda c: -c.score) + out[tuning.meaning_candidates:]
    return out


def _inherit_meaning(head: list[Candidate], tuning: Tuning) -> None:
    """A sentence holding an answer of the asked kind takes on part of the meaning of the
    sentences just before it: the question is often paraphrased one or two sentences before
    the one that answers it ("The board met to choose a new director. ... Maria Lindqvist ...")."""
    for c in head:
        if c.typed is None:
            continue
        before = [o.similarity for o in head if o.passage.chunk_id == c.passage.chunk_id
                  and o.start < c.start and (o.fit.start, o.fit.end) in c.spans
                  and c.spans.index((o.fit.start, o.fit.end)) >= c.spans.index((c.fit.start, c.fit.end))
                  - tuning.context_sentences]
        if before:
            c.similarity = max(c.similarity, tuning.meaning_inherit * max(before))


def _type_by_entities(info: QuestionInfo, out: list[Candidate], spans: dict[str, list[Span]],
                      labels: dict[str, float], idf: Idf, tuning: Tuning) -> None:
    """Each sentence's fresh entities of the asked kind, scored; its type fit follows them."""
    terms = set(info.predicate or info.terms)  # what is said of the names sits next to the answer
    term_weights = local_weights(terms, [c.fit.tokens for c in out], idf)
    found: list[tuple[str, TypedAnswer]] = []
    for c in out:
        c.answers = fresh_entities(spans.get(c.passage.article_id, []), c.fit.text, c.start, info.text, labels)
        if not c.answers and info.type in ("who", "which"):
            c.answers = fresh_names(c.fit.text, c.start, info.text, tuning.name_fallback)
        window = " ".join(c.before + [c.fit.text])
        window_start = c.end - len(window)
        for a in c.answers:
            a.proximity = proximity(a, window, window_start, term_weights)
        found += [(c.passage.article_id, a) for a in c.answers]
        entity_fit = max((a.weight for a in c.answers), default=0.0)
        fit = max(entity_fit, tuning.regex_type_share * c.fit.fit)
        c.fit = replace(c.fit, fit=fit, score=sentence_score(c.fit.context_coverage, fit, c.fit.coverage, tuning))
    agreement(found)
    for c in out:
        c.answers.sort(key=lambda a: -answer_score(a, tuning))


def quote_span(c: Candidate, tuning: Tuning) -> tuple[int, int, str]:
    """(start, end, text) of the sentence, widened to whole sentences so that a quotation it
    opens or closes is whole (quotes do not cross paragraphs; at most three sentences more)."""
    start, end = c.fit.start, c.fit.end  # offsets into the passage
    if tuning.use_quote_whole:
        text = c.passage.text
        para_start = text.rfind("\n", 0, start) + 1
        para_end = text.find("\n", end) if text.find("\n", end) >= 0 else len(text)
        spans = [(s, e) for s, e in c.spans if para_start <= s and e <= para_end]
        earlier = [s for s, _ in spans if s < start][::-1][:3]
        later = [e for s, e in spans if s >= end][:3]
        for s in earlier:  # the sentence starts inside a quotation: go back to where it opened
            if not speech.inside_quote(text[para_start:start]):
                break
            start = s
        for e in later:  # a quotation is still open after it: go on to where it closes
            if not speech.inside_quote(text[para_start:end]):
                break
            end = e
    return c.passage.start + start, c.passage.start + end, c.passage.text[start:end]
