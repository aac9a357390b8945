"""HTML and Markdown for the chat: answers with linked markers, sources, passages, articles.

Pure functions of plain data (dicts as produced by `ui.api`), no engine calls:
everything shown here is escaped, since article text is untrusted input.
"""

from __future__ import annotations

import html
import re

MARKER = re.compile(r"\[(\d{1,3})\]")
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~>-])")
CONTEXT_CHARS = 420  # at most this much paragraph text either side of a quote
PASSAGE_CHARS = 600  # passage previews are cut to this


def esc(text: object) -> str:
    return html.escape("" if text is None else str(text), quote=True)


def md_text(text: str) -> str:
    """Answer text for the chatbot's Markdown: HTML-escaped, Markdown syntax neutralised."""
    return _MD_SPECIAL.sub(r"\\\1", html.escape(text, quote=False))


def src_id(turn: int, n: int) -> str:
    return f"qa-src-{turn}-{n}"


def answer_markdown(reply: dict, turn: int, upto: int | None = None) -> str:
    """The chat message for one reply; `upto` cuts the text (streaming).

    Markers [n] that match a citation become links to that source's card.
    """
    if reply.get("error"):
        return "⚠️ " + md_text(reply["error"])
    if reply.get("mode") == "search":
        text = _search_summary(reply)
    else:
        text = reply.get("answer") or ""
    if upto is not None:
        text = text[:upto]
    cited = {c["n"] for c in reply.get("citations", [])}
    out: list[str] = []
    pos = 0
    for m in MARKER.finditer(text):
        out.append(md_text(text[pos:m.start()]))
        n = int(m.group(1))
        if n in cited:
            out.append(f'<a class="qa-cite" href="#{src_id(turn, n)}" title="Show source {n}">[{n}]</a>')
        else:
            out.append(md_text(m.group(0)))
        pos = m.end()
    out.append(md_text(text[pos:]))
    body = "".join(out)
    if reply.get("abstained") and upto is None and reply.get("passages"):
        body += "\n\n*The closest passages are in the Sources panel.*"
    if upto is None:
        body += notes_markdown(reply)
    return body


_INFORMATIVE = ("searched ", "the articles are undated")  # notes that warn of nothing


def notes_markdown(reply: dict) -> str:
    """Who wrote the answer, and what the check removed or why the model was not used."""
    notes = reply.get("notes") or []
    if not notes and reply.get("answer_mode") != "llm":
        return ""
    lines = ["*Written by the language model; every sentence was checked against its quote.*"
             if reply.get("answer_mode") == "llm" else "*Quoted from the articles (extractive answer).*"]
    lines += [f"- {'ℹ️' if note.startswith(_INFORMATIVE) else '⚠️'} {md_text(note)}" for note in notes]
    return "\n\n" + "\n".join(lines)


def streaming_markdown(text: str) -> str:
    """The model's reply while it streams: shown as unchecked until the check replaces it."""
    return md_text(text) + "\n\n*Checking each sentence against the articles…*"


def _search_summary(reply: dict) -> str:
    passages = reply.get("passages", [])
    if not passages:
        return "Search only: no passages matched."
    heads = list(dict.fromkeys(p["headline"] for p in passages))
    articles = f"{len(heads)} article" + ("s" if len(heads) != 1 else "")
    shown = "; ".join(heads[:5]) + ("; …" if len(heads) > 5 else "")
    summary = f"Search only: {len(passages)} passages from {articles}, listed under Sources: {shown}"
    return summary + timeline_markdown(reply.get("by_month") or {})


def timeline_markdown(by_month: dict[str, int]) -> str:
    """Matching articles per month as a small bar chart (text, so it reads anywhere)."""
    if not by_month or list(by_month) == ["undated"]:
        return ""
    most = max(by_month.values())
    rows = [f"`{month}` {'▇' * max(1, round(8 * n / most))} {n}" for month, n in by_month.items()]
    return "\n\nMatching articles by month:\n\n" + "  \n".join(rows)


