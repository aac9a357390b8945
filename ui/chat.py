"""Event handlers of the page: chat turns, sources, the article viewer, the index panel.

All per-user data lives in the session's `gr.State` (the list of turns) and is
passed in and out of each handler; nothing about a conversation is kept here.
"""

from __future__ import annotations

import logging
import time
import unicodedata

import gradio as gr

from index.errors import UserError
from ui import render
from ui.service import Service

log = logging.getLogger(__name__)

STREAM_STEPS = 24  # an answer is revealed in about this many steps
STREAM_PAUSE = 0.02  # seconds between steps
SHOWN_QUESTION_CHARS = 400
THINKING = "*Searching the articles…*"


def _shown(message: object) -> str:
    """The user's message as shown in the chat: printable, not too long."""
    text = message if isinstance(message, str) else ""
    text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cs"))
    text = text.strip()
    if len(text) > SHOWN_QUESTION_CHARS:
        text = text[:SHOWN_QUESTION_CHARS] + f" … ({len(text)} characters)"
    return text


def history_for_engine(turns: list[dict]) -> list[dict]:
    """The conversation as the engine takes it: plain questions and answers, errors left out."""
    out: list[dict] = []
    for t in turns:
        if t.get("error"):
            continue
        out.append({"role": "user", "content": t["question"]})
        if t.get("mode") == "search":
            heads = "; ".join(p["headline"] for p in t.get("passages", [])[:5])
            out.append({"role": "assistant", "content": f"Passages found: {heads}" if heads else "No passages."})
        else:
            out.append({"role": "assistant", "content": t.get("answer", "")})
    return out


def chat_messages(turns: list[dict]) -> list[dict]:
    out: list[dict] = []
    for i, t in enumerate(turns):
        out.append({"role": "user", "content": render._md_text(t.get("shown") or t.get("question", ""))})
        out.append({"role": "assistant", "content": render.answer_markdown(t, i)})
    return out


class Handlers:
    def __init__(self, service: Service):
        self.service = service

    # -- chat ------------------------------------------------------------------

    def respond(self, message, turns, k, since, until, search_only):
        """Stream one turn: (chatbot, textbox, turns, sources, tabs) per step."""
        turns = list(turns or [])
        pending = {"role": "user", "content": render._md_text(_shown(message))}
        yield (chat_messages(turns) + [pending, {"role": "assistant", "content": THINKING}],
               "", turns, gr.skip(), gr.skip())
        try:
            reply = self.service.reply(message, history_for_engine(turns), k, since, until, bool(search_only))
        except UserError as exc:
            reply = {"error": str(exc)}
        except Exception:  # a bug, not the user's doing: log it, show one line
            log.exception("chat turn failed")
            reply = {"error": "Something went wrong while answering; the details are in the server log."}
        reply["shown"] = _shown(message)
        reply.setdefault("question", reply["shown"])
        turns.append(reply)
        turn = len(turns) - 1
        before = chat_messages(turns[:-1]) + [pending]
        text = reply.get("answer") or ""
        if reply.get("mode") == "answer" and not reply.get("abstained") and len(text) > 40:
            step = max(1, len(text) // STREAM_STEPS)
            for upto in range(step, len(text), step):
                cut = text.rfind(" ", 0, upto) + 1 or upto
                partial = render.answer_markdown(reply, turn, upto=cut)
                yield before + [{"role": "assistant", "content": partial}], gr.skip(), gr.skip(), gr.skip(), gr.skip()
                time.sleep(STREAM_PAUSE)
        sources = render.sources_html(reply, turn, self.service.texts(reply))
        yield chat_messages(turns), gr.skip(), turns, sources, gr.Tabs(selected="sources")

    def show_turn(self, turns, evt: gr.SelectData):
        """Clicking a message in the chat shows that turn's sources."""
        index = evt.index if isinstance(evt.index, int) else (evt.index or [0])[0]
        turns = turns or []
        turn = int(index) // 2
        if not 0 <= turn < len(turns):
            return gr.skip(), gr.skip()
        reply = turns[turn]
        return render.sources_html(reply, turn, self.service.texts(reply)), gr.Tabs(selected="sources")

    def clear(self):
        return [], [], render.sources_html(None, 0, {}), render.article_placeholder()

    # -- article viewer --------------------------------------------------------

    def open_source(self, evt: gr.EventData):
        data = getattr(evt, "_data", None) or {}
        return self.article_view(data.get("article_id"), data.get("start"), data.get("end")), gr.Tabs(selected="article")

    def article_view(self, article_id, start=None, end=None) -> str:
        try:
            found = self.service.article(article_id, start, end)
        except UserError as exc:
            return render.error_html(str(exc))
        return render.article_html(found, found["start"], found["end"])

    # -- index panel -------------------------------------------------------------

    def status(self) -> str:
        try:
            return render.status_markdown(self.service.status())
        except UserError as exc:
            return "⚠️ " + render.esc(str(exc))

    def update_index(self, progress=gr.Progress()):
        def on_progress(done: int, total: int | None) -> None:
            progress((done, total), desc="Indexing articles", unit="articles")

        progress(0, desc="Reading the corpus folder")
        try:
            report = self.service.update(on_progress)
            note = render.report_markdown(report)
        except UserError as exc:
            note = "⚠️ " + render.esc(str(exc))
        return self.status(), note
