"""Dates a question names, as a range of publication dates to search.

"last week", "yesterday", "this year", "in March 2005", "since 2023", "before
June 2020", "between 2003 and 2005" -> (since, until, the words that said so),
relative to an as-of day (default today). Decisions:
- "in <period>" searches from the period's start to `REPORTED_WITHIN` days after
  its end: news reports on a period after it ends (annual results in February,
  a year in review in January). Other phrases are exact.
- A range read from the question keeps undated articles (they cannot be placed
  in time); dates the user gives as filters (`--since`) exclude them, as before.
- A year standing alone ("the 2004 results") is not a range: it names what the
  article is about, not when it was published.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

REPORTED_WITHIN = 92  # days after a named period that still report on it

_MONTHS = {name.lower(): n for n, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.lower(): n for n, name in enumerate(calendar.month_abbr) if name})
_MONTH = r"(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_YEAR = r"(?P<year>(?:19|20)\d\d)"
_ISO = r"(?P<iso>(?:19|20)\d\d-\d\d-\d\d)"
_WHEN = rf"(?:{_ISO}|(?:{_MONTH}\s+)?{_YEAR})"


@dataclass(frozen=True)
class DateRange:
    since: date | None
    until: date | None
    phrase: str  # the question's words that named it

    def describe(self) -> str:
        if self.since and self.until:
            return f"articles dated {self.since} to {self.until}"
        return f"articles dated from {self.since}" if self.since else f"articles dated up to {self.until}"


def _period(m: re.Match) -> tuple[date, date]:
    """The first and last day of what a _WHEN match names."""
    if m.group("iso"):
        day = date.fromisoformat(m.group("iso"))
        return day, day
    year = int(m.group("year"))
    if m.group("month"):
        month = _MONTHS[m.group("month").lower()]
        return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
    return date(year, 1, 1), date(year, 12, 31)


def _named(pattern: str, question: str):
    return re.search(pattern.replace("WHEN", _WHEN), question, flags=re.I)


def read_range(question: str, as_of: date) -> DateRange | None:
    """The publication dates the question asks about, or None."""
    q = question
    m = re.search(rf"\bbetween\s+{_WHEN.replace('?P<', '?P<a_')}\s+and\s+{_WHEN}", q, flags=re.I)
    if m:
        first = re.search(_WHEN, m.group(0)[len("between"):], flags=re.I)
        start, _ = _period(first)
        _, end = _period(m)
        return DateRange(start, end, m.group(0)) if start <= end else None
    m = _named(r"\b(?:since|after)\s+WHEN", q)
    if m:
        start, end = _period(m)
        return DateRange(start if m.group(0).lower().startswith("since") else end + timedelta(days=1),
                         None, m.group(0))
    m = _named(r"\b(?:before|until|till|prior to)\s+WHEN", q)
    if m:
        start, end = _period(m)
        return DateRange(None, start - timedelta(days=1) if m.group(0).lower().startswith(("before", "prior"))
                         else end, m.group(0))
    m = _named(r"\b(?:in|during|throughout)\s+(?:(?:early|late|mid)[- ])?WHEN", q)
    if m:
        start, end = _period(m)
        return DateRange(start, min(end + timedelta(days=REPORTED_WITHIN), max(as_of, end)), m.group(0))
    return _relative(q, as_of)


def _relative(q: str, as_of: date) -> DateRange | None:
    m = re.search(r"\b(yesterday|today|this (?:week|month|year)|last (?:week|month|year)|"
                  r"(?:the )?(?:past|last) (\d+|two|three|four|five|six|seven|ten) (days|weeks|months|years))\b",
                  q, flags=re.I)
    if not m:
        return None
    words = m.group(0).lower()
    if words == "yesterday":
        day = as_of - timedelta(days=1)
        return DateRange(day, day, m.group(0))
    if words == "today":
        return DateRange(as_of, as_of, m.group(0))
    if words == "this week":
        return DateRange(as_of - timedelta(days=as_of.weekday()), as_of, m.group(0))
    if words == "last week":
        monday = as_of - timedelta(days=as_of.weekday() + 7)
        return DateRange(monday, monday + timedelta(days=6), m.group(0))
    if words == "this month":
        return DateRange(as_of.replace(day=1), as_of, m.group(0))
    if words == "last month":
        end = as_of.replace(day=1) - timedelta(days=1)
        return DateRange(end.replace(day=1), end, m.group(0))
    if words == "this year":
        return DateRange(date(as_of.year, 1, 1), as_of, m.group(0))
    if words == "last year":
        return DateRange(date(as_of.year - 1, 1, 1), date(as_of.year - 1, 12, 31), m.group(0))
    count = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "ten": 10}.get(m.group(2).lower())
    count = count or int(m.group(2))
    days = {"days": 1, "weeks": 7, "months": 31, "years": 366}[m.group(3).lower()] * count
    return DateRange(as_of - timedelta(days=days), as_of, m.group(0))


def wants_latest(question: str) -> bool:
    """"What is the latest on X?", "the most recent report": newer articles first."""
    return bool(re.search(r"\b(?:latest|most recent|newest|last reported|recent(?:ly)? reported)\b", question, re.I))


@dataclass(frozen=True)
class Bounds:
    """The publication dates one question searches (store integers, 20231108)."""

    since: int | None = None
    until: int | None = None
    undated: bool = False  # undated articles pass (a range read from the question)
    range: DateRange | None = None  # what the question said, when the range came from it
    note: str | None = None  # what the reader must know about the range
    empty: bool = False  # no dated article falls in the range: nothing to search

    def args(self) -> tuple[int | None, int | None, bool]:
        return self.since, self.until, self.undated


def _as_int(day: date | None) -> int | None:
    return int(day.strftime("%Y%m%d")) if day else None


def bounds_for(question: str, as_of: date, dated_count) -> Bounds:
    """The range the question names, checked against what the index holds:
    `dated_count(since_iso, until_iso)` counts dated articles (all of them without bounds)."""
    found = read_range(question, as_of)
    if found is None:
        return Bounds()
    since, until = (found.since.isoformat() if found.since else None), (found.until.isoformat() if found.until else None)
    if not dated_count(None, None):
        return Bounds(note=f'the articles are undated: "{found.phrase}" was not used to filter them')
    said = f'searched {found.describe()} ("{found.phrase}", as of {as_of})'
    if not dated_count(since, until):
        return Bounds(_as_int(found.since), _as_int(found.until), True, found,
                      f'no indexed article is dated in that range: {said[len("searched "):]}', empty=True)
    return Bounds(_as_int(found.since), _as_int(found.until), True, found, said)