def paragraph_around(text: str, start: int, end: int) -> tuple[str, str, str]:
    """(before, quote, after): the quote inside its paragraph, trimmed at CONTEXT_CHARS."""
    start = max(0, min(start, len(text)))
    end = max(start, min(end, len(text)))
    para_start = text.rfind("\n\n", 0, start)
    para_start = 0 if para_start < 0 else para_start + 2
    para_end = text.find("\n\n", end)
    para_end = len(text) if para_end < 0 else para_end
    before = text[para_start:start]
    after = text[end:para_end]
    if len(before) > CONTEXT_CHARS:
        cut = before[-CONTEXT_CHARS:]
        space = cut.find(" ")
        before = "… " + (cut[space + 1:] if 0 <= space < 40 else cut)
    if len(after) > CONTEXT_CHARS:
        cut = after[:CONTEXT_CHARS]
        space = cut.rfind(" ")
        after = (cut[:space] if space > CONTEXT_CHARS - 40 else cut) + " …"
    return before, text[start:end], after


def _meta_line(item: dict) -> str:
    """'date · outlet · author · file · original': the file as its id (its path inside the
    corpus, the full path on hover), and a link to the original when the article has a URL."""
    parts = [esc(item.get("date") or "undated")]
    parts += [f'<span class="qa-{key}">{esc(item[key])}</span>' for key in ("outlet", "author") if item.get(key)]
    name = item.get("article_id") or item.get("id") or item.get("path") or item.get("file") or ""
    parts.append(f'<span class="qa-file" title="{esc(item.get("path") or item.get("file") or name)}">{esc(name)}</span>')
    url = item.get("url") or ""
    if url.startswith(("http://", "https://")):
        parts.append(f'<a class="qa-link" href="{esc(url)}" target="_blank" rel="noopener noreferrer">original ↗</a>')
    return " · ".join(parts)



def _also_in(item: dict) -> str:
    """'Also in: Outlet (date), ...': the other copies of the story, linked when they have a URL."""
    copies = item.get("also_in") or []
    if not copies:
        return ""
    shown = []
    for copy in copies[:5]:
        name = esc(copy.get("outlet") or copy.get("article_id") or "")
        dated = f" ({esc(copy['date'])})" if copy.get("date") else ""
        url = copy.get("url") or ""
        shown.append(f'<a class="qa-link" href="{esc(url)}" target="_blank" rel="noopener noreferrer">{name}</a>{dated}'
                     if url.startswith(("http://", "https://")) else f"{name}{dated}")
    more = f" and {len(copies) - 5} more" if len(copies) > 5 else ""
    return f'<div class="qa-also">Also in: {", ".join(shown)}{more}</div>'


def _card_attrs(article_id: str, start: int, end: int) -> str:
    return (f'data-article="{esc(article_id)}" data-start="{int(start)}" data-end="{int(end)}"'
            ' role="button" tabindex="0" title="Open the article"')


def sources_html(reply: dict | None, turn: int, texts: dict[str, str]) -> str:
    """The sources panel for one reply: citations in context, or passages."""
    if reply is None:
        return ('<div class="qa-empty">Ask a question: the passages each answer cites '
                'appear here, and clicking one opens the article.</div>')
    if reply.get("error"):
        return f'<div class="qa-empty">{esc(reply["error"])}</div>'
    head = f'<div class="qa-src-question">{esc(reply.get("question", ""))}</div>'
    citations = reply.get("citations") or []
    if citations and not reply.get("abstained"):
        cards = [_citation_card(c, turn, texts.get(c["article_id"])) for c in citations]
        return f'<div class="qa-sources" data-turn="{turn}">{head}{"".join(cards)}</div>'
    if reply.get("mode") == "search":
        note = "Search only: passages ranked by similarity, no answer composed."
    elif reply.get("abstained"):
        note = "No answer was found. These are the closest passages:"
    else:
        note = "No citations."
    return (f'<div class="qa-sources" data-turn="{turn}">{head}<div class="qa-note">{esc(note)}</div>'
            f'{passages_html(reply.get("passages") or [])}</div>')


