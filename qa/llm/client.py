"""The configured language model, and one reply from it under a hard deadline.

Nothing is contacted unless `answer_mode`/`--mode llm` is asked for and a model
is configured. Every failure (refused connection, timeout, HTTP error, a reply
that is not the expected JSON, context exceeded) becomes `LLMFailure` with a
one-line reason; the caller falls back to the extractive answer.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable

from index.errors import UserError
from index.settings import Settings

OLLAMA_URL = "http://localhost:11434"


class LLMFailure(Exception):
    """The model gave no usable reply; the message says why in one line."""


def configured(settings: Settings) -> bool:
    return bool(settings.llm_model) and (settings.llm_api == "ollama" or bool(settings.llm_base_url))


def require(settings: Settings) -> None:
    if not configured(settings):
        raise UserError("the llm answer mode needs a model: set QA_LLM_MODEL and QA_LLM_BASE_URL "
                        "(or QA_LLM_API=ollama); see the README")


def build(settings: Settings):
    """The llama-index LLM for the settings (no request is made here)."""
    require(settings)
    if settings.llm_api == "ollama":
        from llama_index.llms.ollama import Ollama

        return Ollama(model=settings.llm_model, base_url=(settings.llm_base_url or OLLAMA_URL).rstrip("/"),
                      request_timeout=settings.llm_timeout, context_window=settings.llm_context_tokens,
                      temperature=0.0)
    from llama_index.llms.openai_like import OpenAILike

    return OpenAILike(model=settings.llm_model, api_base=settings.llm_base_url.rstrip("/"),
                      api_key=settings.llm_api_key or "none", is_chat_model=True,
                      context_window=settings.llm_context_tokens, timeout=settings.llm_timeout,
                      max_retries=0, temperature=0.0, max_tokens=None)


def reply(llm, messages, timeout: float, on_text: Callable[[str], None] | None = None) -> str:
    """The model's whole reply. Streams (calling `on_text` with the text so far) when asked;
    gives up after `timeout` seconds in all, whatever the server does."""
    events: queue.Queue = queue.Queue()

    def work() -> None:
        try:
            if on_text is None:
                events.put(("done", _text(llm.chat(messages))))
                return
            text = ""
            for chunk in llm.stream_chat(messages):
                text = _text(chunk)
                events.put(("part", text))
            events.put(("done", text))
        except Exception as exc:  # noqa: BLE001 - any client error is a failed reply, said in one line
            events.put(("error", exc))

    threading.Thread(target=work, daemon=True, name="llm-reply").start()
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise LLMFailure(f"no reply within {timeout:g} s")
        try:
            kind, value = events.get(timeout=left)
        except queue.Empty:
            raise LLMFailure(f"no reply within {timeout:g} s") from None
        if kind == "part":
            on_text(value)
        elif kind == "error":
            raise LLMFailure(describe(value)) from None
        else:
            if not value.strip():
                raise LLMFailure("the model's reply was empty" if on_text is None
                                 else "the model's stream held no text (empty, or not the API's format)")
            return value


def _text(response) -> str:
    message = getattr(response, "message", None)
    if message is None:
        raise LLMFailure("the model's reply held no message")
    content = message.content
    if content is None:
        return ""
    if not isinstance(content, str):
        raise LLMFailure("the model's reply held no text")
    return content


def describe(exc: Exception) -> str:
    """One line for a failed call: the HTTP status or the kind of failure, never a traceback."""
    if isinstance(exc, LLMFailure):
        return str(exc)
    status = getattr(exc, "status_code", None) or getattr(getattr(exc, "response", None), "status_code", None)
    text = " ".join(str(exc).split())[:160]
    lowered = text.lower()
    if "context" in lowered and ("length" in lowered or "window" in lowered or "exceed" in lowered):
        return "the prompt exceeded the model's context" + (f" (HTTP {status})" if status else "")
    name = type(exc).__name__
    if "timeout" in name.lower() or "timed out" in lowered:
        return "the endpoint timed out"
    if "connect" in name.lower() or "connection" in lowered:
        return "the endpoint could not be reached"
    if status:
        return f"the endpoint answered HTTP {status}"
    return f"the endpoint's reply could not be read ({name})"
