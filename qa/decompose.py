"""Split a question that asks two things into the two questions it asks.

"How much did General Motors and Ford each earn in 2004?" asks about each
company; "What did the Halifax report, and what figure did the Nationwide
give?" asks two questions. Each part is retrieved and answered on its own so
both sources get cited. Anything else stays one question.
"""

from __future__ import annotations

import re

from qa.question import names_in

_WH = r"(?:what|which|who|whom|whose|when|where|why|how|to what|by how|in which|at which|on what|in what)"
_CLAUSES = re.compile(rf"^(?P<first>.+?)[,;]\s*(?:and|while|but)\s+(?P<second>{_WH}\b.+)$", re.I)
_EACH = re.compile(r"\b(?:each|both|respectively|separately)\b", re.I)


def split_question(question: str) -> list[str]:
    """One or two questions; the second inherits the first's subject when it leaves it out."""
    match = _CLAUSES.match(question.strip())
    if match:
        first, second = match.group("first").strip(), match.group("second").strip()
        if not first.endswith("?"):
            first += "?"
        if len(second.split()) >= 3:
            return [first, second]
    names = [part for name in names_in(question) for part in _two_names(name)]
    if _EACH.search(question) and len(names) >= 2:
        pair = _joined_pair(question, names)
        if pair:
            a, b = pair
            joined = re.compile(rf"{re.escape(a)}\s+and\s+{re.escape(b)}")
            base = _EACH.sub("", question)
            return [" ".join(joined.sub(a, base).split()), " ".join(joined.sub(b, base).split())]
    return [question]


def _two_names(name: str) -> list[str]:
    """'Marks & Spencer and Tesco' -> ['Marks & Spencer', 'Tesco']: '&' belongs to a name,
    the last 'and' joins two ('Standard and Poor's and Moody's' keeps the first whole)."""
    head, sep, tail = name.rpartition(" and ")
    return [head, tail] if sep and head and tail else [name]


def _joined_pair(question: str, names: list[str]) -> tuple[str, str] | None:
    for a, b in zip(names, names[1:]):
        if re.search(rf"{re.escape(a)}\s+and\s+{re.escape(b)}", question):
            return a, b
    return None
