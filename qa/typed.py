"""Candidate answers of the asked type: named entities (found at index time) that a
sentence adds to what the question already says.

who -> PERSON/ORG, where -> GPE/LOC/FAC, when -> DATE/TIME, how much/many ->
MONEY/PERCENT/QUANTITY/CARDINAL, which -> works, products, events, organisations.
Each candidate is scored by how close it stands to the question's terms (in its
sentence, or the one or two before it) and by how many sentences of the retrieved
passages agree on it.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from qa.terms import tokenize

Span = tuple[int, int, str]

_ORG_ASKED = re.compile(r"\b(?:company|firm|group|team|club|party|side|bank|body|organi[sz]ation|union|agency"
                        r"|network|broadcaster|airline|retailer|maker|regulator|studio|country|nation|band)\b", re.I)
_MONEY_ASKED = re.compile(r"\b(?:cost|pay|paid|worth|earn|raise|spend|spent|price|fine|salary|money|fee|revenue"
                          r"|profit|loss|budget|sales|deal|bid|offer|debt|value|valued)\b", re.I)
_PERCENT_ASKED = re.compile(r"\b(?:percent(?:age)?|per cent|proportion|share|rate|by how much)\b", re.I)


def wanted_labels(kind: str, question: str) -> dict[str, float]:
    """Entity label -> how well it answers a question of this kind (0: not at all)."""
    if kind == "who":
        org = bool(_ORG_ASKED.search(question))
        # the small model often labels a person ORG ("Paddy Considine"): both count
        return {"PERSON": 0.8 if org else 1.0, "ORG": 1.0 if org else 0.9, "NORP": 0.4, "GPE": 0.5 if org else 0.0}
    if kind == "where":
        return {"GPE": 1.0, "LOC": 1.0, "FAC": 1.0, "ORG": 0.3}
    if kind == "when":
        return {"DATE": 1.0, "TIME": 0.8}
    if kind == "how_much":
        if _PERCENT_ASKED.search(question):
            return {"PERCENT": 1.0, "MONEY": 0.6, "CARDINAL": 0.5, "QUANTITY": 0.5}
        if _MONEY_ASKED.search(question):
            return {"MONEY": 1.0, "PERCENT": 0.5, "CARDINAL": 0.4, "QUANTITY": 0.4}
        return {"CARDINAL": 1.0, "QUANTITY": 1.0, "MONEY": 0.8, "PERCENT": 0.8, "DATE": 0.3}
    if kind == "which":
        return {"WORK_OF_ART": 1.0, "PRODUCT": 1.0, "EVENT": 1.0, "LAW": 1.0, "ORG": 0.7, "PERSON": 0.5}
    return {}


@dataclass
class TypedAnswer:
    text: str  # the entity as the article writes it
    label: str
    start: int  # offsets into the article
    end: int
    weight: float  # how well its label fits the question
    proximity: float = 0.0  # 0..1: the question's terms near it
    agreement: float = 0.0  # 0..1: other sentences naming it too

    @property
    def key(self) -> str:
        return normalise(self.text)


def normalise(text: str) -> str:
    text = re.sub(r"['’]s$", "", text.strip().lower())
    return re.sub(r"^(?:the|a|an)\s+", "", text)


def _words(text: str) -> set[str]:
    return {w.lower().removesuffix("'s").removesuffix("’s") for w in re.findall(r"[\w'’.-]+", text)}


def fresh_entities(spans: list[Span], text: str, offset: int, question: str,
                   labels: dict[str, float]) -> list[TypedAnswer]:
    """Entities of a wanted label inside `text` (which starts at `offset` in the article)
    with a word the question does not contain."""
    asked = _words(question)
    out = []
    for start, end, label in spans:
        weight = labels.get(label, 0.0)
        if not weight or start < offset or end > offset + len(text):
            continue
        surface = text[start - offset:end - offset]
        words = [w for w in _words(surface) if len(w) > 1 or w.isdigit()]
        if words and all(w in asked for w in words):
            continue  # the question says it already
        out.append(TypedAnswer(surface, label, start, end, weight))
    return out


def proximity(answer: TypedAnswer, window: str, window_start: int, weights: dict[str, float]) -> float:
    """Weighted share of the question's terms in `window`, each discounted by its distance
    in characters from the answer (full weight within 60 characters). A term matches a word
    whose stem it starts ("chair" ~ "chairman")."""
    total = sum(weights.values()) or 1.0
    best: dict[str, float] = {}
    for m in re.finditer(r"[\w'’-]+", window):
        stem = tokenize(m.group(0))
        term = _matching(stem[0], weights) if stem else None
        if term is None:
            continue
        position = window_start + m.start()
        distance = max(0, answer.start - position, position - answer.end)
        near = 1.0 if distance <= 60 else 60.0 / distance
        best[term] = max(best.get(term, 0.0), near)
    return sum(weights[t] * w for t, w in best.items()) / total


def _matching(stem: str, weights: dict[str, float]) -> str | None:
    if stem in weights:
        return stem
    for term in weights:
        if len(term) >= 4 and len(stem) >= 4 and (stem.startswith(term) or term.startswith(stem)):
            return term
    return None


def local_weights(terms: set[str], sentences: list[set[str]], idf) -> dict[str, float]:
    """Each term's weight among these sentences: its corpus idf times how rare it is here.
    A term in every sentence of the article (its subject) says nothing about which
    sentence holds the answer; the one that appears once (the role asked about) does."""
    n = len(sentences) or 1
    out = {}
    for term in terms:
        inside = sum(1 for tokens in sentences if term in tokens)
        out[term] = idf(term) * math.log(1 + n / (1 + inside))
    return out


def agreement(answers: list[tuple[str, TypedAnswer]]) -> None:
    """Set each answer's agreement from (article id, answer) pairs: how many other articles
    give the same answer (0, 0.5, 1). Within one article its subject is named over and over;
    that is no evidence."""
    articles: dict[str, set[str]] = {}
    for article_id, a in answers:
        articles.setdefault(a.key, set()).add(article_id)
    for _, a in answers:
        a.agreement = min(1.0, (len(articles[a.key]) - 1) / 2)


_NAME = re.compile(r"\b[A-Z][\w'’&.-]*[A-Za-z0-9](?:\s+(?:of|de|van|von|&)?\s*[A-Z][\w'’&.-]*[A-Za-z0-9])*")
_NOT_NAMES = {"the", "a", "an", "but", "and", "in", "on", "at", "it", "he", "she", "they", "this", "that", "mr", "mrs",
              "ms", "dr", "its", "his", "her", "their", "after", "before", "when", "while", "as", "for", "if",
              *"monday tuesday wednesday thursday friday saturday sunday january february march april may june "
               "july august september october november december".split()}


def fresh_names(text: str, offset: int, question: str, weight: float) -> list[TypedAnswer]:
    """Capitalised names in `text` that the question lacks, where the entity model found
    nothing of the asked kind (it misses names it has not seen, such as "Acme Robotics").
    A sentence's first word is a name only if the next is capitalised too."""
    asked = _words(question)
    out = []
    for m in _NAME.finditer(text):
        words = m.group(0).split()
        start = m.start()
        while words and words[0].lower() in _NOT_NAMES:
            start += len(words[0]) + 1
            words = words[1:]
        if not words or (m.start() == 0 and len(words) < 2) or any(w.lower() in _NOT_NAMES for w in words):
            continue
        surface = " ".join(words)
        if all(w.lower().rstrip("'’s") in asked or w.lower() in asked for w in words):
            continue
        out.append(TypedAnswer(surface, "NAME", offset + start, offset + start + len(surface), weight))
    return out
