"""Passages -> a short answer built only from verbatim sentences, each cited.

No language model: every sentence of the answer is a quote from a retrieved
passage, chosen by how much of the question it covers (headline and previous
sentence as context), whether it holds a fresh answer of the expected type,
and how well its passage ranked. When the evidence is weak the answer
abstains and says so, with the closest passages still listed.
"""

from __future__ import annotations

import re
from itertools import zip_longest
from dataclasses import dataclass, field, replace

from qa.terms import contrary, tokenize
from qa import speech
from qa.parse import claim_verbs
from qa.question import CONDITION_RE, REASON_RE, QuestionInfo
from qa.scoring import LRU, TYPED, Idf, SentenceFit, coverage, sentence_fits, sentence_score
from qa.tuning import DEFAULT, Tuning
from qa.typed import (Span, TypedAnswer, agreement, fresh_entities, fresh_names, local_weights, proximity,
                      wanted_labels)
from qa.types import Answer, Citation, Passage

ABSTAIN_TEXT = "The indexed articles do not answer this."
MAX_ANSWER_WORDS = DEFAULT.max_answer_words
ABSTAIN_BELOW = DEFAULT.abstain_below


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


def choose(ranked: list[Candidate], query_terms: set[str], most: int = 3,
           budget: int = MAX_ANSWER_WORDS, tuning: Tuning = DEFAULT) -> list[Candidate]:
    """The best sentence, plus up to two more that add an article or missing terms (or, for
    a who-said-what question, more of the speaker's words), in budget."""
    if not ranked:
        return []
    chosen = [ranked[0]]
    words = _words(ranked[0], tuning) + 1  # each quote carries its [n] marker
    covered = set(ranked[0].fit.tokens)
    other = next((c for c in ranked[1:] if c.passage.article_id != ranked[0].passage.article_id
                  and c.score >= tuning.other_article_ratio * ranked[0].score), None)
    if other is not None and most > 1 and (other.fit.tokens - covered) & query_terms \
            and words + _words(other, tuning) + 1 <= budget:
        # a second article that says what the first does not: questions often need two
        chosen.append(other)
        words += _words(other, tuning) + 1
        covered |= other.fit.tokens
    for c in ranked[1:]:
        if len(chosen) >= most or c.score < tuning.keep_ratio * chosen[0].score:
            break
        if any(_same(c, other) for other in chosen):
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
    return len(_quote_span(c, tuning)[2].split())


def _same(a: Candidate, b: Candidate) -> bool:
    (a_start, a_end, _), (b_start, b_end, _) = _quote_span(a, DEFAULT), _quote_span(b, DEFAULT)
    overlap = a.passage.article_id == b.passage.article_id and a_start < b_end and b_start < a_end
    return overlap or a.fit.text.strip().lower() == b.fit.text.strip().lower()


def confidence(info: QuestionInfo, best: Candidate, idf: Idf, weights, tuning: Tuning = DEFAULT,
               article_text: str = "") -> float:
    """0..1: how well the best sentence, in its article's context, grounds the question.
    `article_text`: all of the best sentence's article that was read (for names it lacks)."""
    grounded = coverage(info, best.fit.tokens | _passage_tokens(best), idf, weights)
    conf = (tuning.confidence_fit * best.fit.score + tuning.confidence_grounded * grounded
            + tuning.confidence_meaning * max(0.0, best.similarity))
    conf += tuning.confidence_said * best.said  # the asked speaker's own words
    if info.type in TYPED and best.fit.fit < 1.0:
        # nothing of the asked-for kind that the question did not already say
        conf *= tuning.confidence_weak_type if best.fit.fit > 0 else tuning.confidence_untyped
    if info.names:
        context = f"{best.passage.headline} {best.passage.text}".lower()
        missing = [n for n in info.names if n.lower() not in context]
        conf *= 1.0 - 0.7 * len(missing) / len(info.names)
        whole = f"{best.passage.headline} {article_text}".lower()
        if any(n.lower() not in whole for n in missing):
            conf *= tuning.name_absent  # the article never names what the question is about
    unknown = sum(1 for t in set(tokenize(" ".join(info.names))) if idf.df.get(t, 0) == 0)
    conf *= 0.5 ** min(unknown, 2)  # names the corpus has never seen: it cannot be about them
    if info.years and not any(y in best.passage.text or (best.passage.date or "").startswith(y)
                              for y in info.years):
        conf *= 0.5  # the question's year is neither in the passage nor its date
    if tuning.use_predicate and info.predicate:
        support = predicate_support(info, best, idf)
        conf *= tuning.predicate_floor + (1 - tuning.predicate_floor) * support
    if tuning.use_predicate and contradicted(info, best):
        conf *= tuning.contradicted  # "why did X allow ..." where the article says X banned it
    return round(conf, 4)


