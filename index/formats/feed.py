"""RSS and Atom files (.rss, .atom, .xml feeds; feedparser): one article per item, the
feed's title as the outlet. An `.xml` file that is no feed is reported, not read."""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Iterator
from pathlib import Path

from index.articles import Article, ReadOptions, Skip, make_article, rel
from index.formats.fields import plain


def read(root: Path, path: Path, options: ReadOptions) -> Iterator[Article | Skip]:
    import feedparser

    file_id = rel(root, path)
    keeps = f"{file_id}#"
    try:
        raw = path.read_bytes()
    except OSError as exc:
        yield Skip(file_id, "unreadable", exc.strerror or str(exc), keeps)
        return
    feed = feedparser.parse(raw)
    if not feed.get("version") and not feed.entries:
        reason = "unsupported_xml" if path.suffix.lower() == ".xml" else "unreadable"
        detail = str(feed.get("bozo_exception") or "not an RSS or Atom feed")
        yield Skip(file_id, reason, " ".join(detail.split())[:200], keeps)
        return
    if not feed.entries:
        yield Skip(file_id, "no_items", "the feed has no items", keeps)
        return
    outlet = plain(feed.feed.get("title"))
    seen: set[str] = set()
    for index, item in enumerate(feed.entries, start=1):
        text = plain(_body(item))
        where = f"item{index}"
        if not text:
            yield Skip(f"{file_id}#{where}", "bad_record", f"{where}: no text")
            continue
        key = item.get("id") or item.get("link") or where
        key = f"{file_id}#{key if len(key) <= 200 else where}"
        if key in seen:
            key = f"{file_id}#{where}"
        seen.add(key)
        parsed = item.get("published_parsed") or item.get("updated_parsed")
        day = time.strftime("%Y-%m-%d", parsed) if parsed else None
        headline = plain(item.get("title")) or " ".join(text.split()[:12])
        digest = hashlib.sha256(json.dumps([headline, text, day, item.get("link")], ensure_ascii=False).encode())
        yield make_article(key, path, headline, day, text, digest.hexdigest(), url=item.get("link"),
                           outlet=outlet, author=_author(item.get("author")))


def _author(raw: str | None) -> str | None:
    """RSS writes "email (Name)": the name. (feedparser 6's own split of it is off by a few letters.)"""
    text = plain(raw)
    if text:
        named = re.fullmatch(r"\S+@\S+\s*\((.+)\)", text)
        return named.group(1).strip() if named else text
    return None


def _body(item) -> str | None:
    """The item's fullest text: its content, else its summary."""
    contents = [c.get("value") for c in item.get("content", []) if c.get("value")]
    best = max(contents, key=len) if contents else None
    summary = item.get("summary")
    if best and summary and len(summary) > len(best):
        return summary
    return best or summary
