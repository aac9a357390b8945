"""Checks on what a user gives the API (questions, dates, source counts, history).

The engine runs them on every call, so the CLI, the UI and scripts get the same
one-line `UserError` for the same mistake.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from index.errors import UserError

MAX_SOURCES = 50
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SPACE = re.compile(r"[ \t\r\n\u00a0]+")


def check_question(message: object, max_chars: int) -> str:
    """The question with whitespace tidied; empty, over-long or control characters are refused."""
    if not isinstance(message, str):
        raise UserError("The question must be text.")
    bad = sorted({ch for ch in message if ch not in "\t\r\n" and unicodedata.category(ch) in ("Cc", "Cs")})
    if bad:
        shown = ", ".join(f"U+{ord(ch):04X}" for ch in bad[:5])
        raise UserError(f"The question contains control characters ({shown}); please remove them and ask again.")
    message = "".join(ch for ch in message if unicodedata.category(ch) != "Cf")  # zero-width marks
    question = _SPACE.sub(" ", message).strip()
    if not question:
        raise UserError("Please type a question.")
    if len(question) > max_chars:
        raise UserError(
            f"The question is {len(question)} characters long; the limit is {max_chars}. Please shorten it."
        )
    return question


def check_k(k: object) -> int:
    try:
        value = int(k)  # sliders and clients may send floats
    except (TypeError, ValueError):
        raise UserError(f"The number of sources must be a whole number, not {k!r}.") from None
    if not 1 <= value <= MAX_SOURCES:
        raise UserError(f"The number of sources must be between 1 and {MAX_SOURCES}.")
    return value


def check_date(value: object, name: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.date):
        return value.isoformat()
    if not isinstance(value, str):
        raise UserError(f"'{name}' must be a date like 2023-11-08.")
    value = value.strip()
    if not value:
        return None
    if not _DATE.match(value):
        raise UserError(f"'{name}' must be a date like 2023-11-08, not {value!r}.")
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        raise UserError(f"'{name}' is not a real date: {value!r}.") from None
    return value


def check_dates(since: object, until: object) -> tuple[str | None, str | None]:
    since_, until_ = check_date(since, "since"), check_date(until, "until")
    if since_ and until_ and since_ > until_:
        raise UserError(f"'since' ({since_}) is after 'until' ({until_}).")
    return since_, until_


MAX_HISTORY_MESSAGES = 400  # a long day's conversation; more is refused, like an over-long question
MAX_HISTORY_CHARS = 400_000
KEPT_MESSAGES = 20  # what follow-ups are resolved against: the last turns only


def check_history(history: object) -> list[dict]:
    """A script's chat history: a list of {"role": "user"|"assistant", "content": str}. A history
    over MAX_HISTORY_MESSAGES messages or MAX_HISTORY_CHARS characters is refused; of the rest,
    the last KEPT_MESSAGES are used (a follow-up leans on the turns just before it), so no
    history makes a question cost more than a few turns do."""
    if history is None:
        return []
    if not isinstance(history, list):
        raise UserError("history must be a list of {role, content} messages.")
    if len(history) > MAX_HISTORY_MESSAGES:
        raise UserError(f"the history holds {len(history)} messages; at most {MAX_HISTORY_MESSAGES} are taken.")
    size = sum(len(item["content"]) for item in history
               if isinstance(item, dict) and isinstance(item.get("content"), str))
    if size > MAX_HISTORY_CHARS:
        raise UserError(f"the history holds {size} characters; at most {MAX_HISTORY_CHARS} are taken.")
    out = []
    for item in history:
        if not isinstance(item, dict) or item.get("role") not in ("user", "assistant"):
            raise UserError("each history message needs a role of 'user' or 'assistant'.")
        content = item.get("content")
        if not isinstance(content, str):
            raise UserError("each history message needs text content.")
        out.append({"role": item["role"], "content": content})
    return out[-KEPT_MESSAGES:]


def date_bounds(since: object, until: object) -> tuple[int | None, int | None]:
    """Checked dates as the store's integers (20231108)."""
    since_, until_ = check_dates(since, until)
    as_int = lambda d: int(d.replace("-", "")) if d else None  # noqa: E731
    return as_int(since_), as_int(until_)
