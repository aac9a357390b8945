"""What a question asks for: its expected answer type, its terms, its years.

when -> a date, how much/many -> an amount, who -> a person or organisation,
where -> a place, why -> a reason. `answer_type_match` tells whether a sentence
holds something of the expected type that the question itself does not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from qa.terms import tokenize

MONTHS = ("january february march april may june july august september october november december "
          "jan feb mar apr jun jul aug sep sept oct nov dec").split()
WEEKDAYS = "monday tuesday wednesday thursday friday saturday sunday".split()
_MONTH_RE = "|".join(m.capitalize() for m in MONTHS)
DATE_RE = re.compile(
    rf"\b(?:{_MONTH_RE})\b\.?|\b(?:{'|'.join(d.capitalize() for d in WEEKDAYS)})\b|\b(?:1[89]|20)\d\d\b"
    r"|\b\d{1,2}/\d{1,2}/\d{2,4}\b|\b(?:yesterday|today|tomorrow|last (?:week|month|year)|next (?:week|month|year)"
    r"|earlier this (?:week|month|year)|later this (?:week|month|year)|this (?:week|month|year))\b"
    r"|\b(?:spring|summer|autumn|winter|christmas|easter)\b",
    re.IGNORECASE,
)
NUMBER_WORDS = ("one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
                "sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety "
                "hundred thousand million billion trillion dozen dozens half quarter third").split()
AMOUNT_RE = re.compile(
    r"[$£€¥]\s?\d|\d+(?:[.,]\d+)*\s?(?:%|bn|m\b|k\b|per ?cent|percent|million|billion|trillion)"
    r"|\b\d+(?:[.,]\d+)*\b|\b(?:" + "|".join(NUMBER_WORDS) + r")\b",
    re.IGNORECASE,
)
_CAP = r"(?:[A-Z][\w'’.-]*[A-Za-z]|[A-Z]{2,})"
NAME_RE = re.compile(rf"\b{_CAP}(?:\s+(?:of|de|van|von|the|and|&)?\s*{_CAP})*")
_TITLED = re.compile(r"\b(?:Mr|Mrs|Ms|Dr|Sir|Lord|Lady|Judge|President|Professor|Prof|General|Captain)\.? [A-Z]")
PLACE_RE = re.compile(rf"\b(?:in|at|from|to|near|across|outside|inside)\s+(?:the\s+)?{_CAP}")
REASON_RE = re.compile(
    r"\b(?:because|due to|owing to|as a result|after|following|blamed|led to|caused|so that|in order to"
    r"|since|amid|thanks to|reason|reasons|result of|fears?|concerns?|pressure)\b",
    re.IGNORECASE,
)

CONDITION_RE = re.compile(
    r"\b(?:until|unless|only if|only when|if|provided(?: that)?|as long as|so long as|on condition|once"
    r"|in return for|in exchange for|subject to|depend(?:s|ing)? on|as soon as)\b", re.IGNORECASE)

_TYPE_RULES: list[tuple[str, re.Pattern]] = [
    ("condition", re.compile(
        r"\b(?:under|on) what (?:conditions?|terms|circumstances)\b|\bin what circumstances\b"
        r"|\bwhat (?:must|would have to|has to|needs to|would need to) (?:happen|change|be done)\b"
        r"|\bwhat would it take\b|\bwhat (?:condition|conditions|precondition)s?\b", re.I)),
    ("how_much", re.compile(
        r"\bhow (?:much|many|big|large|high|low|far|long|old|often|fast|tall|heavy|expensive)\b"
        r"|\bwhat (?:percentage|proportion|share|amount|price|figure|number|sum|fee|salary|cost|value|rate"
        r"|total|score|margin|age)\b|\bby how\b", re.I)),
    ("when", re.compile(
        r"^\s*when\b|\bwhen (?:did|does|do|was|were|is|will|would|has|had)\b"
        r"|\bwhat (?:year|date|day|month|time|season|week)\b|\bwhich (?:year|date|day|month|season)\b"
        r"|\bsince when\b|\bhow soon\b", re.I)),
    ("where", re.compile(
        r"^\s*where\b|\bwhere (?:did|does|do|was|were|is|will|would|has|had)\b"
        r"|\b(?:which|what)\s+(?:[\w'-]+\s+)?(?:country|city|town|venue|stadium|region|state|place|nation|county"
        r"|capital|ground|court|location|part|area|province|island|constituency|station|airport|port|street)\b",
        re.I)),
    ("who", re.compile(
        r"^\s*(?:who|whom|whose)\b|\b(?:who|whose) (?:did|does|was|were|is|will|has|had)\b|\bwhom\b"
        r"|\b(?:which|what)\s+(?:[\w'-]+\s+){0,2}(?:company|firm|person|player|team|club|minister|party|group"
        r"|bank|band|actor|actress|singer|star|man|woman|organisation|organization|body|manager|coach|judge"
        r"|official|executive|boss|director|airline|carrier|network|broadcaster|newspaper|magazine|studio"
        r"|chairman|chair|president|leader|author|writer|presenter|host|rival|partner|buyer|bidder|owner"
        r"|investor|agency|regulator|union|watchdog|retailer|supermarket|maker|manufacturer|side|squad"
        r"|striker|goalkeeper|captain|champion|winner|opponent|politician|mp|candidate|spokesman|analyst"
        r"|economist|researcher|expert|scientist|lawyer|campaigner|charity|country|employee|worker|chief|head"
        r"|founder|member|rider|driver|athlete|runner|boxer|golfer|jockey|cyclist|swimmer|officer|businessman"
        r"|entrepreneur|artist|musician|rapper|comedian|director|producer|film-maker|filmmaker|designer"
        r"|architect|sculptor|painter|poet|novelist|composer|celebrity|sportsman|sportswoman|athlete|umpire"
        r"|referee|editor|journalist|reporter|chancellor|secretary|mayor|governor|senator|prime minister)s?\b"
        r"|\bname of\b|\bnamed as\b", re.I)),
    ("which", re.compile(r"^\s*(?:which|what)\s+(?:[\w'-]+\s+)?(?:film|movie|album|song|single|book|novel"
                         r"|show|programme|program|series|model|brand|product|name|title|game|award|prize"
                         r"|phone|device|software|website|site|drug|event|competition|tournament|project|plan"
                         r"|scheme|law|bill|deal|record|role)\b|^\s*which\b", re.I)),
    ("why", re.compile(r"^\s*why\b|\bwhy (?:did|does|do|was|were|is|has|had)\b|\bfor what reason\b"
                       r"|\bwhat (?:caused|led to|prompted|was behind)\b|\breason\b", re.I)),
]


@dataclass(frozen=True)
class QuestionInfo:
    text: str
    type: str  # who | when | where | how_much | why | what
    terms: tuple[str, ...]  # stemmed content terms, as the lexical index sees them
    names: tuple[str, ...]  # capitalised names and numbers the question mentions
    years: tuple[str, ...]
    predicate: tuple[str, ...] = ()  # terms that are not part of a name: what is said of the names


def analyse(question: str) -> QuestionInfo:
    kind, scaffold = "what", ""
    for name, rule in _TYPE_RULES:
        match = rule.search(question)
        if match:
            kind, scaffold = name, match.group(0)
            break
    numbers = re.findall(r"\b\d+(?:[.,]\d+)*", question)
    odd_case = re.findall(r"\b[a-z]+[A-Z]\w*", question)  # iPhone, eBay
    names = tuple(dict.fromkeys(names_in(question) + odd_case + numbers))
    years = tuple(re.findall(r"\b(?:19|20)\d\d\b", question))
    asked = question.replace(scaffold, " ") if kind == "condition" else question  # "under what condition"
    terms = tuple(dict.fromkeys(tokenize(asked)))
    named = set(tokenize(" ".join(names)))
    predicate = tuple(t for t in terms if t not in named and t not in _GENERIC)
    return QuestionInfo(question, kind, terms, names, years, predicate)


# stems too common in questions to say what a question is about
_GENERIC = set(tokenize("say said tell told many much year years time people according report reported new "
                        "first last name named happen happened condition conditions circumstances could would should "
                        "must will can"))


_MONEY = re.compile(r"[$£€¥]\s?\d|\d(?:[.,]\d+)*\s?(?:bn|m\b|million|billion|euros?|dollars|pounds|pence|p\b|cents?)"
                    r"|\b(?:euros?|dollars|pounds) \d", re.I)
_MEASURES = [
    (re.compile(r"\bhow old\b|\bwhat age\b|\bat what age\b", re.I),
     re.compile(r"\b\d{1,3}(?:-year-old| years? old|, (?:who|was|is|has|had|said)\b)|\baged? \d{1,3}\b|\b\w+, \d{1,3},", re.I)),
    (re.compile(r"\bhow much\b.*\b(?:cost|pay|paid|worth|earn|raise|spend|spent|charge|price|sell|sold|fine|"
                r"salary|money|fee|revenue|profit|loss|budget)|\bwhat (?:price|cost|salary|fee|fine|sum|amount"
                r"|value)\b|\bprize money\b|\bhow expensive\b", re.I), _MONEY),
    (re.compile(r"\bwhat (?:score|scoreline|result)\b|\bby what score\b", re.I),
     re.compile(r"\b\d{1,3}-\d{1,3}\b")),
    (re.compile(r"\bhow long\b(?! ago)", re.I),
     re.compile(r"\b(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|a|several|few)[ -]"
                r"(?:years?|months?|weeks?|days?|hours?|minutes?|seconds?|decades?)\b", re.I)),
    (re.compile(r"\bwhat (?:percentage|proportion|share)\b|\bby how much\b", re.I),
     re.compile(r"\d(?:[.,]\d+)*\s?(?:%|per ?cent|percentage points?)|\b(?:half|third|quarter|fifth|tenth)\b", re.I)),
]
_COUNT_FOCUS = re.compile(r"\bhow many\s+(?:more\s+|extra\s+|new\s+|of\s+the\s+)?([a-z][\w-]+)", re.I)


def _counts(sentence: str, noun: str, question: str) -> bool:
    """A number (not one the question gives) within three words before the noun."""
    from qa.terms import tokenize

    target = tokenize(noun)
    if not target:
        return True
    words = re.findall(r"[\w£$€.,%'-]+", sentence)
    stems = [tokenize(w)[:1] for w in words]
    for i, stem in enumerate(stems):
        if stem and stem[0] == target[0]:
            for w in words[max(0, i - 4):i]:
                if AMOUNT_RE.fullmatch(w.strip(".,")) or AMOUNT_RE.match(w) and w.lower() not in question.lower():
                    return True
    return False


def _words(text: str) -> set[str]:
    return {w.lower().removesuffix("'s").removesuffix("’s") for w in re.findall(r"[\w'’.-]+", text)}


def _fresh_names(sentence: str, question: str) -> list[str]:
    """Names in the sentence with a word the question lacks (its first word not counted)."""
    asked = _words(question)
    first = sentence.split(maxsplit=1)[0] if sentence.strip() else ""
    fresh = []
    for name in names_in(sentence):
        words = name.split()
        if sentence.startswith(name) and len(words) > 0 and words[0] == first:
            words = words[1:]
        if any(w.lower().removesuffix("'s").removesuffix("’s") not in asked for w in words if len(w) > 1):
            fresh.append(name.lower())
    return fresh


def names_in(text: str) -> list[str]:
    """Capitalised names, without a leading common word ('But', 'The', 'Which')."""
    from index.lexical import stopwords

    out = []
    for m in NAME_RE.finditer(text):
        words = m.group(0).split()
        while words and (words[0].lower() in stopwords() or words[0].lower() in _QUESTION_WORDS):
            words = words[1:]
        if words:
            out.append(re.sub(r"['’]s?$", "", " ".join(words)))  # "TimeWarner's" -> "TimeWarner"
    return out


_QUESTION_WORDS = {"who", "what", "when", "where", "why", "how", "which", "whose", "whom", "did", "does",
                   "do", "is", "was", "were", "are", "and", "but", "the", "in", "on", "according", "under", "by",
                   "for", "at", "from", "after", "before", "during", "since", "until"}


def answer_type_match(kind: str, sentence: str, question: str) -> float:
    """1.0 when the sentence holds an answer of the expected type not already in the question."""
    if kind == "when":
        found = [m.group(0).lower() for m in DATE_RE.finditer(sentence)]
    elif kind == "how_much":
        found = [m.group(0).lower() for m in AMOUNT_RE.finditer(sentence)]
        for asks, shape in _MEASURES:  # "how old", "what price", "what score": a value of that shape
            if asks.search(question):
                return 1.0 if shape.search(sentence) else (0.3 if found else 0.0)
        focus = _COUNT_FOCUS.search(question)
        if focus and found:  # "how many inspectors": a number must count inspectors
            return 1.0 if _counts(sentence, focus.group(1), question) else 0.3
    elif kind == "who":
        fresh = _fresh_names(sentence, question)
        # a person: two capitalised words ("Jan Berry") or a title before a name ("Mr Pande")
        if any(len(n.split()) >= 2 for n in fresh) or (fresh and _TITLED.search(sentence)):
            return 1.0
        return 0.6 if fresh else (0.3 if names_in(sentence) else 0.0)
    elif kind == "which":
        found = _fresh_names(sentence, question)
        found += [m.group(0).lower() for m in AMOUNT_RE.finditer(sentence)]  # "the 7610"
    elif kind == "where":
        found = [m.group(0).split()[-1].lower() for m in PLACE_RE.finditer(sentence)]
        if not [f for f in found if f not in question.lower()] and _fresh_names(sentence, question):
            return 0.7  # a name the question lacks: maybe the place, without "in"
    elif kind == "why":
        return 1.0 if REASON_RE.search(sentence) else 0.0
    elif kind == "condition":
        return 1.0 if CONDITION_RE.search(sentence) else 0.0
    else:
        return 0.0
    if kind == "which":
        return 1.0 if found else (0.3 if names_in(sentence) else 0.0)
    asked = question.lower()
    fresh = [f for f in found if f not in asked]
    return 1.0 if fresh else (0.3 if found else 0.0)
