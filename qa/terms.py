"""The reader's terms: the lexical index's stems, with irregular verb forms joined to their base.

"Who was chosen ..." must meet "... met to choose ...", and "Who won" meet "the win";
the Snowball stemmer leaves `chosen`, `won`, `bought`, `sold` apart from their base
forms. The lexical index keeps its own tokens; this only changes how the reader
matches a question with sentences.
"""

from __future__ import annotations

from functools import lru_cache

from index.lexical import tokenize as stems

_FORMS = """choose chose chosen|win won|buy bought|sell sold|pay paid|tell told|say said|make made|take took taken
give gave given|go went gone|meet met|lead led|hold held|rise rose risen|fall fell fallen|grow grew grown
run ran|spend spent|lose lost|find found|bring brought|think thought|begin began begun|write wrote written
draw drew drawn|strike struck|seek sought|catch caught|keep kept|send sent|build built|stand stood
fight fought|break broke broken|speak spoke spoken|leave left|get got gotten|come came|become became
know knew known|see saw seen|sing sang sung|drive drove driven|fly flew flown|steal stole stolen
freeze froze frozen|swear swore sworn|tear tore torn|wear wore worn|bear bore borne|forbid forbade forbidden
forgive forgave forgiven|hide hid hidden|shake shook shaken|throw threw thrown|teach taught|feel felt
sleep slept|buy bought|lend lent|bend bent|shoot shot|slide slid|stick stuck|swing swung|wake woke woken
withdraw withdrew withdrawn|undertake undertook undertaken|overtake overtook overtaken|oversee oversaw overseen
"""


@lru_cache(maxsize=1)
def _irregular() -> dict[str, str]:
    out = {}
    for group in _FORMS.replace("\n", "|").split("|"):
        words = group.split()
        if len(words) < 2:
            continue
        base = stems(words[0])
        if not base:
            continue
        for form in words[1:]:
            stem = stems(form)
            if stem and stem[0] != base[0]:
                out[stem[0]] = base[0]
    return out


def tokenize(text: str) -> list[str]:
    """Stems as the lexical index makes them, irregular verb forms mapped to their base's."""
    irregular = _irregular()
    return [irregular.get(t, t) for t in stems(text)]


# claims and their contraries, as news words them: "allow" is contradicted by "ban"
_CONTRARIES = """allow permit approve accept let|ban block forbid prohibit refuse reject veto bar stop
win beat|lose
rise increase grow gain climb jump raise boost expand|fall drop decline shrink slump cut lower reduce slash
resign quit leave|stay remain
open launch start|close shut end scrap
buy acquire|sell
hire appoint recruit|fire sack dismiss
support back endorse|oppose criticise condemn
confirm admit|deny
agree|disagree
pass|fail
"""


@lru_cache(maxsize=1)
def _contraries() -> dict[str, frozenset[str]]:
    out: dict[str, set[str]] = {}
    for line in _CONTRARIES.strip().splitlines():
        sides = [{s for w in side.split() for s in tokenize(w)[:1]} for side in line.split("|")]
        if len(sides) != 2:
            continue
        for a, b in ((sides[0], sides[1]), (sides[1], sides[0])):
            for stem in a:
                out.setdefault(stem, set()).update(b)
    return {k: frozenset(v) for k, v in out.items()}


def contrary(stem: str) -> frozenset[str]:
    """Stems that say the opposite of this one ('allow' -> 'ban', 'block', ...)."""
    return _contraries().get(stem, frozenset())
