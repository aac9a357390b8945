"""One reader per kind of article file, behind one signature:

    read(root, path, options) -> Iterator[Article | Skip]

`root` is the source folder (ids are paths relative to it); a file holding many
articles (records, a feed, a web crawl) yields one `Article` per record, with the
id `<path>#<record id>`, and a `Skip` for each record it cannot read. A new
format is one module here and one line in `READERS`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from index.articles import Article, ReadOptions, Skip

Reader = Callable[[Path, Path, ReadOptions], Iterator[Article | Skip]]


def _plain(root, path, options):
    from index.formats.plain import read
    return read(root, path, options)


def _records(root, path, options):
    from index.formats.records import read
    return read(root, path, options)


def _page(root, path, options):
    from index.formats.page import read
    return read(root, path, options)


def _feed(root, path, options):
    from index.formats.feed import read
    return read(root, path, options)


def _warc(root, path, options):
    from index.formats.warc import read
    return read(root, path, options)


READERS: dict[str, Reader] = {
    "txt": _plain, "md": _plain,
    "jsonl": _records, "ndjson": _records, "json": _records, "csv": _records, "tsv": _records,
    "html": _page, "htm": _page,
    "rss": _feed, "atom": _feed, "xml": _feed,
    "warc": _warc, "warc.gz": _warc,
}


def reader_for(path: Path | str) -> Reader | None:
    from index.articles import kind

    return READERS.get(kind(path))
