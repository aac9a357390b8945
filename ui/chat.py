"""Event handlers of the page: chat turns, sources, the article viewer, the index panel.

All per-user data lives in the session's `gr.State` (the list of turns) and is
passed in and out of each handler; nothing about a conversation is kept here.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
import unicodedata

import gradio as gr

from index.errors import UserError
from ui import render
from qa.inputs import KEPT_MESSAGES
from ui.service import Service

log = logging.getLogger(__name__)

STREAM_STEPS = 24  # an answer is revealed in about this many steps
STREAM_PAUSE = 0.02  # seconds between steps
SHOWN_QUESTION_CHARS = 200
THINKING = "*Searching the articles…*"
FAILED = "Something went wrong while answering; the details are in the server log."


def _shown(message: object) -> str:
    """The user's message as shown in the chat: printable, not too long."""
    text = message if isinstance(message, str) else ""
    text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cs"))
    text = text.strip()
    if len(text) > SHOWN_QUESTION_CHARS:
        text = text[:SHOWN_QUESTION_CHARS] + f" … ({len(text)} characters)"
    return text


def _example(evt: object) -> str | None:
    """The text of a clicked example message, if this event is one."""
    data = getattr(evt, "_data", None)
    value = data.get("value") if isinstance(data, dict) else None
    return value.get("text") if isinstance(value, dict) and isinstance(value.get("text"), str) else None


def history_for_engine(turns: list[dict]) -> list[dict]:
    """The conversation as the engine takes it: plain questions and answers, errors left out,
    the last turns only (what a follow-up is resolved against; a long session stays within
    the engine's history limits)."""
    out: list[dict] = []
    for t in turns[-(KEPT_MESSAGES // 2):]:
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
        out.append({"role": "user", "content": render.md_text(t.get("shown") or t.get("question", ""))})
        out.append({"role": "assistant", "content": render.answer_markdown(t, i)})
    return out


class Handlers:
    def __init__(self, service: Service):
        self.service = service

    # -- chat ------------------------------------------------------------------

    def respond(self, message, turns, k, since, until, search_only, answer_mode, evt: gr.EventData):
        """Stream one turn. Outputs: chatbot, textbox, turns, shown turn, sources, tabs, ask button.

        The question is the textbox's, or a clicked example's (chatbot.example_select). A
        model's reply streams as it is written, then the checked answer replaces it.
        """
        message = _example(evt) or message
        turns = list(turns or [])
        pending = {"role": "user", "content": render.md_text(_shown(message))}
        skip = gr.skip()
        yield (chat_messages(turns) + [pending, {"role": "assistant", "content": THINKING}], "", skip, skip, skip,
               skip, gr.Button(interactive=False))
        if answer_mode == "llm" and not search_only:
            for text in self._streamed(message, turns, k, since, until, answer_mode):
                if isinstance(text, dict):
                    turns.append(text)
                    break
                streamed = {"role": "assistant", "content": render.streaming_markdown(text)}
                yield chat_messages(turns) + [pending, streamed], skip, skip, skip, skip, skip, skip
        else:
            turns.append(self._reply(message, turns, k, since, until, search_only, answer_mode))
        turn = len(turns) - 1
        try:
            final = chat_messages(turns)
            sources = None if turns[-1].get("error") else render.sources_html(
                turns[-1], turn, self.service.texts(turns[-1]))
        except Exception:  # a bug, not the user's doing: log it, show one line
            log.exception("rendering a chat turn failed")
            turns[-1] = {"error": FAILED, "shown": turns[-1]["shown"], "question": turns[-1]["question"]}
            final, sources = chat_messages(turns), None
        reply = turns[-1]
        text = reply.get("answer") or ""
        revealed = reply.get("answer_mode") != "llm"  # a model's reply was already streamed as written
        if sources is not None and reply.get("mode") == "answer" and revealed and not reply.get("abstained") \
                and len(text) > 40:
            before = final[:-1]
            step = max(1, len(text) // STREAM_STEPS)
            for upto in range(step, len(text), step):
                cut = text.rfind(" ", 0, upto) + 1 or upto
                partial = render.answer_markdown(reply, turn, upto=cut)
                yield before + [{"role": "assistant", "content": partial}], skip, skip, skip, skip, skip, skip
                time.sleep(STREAM_PAUSE)
        if sources is None:  # an error: the message says it all, the last sources stay in view
            yield final, skip, turns, skip, skip, skip, skip
        else:
            yield final, skip, turns, turn, sources, gr.Tabs(selected="sources"), skip

    def _streamed(self, message, turns, k, since, until, answer_mode):
        """The model's text so far, as it streams (latest only), then the finished reply (a dict)."""
        events: queue.Queue = queue.Queue()

        def work() -> None:
            events.put(self._reply(message, turns, k, since, until, False, answer_mode, on_text=events.put))

        threading.Thread(target=work, daemon=True, name="chat-turn").start()
        while True:
            item = events.get()
            while not isinstance(item, dict) and not events.empty():  # skip to the newest text
                item = events.get()
            yield item
            if isinstance(item, dict):
                return

    def _reply(self, message, turns, k, since, until, search_only, answer_mode=None, on_text=None) -> dict:
        try:
            reply = self.service.reply(message, history_for_engine(turns), k, since, until, bool(search_only),
                                       answer_mode, on_text)
        except UserError as exc:
            reply = {"error": str(exc)}
        except Exception:  # a bug, not the user's doing: log it, show one line
            log.exception("chat turn failed")
            reply = {"error": FAILED}
        reply["shown"] = _shown(message)
        reply.setdefault("question", reply["shown"])
        return reply

    def show_turn(self, turns, shown, evt: gr.SelectData):
        """Clicking a message in the chat shows that turn's sources (if not already shown)."""
        index = evt.index if isinstance(evt.index, int) else (evt.index or [0])[0]
        turns = turns or []
        turn = int(index) // 2
        if not 0 <= turn < len(turns) or turn == shown or turns[turn].get("error"):
            return gr.skip(), gr.skip(), gr.Tabs(selected="sources") if turn == shown else gr.skip()
        reply = turns[turn]
        return turn, render.sources_html(reply, turn, self.service.texts(reply)), gr.Tabs(selected="sources")

    def clear(self):
        return [], [], -1, render.sources_html(None, 0, {}), render.article_placeholder()

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

        progress(0, desc="Reading the sources")
        try:
            report = self.service.update(on_progress)
            note = render.report_markdown(report)
        except UserError as exc:
            note = "⚠️ " + render.esc(str(exc))
        return self.status(), note
