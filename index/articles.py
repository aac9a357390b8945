"""Files -> articles: find article files under a corpus folder and read them.

Messy input never raises: every file becomes either an `Article` or a `Skip`
with a reason, and recoverable oddities (cp1252 bytes, a bad date line) are
kept as warnings on the article.
"""

from __future__ import annotations

import operator
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

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
    url: str | None = None  # where the article was published, when the file or record says
    outlet: str | None = None  # who published it (the record's source/outlet/publisher, a page's site name)
    author: str | None = None

    @property
    def date_int(self) -> int:
        return date_to_int(self.date)


@dataclass(frozen=True)
class Skip:
    id: str
    reason: str  # empty | binary | too_large | symlink_outside | unreadable | unsupported_<kind> | bad_record | ...
    detail: str = ""
    keeps: str = ""  # an id prefix ('exports/a.jsonl#'): the indexed records of a file read only in part are kept


@dataclass
class ReadOptions:
    max_bytes: int = 5_000_000  # a single-article file (text, page) larger than this is skipped
    fields: dict[str, str] = field(default_factory=dict)  # record field names set by the user: {"text": "story"}


def iter_article_files(root: Path, options: ReadOptions) -> Iterator[Path | Skip]:
    """Article files under root, sorted, skipping hidden entries and a folder's own notes;
    a file of a kind no reader takes is a `Skip` named by its kind ("unsupported_pdf").

    Symlinks are followed only when they stay inside the corpus.
    """
    for found in _walk(Path(root).resolve()):
        yield found if isinstance(found, Skip) else Path(found[0])


def _walk(root: Path, here: Path | str | None = None) -> Iterator[tuple[str, os.stat_result | None] | Skip]:
    """`iter_article_files` as (path string, its stat), one `scandir` per folder: a no-op run
    over hundreds of thousands of files is mostly this walk, so no `Path` is made for a file
    that is not read. Symlinked folders are not entered."""
    from index.formats import READERS

    here = here or root
    try:
        with os.scandir(here) as it:
            entries = sorted(it, key=_NAME)
    except OSError:
        return
    folders = [e for e in entries if not e.name.startswith(".") and _is_dir(e)]
    for d in folders:
        if d.is_symlink() and (skip := _symlink_skip(root, d.path)):
            yield skip
    for e in entries:  # the loop a no-op run over a large archive spends its time in: kept lean
        name = e.name
        if name[0] == ".":
            continue
        dot = name.rfind(".")
        if dot > 0 and e.is_file(follow_symlinks=False):  # a plain file (no system call): the common case
            suffix = name[dot + 1:].lower()
            if suffix in READERS and name[:dot].lower() not in NOT_ARTICLES:
                try:
                    yield e.path, e.stat()
                except OSError:
                    yield e.path, None  # the reader reports it
                continue
        if _is_dir(e) or _stem(name).lower() in NOT_ARTICLES:
            continue
        if e.is_symlink() and (skip := _symlink_skip(root, e.path)):
            yield skip
            continue
        found = kind(name)
        if found not in READERS:
            yield Skip(rel(root, Path(e.path)), f"unsupported_{found}", "no reader for this kind of file")
            continue
        try:
            st = e.stat()
        except OSError:
            st = None  # the reader reports it
        yield e.path, st
    for d in folders:
        if not d.is_symlink():
            yield from _walk(root, d.path)


_NAME = operator.attrgetter("name")


def _is_dir(entry: os.DirEntry) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def _stem(name: str) -> str:
    dot = name.rfind(".")
    return name[:dot] if dot > 0 else name


def read_corpus(root: Path, options: ReadOptions | None = None) -> Iterator[Article | Skip]:
    """Every article under `root`, a folder or one file (ids relative to the file's folder)."""
    for _path, entry in read_files(root, options):
        if entry is not None:
            yield entry


