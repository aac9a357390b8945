"""Follow-up questions: resolve "and what did Russia say?" against earlier turns."""

from __future__ import annotations

import re

_LEADS = re.compile(r"^\s*(?:and|but|also|so|then|what about|how about|and what about)\b", re.I)
_PRONOUNS = re.compile(
    r"\b(?:he|she|him|her|his|hers|they|them|their|theirs|it|its|this|that|these|those|there|then"
    r"|the company|the firm|the club|the team|the minister|the group)\b", re.I)
_NAME = re.compile(r"(?<!^)(?<![.?!] )\b[A-Z][a-z]+")


def user_turns(history: list[dict] | None) -> list[str]:
    """The user's earlier questions, oldest first (Gradio-style role/content dicts)."""
    turns = []
    for turn in history or []:
        if isinstance(turn, dict) and turn.get("role") == "user" and isinstance(turn.get("content"), str):
            turns.append(turn["content"].strip())
    return [t for t in turns if t]


def is_follow_up(question: str) -> bool:
    """Leans on an earlier turn: opens like a continuation ("and", "what about"), points back
    (he, it, the company), or is too short to name its own subject ("When?", "How much?").
    "Who is Zelensky?" names its subject: not a follow-up."""
    words = re.findall(r"\w+", question)
    if _LEADS.search(question) or _PRONOUNS.search(question):
        return True
    return len(words) <= 4 and not _NAME.search(question)


def resolve(question: str, history: list[dict] | None) -> str:
    """Context for retrieval: the earlier question(s) this one depends on ('' if none)."""
    turns = user_turns(history)
    if not turns or not is_follow_up(question):
        return ""
    context = []
    for turn in reversed(turns):  # walk back until a self-contained question
        context.insert(0, turn)
        if not is_follow_up(turn):
            break
    return " ".join(context[-2:])
