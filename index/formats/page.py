"""Saved web pages (.html, .htm): the article's main text, headline, publication date,
canonical URL, site name and author, with menus, footers and "subscribe" boxes left
out (trafilatura, offline). Also used for the pages of a web crawl (warc.py)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from index.articles import Article, ReadOptions, Skip, decode, make_article, read_single
from index.formats.fields import iso_date


MIN_WORDS = 10  # less main text than this is no article (a page of links keeps a word or two)


@dataclass(frozen=True)
class Page:
    headline: str | None
    date: str | None
    text: str
    url: str | None
    outlet: str | None
    author: str | None


def extract(html: str, url: str | None = None) -> Page | None:
    """The article of a page (None: the page holds no article text)."""
    import trafilatura

    found = trafilatura.extract(html, url=url, with_metadata=True, output_format="json", include_comments=False,
                                include_tables=False, favor_precision=True)
    if not found:
        return None
    data = json.loads(found)
    lines = [" ".join(line.split()) for line in (data.get("text") or "").splitlines()]
    lines = [line for line in lines if line]
    title = " ".join((data.get("title") or "").split()) or None
    if lines and title and lines[0] == title:
        lines = lines[1:]  # the page's own headline, repeated as its first line
    if sum(len(line.split()) for line in lines) < MIN_WORDS:
        return None  # a menu or a cookie notice, not an article
    return Page(title, iso_date(data.get("date")), "\n\n".join(lines), data.get("source") or url,
                data.get("source-hostname") or data.get("hostname"), data.get("author"))


def read(root: Path, path: Path, options: ReadOptions) -> Iterator[Article | Skip]:
    found = read_single(root, path, options)
    if isinstance(found, Skip):
        yield found
        return
    article_id, raw = found
    html, warnings = decode(raw)
    page = extract(html)
    if page is None:
        yield Skip(article_id, "no_article_text", "the page holds no article text")
        return
    yield make_article(article_id, path, page.headline or path.stem, page.date, page.text,
                       hashlib.sha256(raw).hexdigest(), warnings, url=page.url, outlet=page.outlet,
                       author=page.author)