def read_files(root: Path, options: ReadOptions | None = None,
               unchanged: Callable[[str, os.stat_result], bool] | None = None,
               within: str = "") -> Iterator[tuple[Path | str | None, Article | Skip | None]]:
    """(file, each article or skip read from it) under `root`; a file for which
    `unchanged(path string, stat)` holds is not read: it yields (path string, None) once.
    `within`: only that folder or file under `root` (ids stay relative to `root`)."""
    from index.formats import reader_for

    options = options or ReadOptions()
    root = Path(root).resolve()
    if root.is_file():
        base, entries = root.parent, [(str(root), None)]
    elif within and Path(within).is_dir():
        base, entries = root, _walk(root, within)
    elif within:
        base, entries = root, ([(within, None)] if Path(within).is_file() else [])  # a file gone: nothing
    else:
        base, entries = root, _walk(root)
    for found in entries:
        if isinstance(found, Skip):
            yield None, found
            continue
        name, st = found
        if unchanged is not None and st is not None and unchanged(name, st):  # the walk took only readable kinds
            yield name, None
            continue
        reader = reader_for(name)
        if reader is None:
            path = Path(name)
            yield path, Skip(rel(base, path), f"unsupported_{kind(name)}", "no reader for this kind of file")
            continue
        if unchanged is not None and st is None:
            try:
                if unchanged(name, os.stat(name)):
                    yield name, None
                    continue
            except OSError:
                pass  # the reader reports an unreadable file
        entry = Path(name)
        for found in reader(base, entry, options):
            yield entry, found


def read_single(root: Path, path: Path, options: ReadOptions) -> tuple[str, bytes] | Skip:
    """(article id, the file's bytes) of a one-article file, or why it cannot be read."""
    article_id = rel(root, path)
    try:
        size = path.stat().st_size
        if size > options.max_bytes:
            return Skip(article_id, "too_large", f"{size} bytes > {options.max_bytes}")
        return article_id, path.read_bytes()
    except OSError as exc:
        return Skip(article_id, "unreadable", exc.strerror or str(exc))


def kind(path: Path | str) -> str:
    """'pdf' for report.pdf, 'warc.gz' for crawl.warc.gz, 'none' for a file without a suffix."""
    name = path if isinstance(path, str) else path.name
    base, dot, last = name.rpartition(".")  # string ops: called for every file of every run
    if not dot or not last or not base.lstrip("."):
        return "none"
    last = last.lower()
    if last in ("gz", "bz2", "xz", "zip"):
        before, dot, prev = base.rpartition(".")
        if dot and prev and before.lstrip("."):
            return f"{prev.lower()}.{last}"
    return last


def make_article(article_id: str, path: Path, headline: str, day: str | None, text: str, content_hash: str,
                 warnings: list[str] | None = None, **about: str | None) -> Article:
    """An article as every reader makes it: the language check done, empty metadata as None."""
    warnings = list(warnings or [])
    if "\x00" in text or "\x00" in headline:  # a stray NUL (a binary file has one in its first 8 KB: skipped)
        text, headline = text.replace("\x00", ""), headline.replace("\x00", "")
        warnings.append("nul_bytes_removed")
    if not looks_english(text):
        warnings.append("not_english")  # indexed and searchable; answer types and entities are English
    about = {k: (" ".join(v.split()) or None) if isinstance(v, str) else None for k, v in about.items()}
    return Article(id=article_id, path=path, headline=headline, date=day, text=text, content_hash=content_hash,
                   warnings=tuple(warnings), **about)


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


def _symlink_skip(root: Path, path: str) -> Skip | None:
    """Why a symlink in the corpus is not read (it leaves the corpus, loops, or names a file the
    walk reads under its own name: one story, one article), or None."""
    try:
        target = Path(path).resolve()
    except (RuntimeError, OSError) as exc:  # a loop: RuntimeError on Python 3.11, OSError later
        return Skip(rel(root, Path(path)), "symlink_loop", " ".join(str(exc).split()))
    if not _inside(root, target):
        return Skip(rel(root, Path(path)), "symlink_outside", str(target))
    inside = target.relative_to(root)
    if target.is_file() and not any(part.startswith(".") for part in inside.parts):
        return Skip(rel(root, Path(path)), "symlink_alias", f"the same file as {inside.as_posix()}")  # read there
    return None


def _inside(root: Path, path: Path) -> bool:
    try:
        path.resolve().relative_to(root)
        return True
    except (ValueError, OSError, RuntimeError):  # outside, unreadable, a symlink loop
        return False


def rel(root: Path, path: Path) -> str:
    return path.relative_to(root).as_posix()
