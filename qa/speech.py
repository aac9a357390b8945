"""Who said what: "What did X say about Y?" is answered with X's own words.

A sentence is X's when it names X (by surname) and carries speech (quotation
marks or a verb of saying), or carries speech and follows, within two
sentences, one that names X while naming no other speaker in between.
"""

from __future__ import annotations

import re

_SAY_VERBS = (r"say|says|said|tell|tells|told|think|thinks|thought|warn|warns|warned|argue|argues|argued"
              r"|claim|claims|claimed|mean|meant|add|adds|added|reveal|revealed|insist|insisted|predict"
              r"|predicted|suggest|suggested|admit|admitted|describe|described|believe|believed|feel|felt"
              r"|explain|explained|announce|announced|state|stated|comment|commented")
_ASKED = re.compile(
    rf"\bwhat (?:did|does|do|has|had|have|was|is|were) (?P<who>(?:the )?[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*)*)"
    rf"(?:'s)?\s+(?:(?:{_SAY_VERBS})|have to say|had to say)\b(?:\s+(?:about|on|of|regarding|over|to)\s+(?P<topic>.+?))?\s*\??$"
    r"|\bhow did (?P<who2>[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*)*) (?:describe|explain|justify|react to|respond to)\b"
    r"(?P<topic2>.*?)\??$"
    r"|\baccording to (?P<who3>[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*)*)", re.I)
_SPEECH = re.compile(rf"[\"“”]|\b(?:{_SAY_VERBS}|according to)\b", re.I)
_QUOTE = re.compile(r"[\"“”]")
_PRONOUN_SPEECH = re.compile(rf"\b(?:he|she|they)\s+(?:{_SAY_VERBS})\b|\b(?:{_SAY_VERBS})\s+(?:he|she)\b", re.I)


def speaker(question: str) -> tuple[str, str] | None:
    """(speaker's name, topic) when the question asks what someone said."""
    match = _ASKED.search(question.strip())
    if not match:
        return None
    who = match.group("who") or match.group("who2") or match.group("who3")
    topic = match.group("topic") or match.group("topic2") or ""
    who = re.sub(r"^(?:the)\s+", "", who, flags=re.I).strip()
    return (who, topic.strip()) if who else None


def surname(name: str) -> str:
    return re.sub(r"['’]s$", "", name.split()[-1])


_RELATIVE = re.compile(r",\s*(?:who|whose|which|whom)\b[^,]*,")
_VERB = re.compile(r"\b(?:say|says|said|tell|tells|told|warn|warns|warned|argue|argues|argued|claim|claims|claimed"
                   r"|add|adds|added|insist|insisted|admit|admitted|explain|explained|according to)\b", re.I)
_NAME = re.compile(r"\b[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)*(?:\s+(?:from|of|at)\s+(?:the\s+)?[A-Z][\w'’-]+"
                   r"(?:\s+[A-Z][\w'’-]+)*)?")


def speaker_in(sentence: str) -> str | None:
    """The name standing nearest a verb of saying (relative clauses set aside): who speaks here."""
    main = _RELATIVE.sub(",", sentence)
    verbs = [m.start() for m in _VERB.finditer(main)]
    names = [(m.start(), m.end(), m.group(0)) for m in _NAME.finditer(main) if m.start() > 0 or " " in m.group(0)
             or not _VERB.match(main)]
    if not verbs or not names:
        return None
    distance, name = min((min(abs(v - e), abs(v - s)), n) for s, e, n in names for v in verbs)
    return name


def attributed(sentence: str, before: list[str], name: str) -> float:
    """1.0: the speaker's own words in this sentence; 0.7: probably theirs (follows a sentence
    naming them); 0.3: names them but someone else speaks; 0: not theirs."""
    key = surname(name)
    speech = _SPEECH.search(sentence)
    if not speech:
        return 0.0
    if re.search(rf"\b{re.escape(key)}\b", sentence):
        who = speaker_in(sentence)
        return 1.0 if who is None or key in who or not _VERB.search(sentence) else 0.3
    if _QUOTE.search(sentence) or _PRONOUN_SPEECH.search(sentence):
        for previous in reversed(before[-2:]):
            if re.search(rf"\b{re.escape(key)}\b", previous):
                return 0.7
    return 0.0


def has_quote(sentence: str) -> bool:
    return bool(_QUOTE.search(sentence))


def inside_quote(text: str) -> bool:
    """Whether a quotation is open at the end of `text` (a paragraph up to some point)."""
    return text.count('"') % 2 == 1 or text.count("“") > text.count("”")
