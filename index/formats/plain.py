"""Plain-text articles (.txt, .md): an optional ` date YYYY-MM-DD Headline` line, then the body."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

from index.articles import Article, ReadOptions, Skip, decode, make_article, read_single, split_header


def read(root: Path, path: Path, options: ReadOptions) -> Iterator[Article | Skip]:
    found = read_single(root, path, options)
    if isinstance(found, Skip):
        yield found
        return
    article_id, raw = found
    if b"\x00" in raw[:8192]:
        yield Skip(article_id, "binary")
        return
    text, warnings = decode(raw)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        yield Skip(article_id, "empty")
        return
    headline, day, body, header_warnings = split_header(text, fallback=path.stem)
    if not body.strip():
        if day is not None and headline == path.stem:  # nothing but a date line
            yield Skip(article_id, "empty", "only a date line")
            return
        body = headline  # a one-line article: its line is all we have
    yield make_article(article_id, path, headline, day, body, hashlib.sha256(raw).hexdigest(),
                       warnings + header_warnings)
