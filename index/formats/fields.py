"""What a record's fields mean: names found by common spellings (or set by the user),
values made plain (a date in any usual form -> ISO, HTML in a text field -> text)."""

from __future__ import annotations

import re
from datetime import date, datetime, timezone

# field -> the names it goes by in exports, feeds and crawls, most specific first
NAMES: dict[str, tuple[str, ...]] = {
    "headline": ("headline", "title", "name", "subject"),
    "text": ("text", "body", "content", "article", "full_text", "fulltext", "story", "description", "summary"),
    "date": ("date", "published", "published_at", "publishedat", "pubdate", "publish_date", "publication_date",
             "datetime", "timestamp", "created_at", "updated"),
    "url": ("url", "link", "canonical_url", "permalink", "href", "uri"),
    "outlet": ("source", "outlet", "publisher", "publication", "site_name", "sitename", "site", "newspaper",
               "source_name"),
    "author": ("author", "byline", "authors", "creator", "writer"),
    "id": ("id", "guid", "uuid", "article_id", "doc_id", "_id", "record_id"),
}
FIELDS = tuple(NAMES)


def columns(keys: list[str], chosen: dict[str, str]) -> dict[str, str | None]:
    """field -> the record key holding it (None: not there). A name in `chosen` (the user's
    settings) wins where the record has it; elsewhere the common names are looked for."""
    lowered = {_key(k): k for k in keys}
    out: dict[str, str | None] = {}
    taken = {lowered[_key(v)] for v in chosen.values() if v and _key(v) in lowered}
    for name in FIELDS:
        mine = lowered.get(_key(chosen[name])) if chosen.get(name) else None
        out[name] = mine or next((lowered[n] for n in NAMES[name] if n in lowered and lowered[n] not in taken), None)
        if out[name]:
            taken.add(out[name])
    return out


def _key(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", name.strip().lower())


def plain(value: object) -> str | None:
    """A record value as text: lists joined ("authors": ["A", "B"] -> "A, B"), dicts by their
    name or value, HTML markup removed; None when empty."""
    if value is None:
        return None
    if isinstance(value, list):
        parts = [plain(v) for v in value]
        return ", ".join(p for p in parts if p) or None
    if isinstance(value, dict):
        return plain(value.get("name") or value.get("value") or value.get("href") or value.get("title"))
    text = str(value).strip()
    if "<" in text and re.search(r"</?(?:p|br|div|span|a|em|strong|b|i|ul|li|h\d)\b", text, re.I):
        text = html_text(text)
    return text or None


def html_text(fragment: str) -> str:
    """The text of an HTML fragment, one paragraph per block element."""
    import lxml.html

    try:
        tree = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except Exception:  # lxml raises several kinds on broken markup
        return re.sub(r"<[^>]+>", " ", fragment)
    for bad in tree.xpath("//script|//style"):
        bad.drop_tree()
    for block in tree.xpath("//p|//div|//br|//li|//h1|//h2|//h3|//h4|//h5|//h6|//blockquote|//tr"):
        block.tail = "\n\n" + (block.tail or "")
    paragraphs = [" ".join(p.split()) for p in tree.text_content().split("\n\n")]
    return "\n\n".join(p for p in paragraphs if p)


def iso_date(value: object) -> str | None:
    """'2005-03-01', '2005-03-01T10:00:00Z', 'Tue, 01 Mar 2005 10:00:00 GMT', 'March 1, 2005',
    a Unix timestamp -> '2005-03-01'; None when it is not a date."""
    if value is None or value == "":
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        seconds = value / 1000 if value > 1e11 else value  # milliseconds
        try:
            return datetime.fromtimestamp(seconds, tz=timezone.utc).date().isoformat()
        except (OverflowError, OSError, ValueError):
            return None
    text = str(value).strip()
    if re.fullmatch(r"\d{10}(?:\d{3})?", text):
        return iso_date(int(text))
    if re.fullmatch(r"\d{4}", text):
        return None  # a year alone is not a day
    try:
        return date.fromisoformat(text[:10]).isoformat()
    except ValueError:
        pass
    from dateutil import parser

    try:
        found = parser.parse(text, fuzzy=False, default=datetime(1900, 1, 1))
    except (ValueError, OverflowError, TypeError):
        return None
    return found.date().isoformat() if 1800 < found.year < 2200 else None
