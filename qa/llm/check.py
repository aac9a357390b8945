"""Each sentence of a model's reply, held to the passages it cites.

A sentence survives only if
- it carries at least one [n] marker, and every marker names a passage it was given;
- every number, name and quotation in it is in the passages it cites (numbers
  normalised: "90,000" = "90000", "three" = "3"; names as written, no guessing);
- a sentence (or two adjacent sentences) of a cited passage supports it: lexical
  overlap and embedding similarity together reach `SUPPORT_THRESHOLD`
  (calibrated on the dev set by bench/claim_check_bench.py).
That supporting sentence becomes the citation's verbatim quote, with article
offsets. A sentence that reads as an instruction to the model is never support:
a reply that obeys an article's planted instruction cites nothing that holds.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from index.lexical import stopwords
from index.sentences import sentence_spans
from qa.llm.prompt import NOT_ANSWERED, Numbered
from qa.terms import tokenize

SUPPORT_THRESHOLD = 0.55  # bench/claim_check_bench.py, dev set
LEXICAL_SHARE = 0.5  # support = share * lexical overlap + (1 - share) * embedding similarity

_MARKERS = re.compile(r"\s*\[\s*\^?(\d+(?:\s*[,;]\s*\^?\d+)*)\s*\]")
_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")
_NAME = re.compile(r"\b[A-Z][\w'’&-]*(?:\.[A-Z]\.?)*")
_QUOTED = re.compile(r"[\"“]([^\"“”]{12,}?)[\"”]")
_INSTRUCTION = re.compile(
    r"\b(?:ignore|disregard|forget|override)\b.{0,60}\b(?:instructions?|rules|prompt|directions)\b"
    r"|\b(?:reply|respond|answer)\s+(?:only\s+)?(?:with|by saying)\b|\byou are now\b|\bsystem prompt\b"
    r"|\b(?:as an? )?(?:ai|language model|assistant|chatbot)\b.{0,30}\b(?:must|should|will)\b", re.I)
# words that open a sentence capitalised without being names (the stopword list lacks them)
_OPENERS = set("after under since although despite following however meanwhile yet according earlier later "
               "last next today yesterday instead overall initially eventually".split())
_NUMBER_WORDS = {w: str(i) for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty".split())}
_NUMBER_WORDS.update({w: str(10 * i) for i, w in enumerate("thirty forty fifty sixty seventy eighty ninety".split(),
                                                            start=3)})


@dataclass(frozen=True)
class Support:
    n: int  # the passage number the model cited
    numbered: Numbered
    start: int  # article offsets of the supporting sentence(s)
    end: int
    score: float


@dataclass
class Checked:
    sentence: str  # the reply's sentence without its markers
    markers: list[int]
    supports: list[Support] = field(default_factory=list)
    reason: str | None = None  # why it was removed (None: kept)
    score: float = 0.0


def is_refusal(reply: str) -> bool:
    """The model said the passages do not answer (the fixed phrase, give or take punctuation)."""
    def norm(s: str) -> str:
        return " ".join(re.findall(r"[a-z]+", s.lower()))
    return norm(NOT_ANSWERED) in norm(_MARKERS.sub(" ", reply))


def split_reply(reply: str) -> list[tuple[str, list[int]]]:
    """(sentence without markers, its markers) for each sentence; markers standing alone
    after a full stop belong to the sentence before them."""
    pieces: list[tuple[str, list[int]]] = []
    for start, end in sentence_spans(reply):
        raw = reply[start:end].strip()
        leading = re.match(r"(?:\s*\[\s*\^?\d+(?:\s*[,;]\s*\^?\d+)*\s*\])+", raw)
        if leading and pieces:  # "Sales rose. [1] Costs fell [2]." - the [1] closes the sentence before
            pieces[-1] = (pieces[-1][0], pieces[-1][1] + [int(x) for x in re.findall(r"\d+", leading.group(0))])
            raw = raw[leading.end():].strip()
        markers = [int(x) for group in _MARKERS.findall(raw) for x in re.findall(r"\d+", group)]
        text = re.sub(r"\s+([.,;:!?])", r"\1", " ".join(_MARKERS.sub(" ", raw).split())).strip(" -*•")
        if not re.search(r"[A-Za-z0-9]", text) and pieces:  # a marker alone: the sentence before's
            pieces[-1] = (pieces[-1][0], pieces[-1][1] + markers)
            continue
        if text:
            pieces.append((text, markers))
    return pieces


def _numbers(text: str, pronoun_one: bool = True) -> set[str]:
    """Numbers as digits ("90,000" -> "90000", "three" -> "3"); `pronoun_one=False` leaves out
    "one" and "zero", which a sentence uses as words more often than as numbers."""
    words = re.findall(r"[a-z]+", text.lower())
    found = {m.replace(",", "").rstrip(".") for m in _NUMBER.findall(text)}
    found |= {_NUMBER_WORDS[w] for w in words if w in _NUMBER_WORDS and (pronoun_one or w not in ("one", "zero"))}
    found = {n[:-2] if n.endswith(".0") else n for n in found}
    return {n.lstrip("0") or "0" if n.isdigit() else n for n in found}  # a date's "01" is 1


def facts_missing(sentence: str, cited_text: str) -> str | None:
    """The first number, name or quotation of the sentence that the cited text lacks (None: all there)."""
    have = _numbers(cited_text)
    for number in sorted(_numbers(sentence, pronoun_one=False) - have):
        return number
    lowered = cited_text.lower()
    stop = stopwords()
    for m in _NAME.finditer(sentence):
        initial = sentence[:m.start()].strip() == "" or sentence[:m.start()].rstrip()[-1:] in ".:;!?\"“("
        # "Motors'" and "Motors's" are Motors; "Siemens-led" is Siemens, "Anglo-French" both parts
        whole = re.sub(r"(?:['’]s?)$", "", m.group(0)).rstrip(".")
        for name in [whole] if whole in cited_text else whole.split("-"):
            if not name or not name[0].isupper() or name.lower() in stop or name.lower() in _NUMBER_WORDS:
                continue
            if name in cited_text or (initial and (name.lower() in lowered or name.lower() in _OPENERS)):
                continue
            return name
    flat = " ".join(re.sub(r"[“”]", '"', lowered).split())
    for quoted in _QUOTED.findall(sentence):
        if " ".join(quoted.lower().split()) not in flat:
            return f'"{quoted}"'
    return None


def _given(x: Numbered) -> str:
    """All the model was shown of a passage: its headline, date, outlet and text."""
    return f"{x.passage.headline}\n{x.passage.date or ''}\n{x.passage.outlet or ''}\n{x.text}"


def _windows(x: Numbered) -> list[tuple[int, int]]:
    """Sentence spans of the passage text given to the model, alone and in adjacent pairs;
    instruction-like sentences are left out."""
    spans = [(s, e) for s, e in sentence_spans(x.text)
             if x.text[s:e].strip() and not _INSTRUCTION.search(x.text[s:e])]
    pairs = [(a[0], b[1]) for a, b in zip(spans, spans[1:]) if b[0] - a[1] <= 3]
    return spans + pairs


def _lexical(claim: set[str], text: str) -> float:
    if not claim:
        return 0.0
    return len(claim & set(tokenize(text))) / len(claim)


def check(reply: str, numbered: list[Numbered], embed: Callable[[list[str]], np.ndarray],
          threshold: float = SUPPORT_THRESHOLD) -> list[Checked]:
    """Every sentence of the reply with its verdict and, when kept, its supporting quotes."""
    by_n = {x.n: x for x in numbered}
    out = [Checked(text, markers) for text, markers in split_reply(reply)]
    todo: list[Checked] = []
    for c in out:
        if not c.markers:
            c.reason = "it cites no passage"
        elif any(n not in by_n for n in c.markers):
            bad = next(n for n in c.markers if n not in by_n)
            c.reason = f"it cites [{bad}], which is not one of the {len(numbered)} passages"
        else:
            missing = facts_missing(c.sentence, "\n".join(_given(by_n[n]) for n in dict.fromkeys(c.markers)))
            if missing is not None:
                c.reason = f"{missing} is in none of the passages it cites"
            else:
                todo.append(c)
    if not todo:
        return out
    windows = {n: _windows(by_n[n]) for n in {n for c in todo for n in c.markers}}
    texts = sorted({by_n[n].text[s:e] for n, spans in windows.items() for s, e in spans})
    vectors = _unit(np.asarray(embed([c.sentence for c in todo] + texts), dtype=float))
    claim_vectors, text_vectors = vectors[:len(todo)], dict(zip(texts, vectors[len(todo):]))
    for c, cv in zip(todo, claim_vectors):
        terms = set(tokenize(c.sentence))
        for n in dict.fromkeys(c.markers):
            x = by_n[n]
            scored = [(LEXICAL_SHARE * _lexical(terms, x.text[s:e])
                       + (1 - LEXICAL_SHARE) * float(text_vectors[x.text[s:e]] @ cv), s, e)
                      for s, e in windows[n]]
            if not scored:
                continue
            score, s, e = max(scored)
            c.score = max(c.score, score)
            if score >= threshold:
                s, e = _trim(x.text, s, e)
                c.supports.append(Support(n, x, x.passage.start + s, x.passage.start + e, round(score, 3)))
        if not c.supports:
            c.reason = f"the passages it cites do not support it (best match {c.score:.2f})"
    return out


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _unit(m: np.ndarray) -> np.ndarray:
    return m / (np.linalg.norm(m, axis=1, keepdims=True) + 1e-9)