_NEGATED = re.compile(r"(?:\bnot|n't|\bnever|\brefused to|\brefuses to|\bdeclined to|\bfailed to)(?:\s+\w+)?\s*$",
                      re.I)


def predicate_support(info: QuestionInfo, best: Candidate, idf: Idf) -> float:
    """idf-weighted share of what the question says of its names (its predicate terms) found
    next to the answer: the sentence, the two before and after it, and the headline. A near
    miss or a false premise names the right people but not what the question says they did."""
    near = _affirmed_near(info, best)
    total = sum(idf(t) for t in info.predicate) or 1.0
    return sum(idf(t) for t in info.predicate if t in near) / total


def contradicted(info: QuestionInfo, best: Candidate) -> bool:
    """Whether the answer's sentence says the opposite of the question's claim: its claim verb
    found only negated next to it ("will not apologise"), or absent with a contrary verb in
    the sentence itself ("why did the council allow ..." against "the council has banned ...")."""
    verbs = [stem for verb in claim_verbs(info.text) for stem in tokenize(verb)[:1]]
    if not verbs:
        return False
    affirmed, everything = _affirmed_near(info, best), _near(best)
    own = set(best.fit.tokens)
    for stem in verbs:
        if stem in affirmed:
            continue
        if stem in everything or contrary(stem) & own:
            return True
    return False


def _near(best: Candidate) -> set[str]:
    texts = [best.passage.headline, *best.before, best.fit.text, *[t for _, _, t in best.after]]
    return {t for text in texts for t in tokenize(text)}


def _affirmed_near(info: QuestionInfo, best: Candidate) -> set[str]:
    """Terms next to the best sentence; a term found only negated ("will not apologise") does
    not count, unless the question negates too."""
    texts = [best.passage.headline, *best.before, best.fit.text, *[t for _, _, t in best.after]]
    asked_negated = bool(re.search(r"\b(?:not|n't|never|refuse|fail)", info.text, re.I))
    near: set[str] = set()
    for text in texts:
        for m in re.finditer(r"[\w'’-]+", text):
            stem = tokenize(m.group(0))
            if stem and (asked_negated or not _NEGATED.search(text[max(0, m.start() - 25):m.start()])):
                near.add(stem[0])
    return near


def _passage_tokens(c: Candidate) -> set:
    return set(tokenize(f"{c.passage.headline}\n{c.passage.text}"))


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


def _quote_span(c: Candidate, tuning: Tuning) -> tuple[int, int, str]:
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
        rest = [c for c in rest if c.said] + [c for c in rest if not c.said]
        ordered = sorted([lead] + [c for c in rest if c.said],
                         key=lambda c: (c.passage.rank, c.start)) + [c for c in rest if not c.said]
    else:  # the sentence holding the answer first, the rest in passage order
        ordered = [lead] + sorted(rest, key=lambda c: (c.passage.rank, c.start))
    citations, parts = [], []
    for n, c in enumerate(ordered, start=1):
        p = c.passage
        start, end, text = _quote_span(c, tuning)
        citations.append(Citation(n, p.article_id, p.headline, p.date, p.path, text, start, end))
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
