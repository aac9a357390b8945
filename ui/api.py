"""Endpoints for scripts (gradio_client): /chat, /article, /status, returning JSON-able dicts.

A user error becomes `gr.Error(message)`, which a client raises as
`gradio_client.exceptions.AppError` with that message.
"""

from __future__ import annotations

import logging

import gradio as gr

from index.errors import UserError
from ui.service import Service

log = logging.getLogger(__name__)


# gradio_client takes any returned dict with a "path" key for a file to download,
# so the article's file is returned under "file".
def _citation(c: dict) -> dict:
    keys = ("n", "headline", "date", "quote", "article_id", "start", "end", "url", "outlet", "author", "also_in")
    return {**{key: c.get(key) for key in keys}, "file": c.get("path")}


def _passage(p: dict) -> dict:
    keys = ("rank", "score", "headline", "date", "text", "article_id", "start", "end", "url", "outlet", "author",
            "also_in")
    return {**{key: p.get(key) for key in keys}, "file": p.get("path")}


def _article(found: dict) -> dict:
    return {"file" if key == "path" else key: value for key, value in found.items()}


def _call(fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except UserError as exc:
        raise gr.Error(str(exc), print_exception=False) from None


def register(service: Service) -> None:
    """Add the script endpoints to the Blocks being built."""

    def chat(message: str, history: list[dict] | None = None, k: int = 5, since: str = "",
             until: str = "", search_only: bool = False, answer_mode: str = "", as_of: str = "") -> dict:
        """Answer a question from the indexed articles, with cited quotes.

        history: earlier turns as [{"role": "user"|"assistant", "content": str}];
        k: passages to draw on (1-50); since/until: YYYY-MM-DD or "";
        search_only: list passages without composing an answer;
        answer_mode: "extractive", "llm" or "" (the server's QA_ANSWER_MODE);
        as_of: YYYY-MM-DD, the day "last week" or "this year" in the question count from ("" today).
        Returns {"question", "answer", "abstained", "citations": [{"n", "headline", "date",
        "quote", "article_id", "file", "start", "end", "url", "outlet", "author"}], "passages": [...], "mode",
        "answer_mode", "notes", ...}.
        """
        reply = _call(service.reply, message, history, k, since, until, search_only, answer_mode, as_of=as_of)
        return {
            "question": reply["question"],
            "answer": reply["answer"],
            "abstained": reply["abstained"],
            "citations": [_citation(c) for c in reply["citations"]],
            "passages": [_passage(p) for p in reply["passages"]],
            "resolved_question": reply.get("resolved_question", reply["question"]),
            "confidence": reply.get("confidence", 0.0),
            "mode": reply["mode"],
            "answer_mode": reply.get("answer_mode", "extractive"),
            "notes": reply.get("notes", []),
            **({"by_month": reply["by_month"]} if "by_month" in reply else {}),
        }

    def article(article_id: str, start: int = -1, end: int = -1) -> dict:
        """An indexed article by id: {"id", "headline", "date", "file", "text", "start", "end", "quote"}.

        start/end (optional) mark a span; "quote" is text[start:end] when they are valid.
        """
        return _article(_call(service.article, article_id, start, end))

    def status() -> dict:
        """Articles, chunks, embedding model and last update of the index."""
        return _call(service.status)

    gr.api(chat, api_name="chat", concurrency_id="answer", concurrency_limit=4)
    gr.api(article, api_name="article", concurrency_limit=4)
    gr.api(status, api_name="status", concurrency_limit=4)
