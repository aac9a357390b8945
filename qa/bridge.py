"""Questions that describe an entity instead of naming it.

"How much did the company that bought IBM's PC unit earn?" needs two articles:
one says who bought the unit, another what that company earned. The description
("the company that bought IBM's PC unit") becomes a question of its own ("Which
company bought IBM's PC unit?"); its answer, a name, replaces the description in
the question, which is then answered as usual, and both answers are cited.

spaCy's parser finds the description (a noun with a relative or participle
clause); it is loaded only when a cheap pattern says a question may hold one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from qa.parse import parse

_MAYBE = re.compile(r"\b(?:the|a|an)\s+[\w-]+(?:\s+[\w-]+)?\s+(?:that|who|which|whose)\b"
                    r"|\bthe\s+[\w-]+\s+(?:named|chosen|appointed|elected|picked|accused|convicted|charged"
                    r"|sacked|hired|signed|voted|crowned|described|credited|blamed|tipped|nominated)\b", re.I)
# the described entity is itself what is asked: "Who was the editor who commented ...?"
_ASKS_FOR_IT = re.compile(r"^\s*(?:who|what|which)\s+(?:[\w-]+\s+)?(?:is|was|were|are|has been|had been)\s+"
                          r"(?:the|a|an)\b", re.I)


@dataclass(frozen=True)
class Description:
    text: str  # as it stands in the question: "the carmaker that bought Toyota's hybrid technology"
    question: str  # the question it becomes: "Which carmaker bought Toyota's hybrid technology?"

    def rewrite(self, question: str, name: str) -> str:
        """The question with the description replaced by the name it stands for."""
        return question.replace(self.text, name, 1)


def describe(question: str) -> Description | None:
    """The first entity the question describes rather than names, if any."""
    if not _MAYBE.search(question) or _ASKS_FOR_IT.search(question):
        return None
    doc = parse(question)
    if doc is None:  # no model installed: questions are answered without bridging
        return None
    for token in doc:
        head = token.head
        if token.dep_ not in ("relcl", "acl") or head.i >= token.i:
            continue
        det = [c for c in head.children if c.dep_ == "det" and c.lower_ in ("the", "a", "an")]
        others = [c for c in head.children if c.dep_ not in ("det", "amod", "compound") and c is not token]
        if not det or (head.pos_ != "NOUN" and (head.pos_ != "PROPN" or others)):
            continue
        clause = doc[token.left_edge.i:token.right_edge.i + 1]
        start = det[0].i
        text = doc[start:clause.end].text
        words = [t for t in clause if t.lower_ not in ("that", "who", "which") or t.i != clause.start]
        predicate = " ".join(t.text_with_ws.strip() for t in words)
        noun = doc[det[0].i + 1:head.i + 1].text
        linker = "was " if token.dep_ == "acl" and token.tag_ == "VBN" else ""
        return Description(text, f"Which {noun} {linker}{predicate}?".replace(" 's", "'s"))
    return None
