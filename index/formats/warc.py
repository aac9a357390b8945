"""Web crawls (.warc, .warc.gz; warcio): one article per HTML response record, its URL
from the record. A crawl cut short (a truncated gzip) keeps what was read and is reported."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

from index.articles import Article, ReadOptions, Skip, make_article, rel
from index.formats.page import extract


def read(root: Path, path: Path, options: ReadOptions) -> Iterator[Article | Skip]:
    from warcio.archiveiterator import ArchiveIterator

    file_id = rel(root, path)
    keeps = f"{file_id}#"
    seen: set[str] = set()
    count = 0
    try:
        with path.open("rb") as f:
            for record in ArchiveIterator(f):
                if record.rec_type != "response" or record.http_headers is None:
                    continue
                kind = (record.http_headers.get_header("Content-Type") or "").lower()
                if "html" not in kind:
                    continue
                url = record.rec_headers.get_header("WARC-Target-URI") or ""
                raw = record.content_stream().read()
                count += 1
                where = f"record{count}"
                html = raw.decode(_charset(kind), errors="replace")
                page = extract(html, url=url or None)
                if page is None:
                    yield Skip(f"{file_id}#{url or where}", "no_article_text", f"{url or where}: no article text")
                    continue
                key = f"{file_id}#{url if url and len(url) <= 200 else where}"
                if key in seen:
                    key = f"{file_id}#{where}"
                seen.add(key)
                yield make_article(key, path, page.headline or url or where, page.date, page.text,
                                   hashlib.sha256(raw).hexdigest(), url=url or page.url, outlet=page.outlet,
                                   author=page.author)
    except Exception as exc:  # warcio and gzip raise many kinds on a damaged crawl  # noqa: BLE001
        yield Skip(file_id, "truncated" if count else "unreadable",
                   f"after {count} records: {' '.join(str(exc).split())[:160] or type(exc).__name__}", keeps)
        return
    if path.name.lower().endswith(".gz") and not _whole_gzip(path):  # warcio stops quietly at a cut
        yield Skip(file_id, "truncated", f"the file ends mid-record, after {count} records", keeps)


def _whole_gzip(path: Path) -> bool:
    """Whether a gzip file ends where gzip says it should (a cut download does not)."""
    import gzip
    import zlib

    try:
        with gzip.open(path, "rb") as f:
            while f.read(1 << 20):
                pass
        return True
    except (EOFError, OSError, zlib.error):
        return False


def _charset(content_type: str) -> str:
    import codecs

    name = content_type.partition("charset=")[2].split(";")[0].strip().strip('"') or "utf-8"
    try:
        codecs.lookup(name)
        return name
    except LookupError:
        return "utf-8"
