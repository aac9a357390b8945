"""The UI's only way to the engine: checked inputs in, plain dicts out.

No retrieval or answering happens here; every result comes from an Engine
method. Errors a user can cause stay `UserError`s for the caller to show.
"""

from __future__ import annotations

from collections.abc import Callable

from index.errors import UserError
from qa.engine import Engine
from qa.inputs import check_question
from qa.llm import client as llm_client


class Service:
    def __init__(self, engine: Engine):
        self.engine = engine

    @property
    def max_question_chars(self) -> int:
        return int(self.engine.settings.max_question_chars)

    def examples(self) -> list[str]:
        """Example questions for the first screen: headlines of the indexed articles."""
        return self.engine.example_questions(3)

    @property
    def answer_modes(self) -> list[str]:
        """The answer modes this engine can use: the model's only when one is configured."""
        return ["extractive", "llm"] if llm_client.configured(self.engine.settings) else ["extractive"]

    @property
    def default_answer_mode(self) -> str:
        mode = self.engine.settings.answer_mode
        return mode if mode in self.answer_modes else "extractive"

    def reply(self, message: object, history: object = None, k: object = 5, since: object = None,
              until: object = None, search_only: bool = False, answer_mode: object = None,
              on_text: Callable[[str], None] | None = None, as_of: object = None) -> dict:
        """One chat turn: an answer (engine.ask) or, in search-only mode, passages (engine.search)
        and their articles counted by month. `mode` says which; `answer_mode` who wrote the
        answer ("extractive" or "llm"); `as_of` the day "last week" counts from (default today)."""
        as_of = as_of or None
        if search_only:
            question = check_question(message, self.max_question_chars)
            passages, by_month = self.engine.search_by_month(question, k=k, since=since, until=until, as_of=as_of)
            return {
                "by_month": by_month,
                "notes": [],
                "mode": "search",
                "question": question,
                "answer": "",
                "abstained": False,
                "citations": [],
                "passages": [p.to_dict() for p in passages],
                "resolved_question": question,
                "confidence": 0.0,
            }
        answer = self.answer(message, history, k, since, until, answer_mode, on_text, as_of)
        return {**answer, "mode": "answer", "answer_mode": answer["mode"]}

    def answer(self, message: object, history: object = None, k: object = 5, since: object = None,
               until: object = None, answer_mode: object = None, on_text: Callable[[str], None] | None = None,
               as_of: object = None) -> dict:
        """An answer as `qa ask --json` prints it (its `mode`: "extractive" or "llm")."""
        if answer_mode not in (None, "", "extractive", "llm"):
            raise UserError("answer_mode must be 'extractive' or 'llm'")
        return self.engine.ask(message, history=history, k=k, since=since, until=until,
                               answer_mode=answer_mode or None, on_text=on_text, as_of=as_of or None).to_dict()

    def article(self, article_id: object, start: object = None, end: object = None) -> dict:
        """An indexed article (engine.article is the gate: anything else is a UserError)."""
        if not isinstance(article_id, str) or not article_id.strip():
            raise UserError("No article id given.")
        found = self.engine.article(article_id).to_dict()
        span = _span(start, end, len(found["text"]))
        found["start"], found["end"] = span if span else (None, None)
        found["quote"] = found["text"][span[0]:span[1]] if span else None
        return found

    def texts(self, reply: dict) -> dict[str, str]:
        """Article texts of a reply's citations, to show each quote in its paragraph."""
        out: dict[str, str] = {}
        for c in reply.get("citations") or []:
            if c["article_id"] not in out:
                try:
                    out[c["article_id"]] = self.engine.article(c["article_id"]).text
                except UserError:  # removed by an update since the answer
                    pass
        return out

    def status(self) -> dict:
        return self.engine.status().to_dict()

    def update(self, on_progress: Callable[[int, int | None], None]) -> dict:
        """Update every recorded source, reporting (done, total) articles; never removes more than
        half of the index without a confirmation, which the chat does not give."""
        state = {"done": 0, "total": None}

        def on_total(total: int) -> None:
            state["total"] = total
            on_progress(0, total)

        def progress(n: int) -> None:
            state["done"] += n
            on_progress(state["done"], state["total"])

        return self.engine.index(progress=progress, on_total=on_total).to_dict()


def _span(start: object, end: object, length: int) -> tuple[int, int] | None:
    try:
        s, e = int(start), int(end)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return (s, e) if 0 <= s < e <= length else None
