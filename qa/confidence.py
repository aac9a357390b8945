"""How sure an answer is: whether its best sentence, in its article, grounds the question.

Coverage of the question's terms and meaning, the asked kind present, the question's names
in the article, its years, and its claim: what it says of the names must stand next to
the answer (near misses), and not be negated or contradicted there (false premises).
"""

from __future__ import annotations

import re

from qa.candidates import Candidate
from qa.parse import claim_verbs
from qa.question import QuestionInfo
from qa.scoring import TYPED, Idf, coverage
from qa.terms import contrary, tokenize
from qa.tuning import DEFAULT, Tuning


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
    unknown = sum(1 for t in set(tokenize(" ".join(info.names))) if idf.df(t) == 0)
    conf *= 0.5 ** min(unknown, 2)  # names the corpus has never seen: it cannot be about them
    if info.years and not any(y in best.passage.text or (best.passage.date or "").startswith(y)
                              for y in info.years):
        conf *= 0.5  # the question's year is neither in the passage nor its date
    affirmed = _affirmed_near(info, best) if tuning.use_predicate else set()  # read once for both checks
    if tuning.use_predicate and info.predicate:
        support = predicate_support(info, best, idf, affirmed)
        conf *= tuning.predicate_floor + (1 - tuning.predicate_floor) * support
    if tuning.use_predicate and contradicted(info, best, affirmed):
        conf *= tuning.contradicted  # "why did X allow ..." where the article says X banned it
    return round(conf, 4)


_NEGATED = re.compile(r"(?:\bnot|n't|\bnever|\brefused to|\brefuses to|\bdeclined to|\bfailed to)(?:\s+\w+)?\s*$",
                      re.I)


def predicate_support(info: QuestionInfo, best: Candidate, idf: Idf, affirmed: set[str] | None = None) -> float:
    """idf-weighted share of what the question says of its names (its predicate terms) found
    next to the answer: the sentence, the two before and after it, and the headline. A near
    miss or a false premise names the right people but not what the question says they did."""
    near = _affirmed_near(info, best) if affirmed is None else affirmed
    total = sum(idf(t) for t in info.predicate) or 1.0
    return sum(idf(t) for t in info.predicate if t in near) / total


def contradicted(info: QuestionInfo, best: Candidate, affirmed: set[str] | None = None) -> bool:
    """Whether the answer's sentence says the opposite of the question's claim: its claim verb
    found only negated next to it ("will not apologise"), or absent with a contrary verb in
    the sentence itself ("why did the council allow ..." against "the council has banned ...")."""
    verbs = [stem for verb in claim_verbs(info.text) for stem in tokenize(verb)[:1]]
    if not verbs:
        return False
    affirmed = _affirmed_near(info, best) if affirmed is None else affirmed
    everything = _near(best)
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