def _citation_card(c: dict, turn: int, text: str | None) -> str:
    if text is not None and text[c["start"]:c["end"]] == c["quote"]:
        before, quote, after = paragraph_around(text, c["start"], c["end"])
    else:  # the article changed since the answer: show the quote alone
        before, quote, after = "", c["quote"], ""
    return (
        f'<div class="qa-src qa-card" id="{src_id(turn, c["n"])}" {_card_attrs(c["article_id"], c["start"], c["end"])}>'
        f'<div class="qa-src-title"><span class="qa-n">[{int(c["n"])}]</span> '
        f'<span class="qa-headline">{esc(c["headline"])}</span></div>'
        f'<div class="qa-meta">{_meta_line(c)}</div>'
        f'<div class="qa-context">{esc(before)}<mark class="qa-quote">{esc(quote)}</mark>{esc(after)}</div>'
        f"{_also_in(c)}</div>"
    )


def passages_html(passages: list[dict]) -> str:
    if not passages:
        return '<div class="qa-empty">No passages matched.</div>'
    cards = []
    for p in passages:
        text = p["text"]
        preview = text if len(text) <= PASSAGE_CHARS else text[:PASSAGE_CHARS].rsplit(" ", 1)[0] + " …"
        cards.append(
            f'<div class="qa-passage qa-card" {_card_attrs(p["article_id"], p["start"], p["end"])}>'
            f'<div class="qa-src-title"><span class="qa-n">#{int(p["rank"])}</span> '
            f'<span class="qa-headline">{esc(p["headline"])}</span>'
            f' <span class="qa-score">score {float(p["score"]):.3f}</span></div>'
            f'<div class="qa-meta">{_meta_line(p)}</div>'
            f'<div class="qa-context">{esc(preview)}</div>'
            f"{_also_in(p)}</div>"
        )
    return "".join(cards)


def article_html(article: dict, start: int | None = None, end: int | None = None) -> str:
    """The article viewer: full text in paragraphs, the span [start:end] marked."""
    text = article["text"]
    valid = start is not None and end is not None and 0 <= start < end <= len(text)
    head = (f'<div class="qa-article"><h3 class="qa-article-title">{esc(article["headline"])}</h3>'
            f'<div class="qa-meta">{_meta_line(article)}</div>')
    if not valid:
        body = esc(text)
    else:
        body = (esc(text[:start]) + '<mark class="qa-quote" id="qa-article-mark">' + esc(text[start:end])
                + "</mark>" + esc(text[end:]))
    paragraphs = "".join(f"<p>{para}</p>" for para in body.split("\n\n") if para.strip())
    return f'{head}<div class="qa-article-body">{paragraphs}</div></div>'


def article_placeholder() -> str:
    return '<div class="qa-empty">Click a source to read its article here.</div>'


def error_html(message: str) -> str:
    return f'<div class="qa-error" role="alert">⚠️ {esc(message)}</div>'


def status_markdown(status: dict) -> str:
    rows = [
        ("Articles", status.get("articles")),
        ("Chunks", status.get("chunks")),
        ("Embedding model", status.get("embed_model") or "none yet (not indexed)"),
        ("Last update", _when(status.get("last_update"))),
        ("Store", status.get("store")),
    ]
    lines = [f"- **{name}:** {_md_cell(value)}" for name, value in rows]
    sources = status.get("sources") or []
    lines.append(f"- **Sources:** {'none yet' if not sources else len(sources)}")
    for source in sources:
        missing = " (folder missing: articles kept)" if not source.get("present", True) else ""
        lines.append(f"  - {_md_cell(source.get('folder'))}: {_md_cell(source.get('articles'))} articles{missing}")
    return "\n".join(lines)


def _when(iso: str | None) -> str:
    """'2023-11-08T10:04:00+00:00' -> '2023-11-08 10:04 UTC'."""
    if not iso:
        return "never"
    return iso.replace("T", " ")[:16] + " UTC" if iso.endswith("+00:00") else iso


def _md_cell(value: object) -> str:
    return md_text("" if value is None else str(value))


def report_markdown(report: dict) -> str:
    text = (f"Index up to date: {report.get('added', 0)} added, {report.get('updated', 0)} updated, "
            f"{report.get('removed', 0)} removed, {report.get('unchanged', 0)} unchanged; "
            f"{report.get('chunks', 0)} chunks ({float(report.get('seconds', 0.0)):.1f} s).")
    skipped = report.get("skipped") or {}
    if skipped:
        text += " Skipped: " + ", ".join(f"{n} {why}" for why, n in sorted(skipped.items())) + "."
    return esc(text)
