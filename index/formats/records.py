"""Exports with one article per record: JSON Lines, a JSON array (or {"articles": [...]}),
CSV and TSV. Fields are found by their common names (`fields.NAMES`) or set by the
user. An article's id is `<file>#<record id>` (the record's id field, else `L<line>`
/ `row<n>` / `<index>`), so it is stable across runs and a changed record re-embeds
alone. A bad record is reported with its line and the rest of the file is indexed."""

from __future__ import annotations

import csv
import hashlib
import json
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from index.articles import Article, ReadOptions, Skip, decode, make_article, rel
from index.formats.fields import columns, iso_date, plain

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))  # article bodies are longer than csv's 128 KB default


def read(root: Path, path: Path, options: ReadOptions) -> Iterator[Article | Skip]:
    file_id = rel(root, path)
    keeps = f"{file_id}#"
    try:
        suffix = path.suffix.lower()
        if suffix in (".jsonl", ".ndjson"):
            rows = _json_lines(path)
        elif suffix == ".json":
            rows = _json_array(path)
        else:
            rows = _table(path, "\t" if suffix == ".tsv" else ",", options.fields)
        seen: set[str] = set()
        count = 0
        for where, record in rows:
            if isinstance(record, Skip):
                yield Skip(f"{file_id}#{where}", record.reason, record.detail, keeps)
                continue
            entry = _article(file_id, path, where, record, options.fields, seen)
            if isinstance(entry, Article):
                count += 1
                yield entry
            else:  # a record without text: the file is read only in part
                yield replace(entry, keeps=keeps)
        if count == 0:
            yield Skip(file_id, "no_articles", "no record with a text field", keeps)
    except NoTextField as exc:
        yield Skip(file_id, "no_text_field", _one_line(exc), keeps)
    except (OSError, ValueError, csv.Error, UnicodeDecodeError) as exc:
        yield Skip(file_id, "unreadable", _one_line(exc), keeps)


def _json_lines(path: Path) -> Iterator[tuple[str, dict | Skip]]:
    with path.open("rb") as f:
        for number, raw in enumerate(f, start=1):
            if not raw.strip():
                continue
            text, _ = decode(raw)
            try:
                record = json.loads(text)
            except json.JSONDecodeError as exc:
                yield f"L{number}", Skip("", "bad_record", f"line {number}: {exc.msg}")
                continue
            yield f"L{number}", record if isinstance(record, dict) else Skip(
                "", "bad_record", f"line {number}: not an object")


def _json_array(path: Path) -> Iterator[tuple[str, dict | Skip]]:
    text, _ = decode(path.read_bytes())
    data = json.loads(text)  # a broken file is unreadable as a whole: ValueError
    if isinstance(data, dict):  # {"articles": [...]} or {"items": [...]}, or one article
        lists = [v for v in data.values() if isinstance(v, list) and v and isinstance(v[0], dict)]
        data = lists[0] if lists else [data]
    if not isinstance(data, list):
        raise ValueError("not a list of articles")
    for index, record in enumerate(data):
        yield str(index), record if isinstance(record, dict) else Skip("", "bad_record", f"item {index}: not an object")


class NoTextField(ValueError):
    """A table none of whose columns holds the article text."""


def _table(path: Path, delimiter: str, chosen: dict[str, str]) -> Iterator[tuple[str, dict | Skip]]:
    raw = path.read_bytes()
    text, _ = decode(raw)
    lines = text.splitlines(keepends=True)
    if delimiter == "," and lines:
        try:
            delimiter = csv.Sniffer().sniff(lines[0], delimiters=",;\t|").delimiter
        except csv.Error:
            pass
    reader = csv.DictReader(lines, delimiter=delimiter)
    header = [str(k) for k in reader.fieldnames or []]
    if columns(header, chosen)["text"] is None:
        raise NoTextField(f"no text column among {', '.join(header[:12]) or 'no columns'}")
    for number, row in enumerate(reader, start=1):
        if None in row:  # more cells than the header names
            row.pop(None)
        yield f"row{number}", row


def _article(file_id: str, path: Path, where: str, record: dict, chosen: dict[str, str],
             seen: set[str]) -> Article | Skip:
    names = columns([str(k) for k in record], chosen)
    value = {field: (record.get(key) if key else None) for field, key in names.items()}
    text = plain(value["text"])
    if not text:
        missing = "no text field" if names["text"] is None else f"empty {names['text']!r}"
        return Skip(f"{file_id}#{where}", "bad_record", f"{where}: {missing}")
    record_id = plain(value["id"])
    key = f"{file_id}#{record_id}" if record_id and len(record_id) <= 200 else f"{file_id}#{where}"
    if key in seen:
        key = f"{file_id}#{where}"  # a repeated id: the position tells the copies apart
    seen.add(key)
    warnings = []
    day = iso_date(value["date"]) if value["date"] not in (None, "") else None
    if value["date"] not in (None, "") and day is None:
        warnings.append("bad_date")
    headline = plain(value["headline"]) or _first_words(text)
    digest = hashlib.sha256(json.dumps(record, sort_keys=True, default=str, ensure_ascii=False).encode()).hexdigest()
    return make_article(key, path, " ".join(headline.split()), day, text.replace("\r\n", "\n"), digest, warnings,
                        url=plain(value["url"]), outlet=plain(value["outlet"]), author=plain(value["author"]))


def _first_words(text: str, most: int = 12) -> str:
    words = text.split()
    return " ".join(words[:most]) + ("..." if len(words) > most else "")


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split())[:200] or type(exc).__name__
