"""Files -> articles: find article files under a corpus folder and read them.

Messy input never raises: every file becomes either an `Article` or a `Skip`
with a reason, and recoverable oddities (cp1252 bytes, a bad date line) are
kept as warnings on the article.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

SUFFIXES = {".txt", ".md"}
NOT_ARTICLES = {"readme", "license", "licence", "changelog", "copying", "notice"}  # a folder's own notes
HEADLINE_MAX_CHARS = 200
_DATE_LINE = re.compile(r"^ ?date\s+(\S+)\s*(.*)$")


@dataclass(frozen=True)
class Article:
    id: str  # path relative to the corpus root, '/'-separated: stable across runs
    path: Path
    headline: str
    date: str | None  # ISO 'YYYY-MM-DD'
    text: str  # the body; citation offsets index into this string
    content_hash: str
    warnings: tuple[str, ...] = ()

    @property
    def date_int(self) -> int:
        return date_to_int(self.date)


@dataclass(frozen=True)
class Skip:
    id: str
    reason: str  # empty | binary | too_large | symlink_outside | unreadable
    detail: str = ""


@dataclass
class ReadOptions:
    max_bytes: int = 5_000_000
    suffixes: set[str] = field(default_factory=lambda: set(SUFFIXES))


def iter_article_files(root: Path, options: ReadOptions) -> Iterator[Path | Skip]:
    """Article files under root, sorted, skipping hidden entries and non-articles.

    Symlinks are followed only when they stay inside the corpus.
    """
    root = root.resolve()
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        here = Path(dirpath)
        for d in dirnames:
            if (here / d).is_symlink() and not _inside(root, here / d):
                yield Skip(_rel(root, here / d), "symlink_outside", str((here / d).resolve()))
        for name in sorted(filenames):
            path = here / name
            if (name.startswith(".") or path.suffix.lower() not in options.suffixes
                    or path.stem.lower() in NOT_ARTICLES):
                continue
            if path.is_symlink() and not _inside(root, path):
                yield Skip(_rel(root, path), "symlink_outside", str(path.resolve()))
                continue
            yield path


def read_corpus(root: Path, options: ReadOptions | None = None) -> Iterator[Article | Skip]:
    options = options or ReadOptions()
    root = Path(root).resolve()
    for entry in iter_article_files(root, options):
        if isinstance(entry, Skip):
            yield entry
        else:
            yield read_article(root, entry, options)


def read_article(root: Path, path: Path, options: ReadOptions) -> Article | Skip:
    article_id = _rel(root, path)
    try:
        size = path.stat().st_size
        if size > options.max_bytes:
            return Skip(article_id, "too_large", f"{size} bytes > {options.max_bytes}")
        raw = path.read_bytes()
    except OSError as exc:
        return Skip(article_id, "unreadable", exc.strerror or str(exc))
    if b"\x00" in raw[:8192]:
        return Skip(article_id, "binary")
    text, warnings = decode(raw)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        return Skip(article_id, "empty")
    headline, day, body, header_warnings = split_header(text, fallback=path.stem)
    if not body.strip():
        body = headline  # a one-line article: its line is all we have
    if not looks_english(body):
        header_warnings.append("not_english")  # indexed and searchable; answer types and entities are English
    return Article(
        id=article_id,
        path=path,
        headline=headline,
        date=day,
        text=body,
        content_hash=hashlib.sha256(raw).hexdigest(),
        warnings=tuple(warnings + header_warnings),
    )


def decode(raw: bytes) -> tuple[str, list[str]]:
    """UTF-8 (with or without BOM), else cp1252, else UTF-8 with replacements."""
    try:
        return raw.decode("utf-8-sig"), []
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252"), ["decoded_cp1252"]
    except UnicodeDecodeError:
        return raw.decode("utf-8", errors="replace"), ["replaced_bytes"]


def split_header(text: str, fallback: str) -> tuple[str, str | None, str, list[str]]:
    """(headline, ISO date or None, body, warnings) from an article's text."""
    first, sep, rest = text.partition("\n")
    match = _DATE_LINE.match(first)
    if match:
        token, headline = match.group(1), match.group(2).strip()
        day = parse_iso_date(token)
        warnings = [] if day else ["bad_date"]
        if not day:
            headline = f"{token} {headline}".strip() if not _looks_like_date(token) else headline
        return headline or fallback, day, rest.lstrip("\n"), warnings
    stripped = first.strip()
    if stripped and len(stripped) <= HEADLINE_MAX_CHARS and rest.startswith("\n"):
        return stripped, None, rest.lstrip("\n"), []
    return fallback, None, text, []


_ENGLISH = frozenset("the of and to in a is that for on with was as it by at from said be has have he are "
                     "this an but not they his which will were been".split())
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")


def looks_english(text: str) -> bool:
    """Whether a text reads as English: common English words make up a share of any English
    prose (about a quarter of news text) and almost none of German, French or Chinese."""
    sample = text[:2000]
    if not sample.isascii():
        letters = sum(ch.isalpha() for ch in sample)
        if letters and len(_CJK.findall(sample)) > 0.2 * letters:
            return False
    words = sample.lower().split()
    if len(words) < 25:
        return True  # too short to tell
    return sum(w.strip(".,;:!?\"'()“”‘’") in _ENGLISH for w in words) / len(words) >= 0.08


def date_to_int(day: str | None) -> int:
    """'2023-11-08' -> 20231108 for range filters in the store; 0 when undated."""
    return int(day.replace("-", "")) if day else 0


def parse_iso_date(token: str) -> str | None:
    try:
        return date.fromisoformat(token).isoformat() if len(token) == 10 else None
    except ValueError:
        return None


def _looks_like_date(token: str) -> bool:
    return bool(re.fullmatch(r"[\d/.\-]{6,10}", token))


def _inside(root: Path, path: Path) -> bool:
    try:
        path.resolve().relative_to(root)
        return True
    except (ValueError, OSError):
        return False


def _rel(root: Path, path: Path) -> str:
    return path.relative_to(root).as_posix()
