"""The language-model answerer: numbered passages -> the model's reply -> only checked claims.

What fails the check is removed and said in `notes`; when the model cannot be
used or nothing it wrote survives, the extractive reader answers instead, with
a note saying so. The answer's citations have the extractive mode's shape: each
is a verbatim sentence of its article, at its offsets.
"""

from __future__ import annotations

from dataclasses import replace

from index.settings import Settings
from qa.answerer import AnswerContext, Answerer
from qa.llm import client, prompt
from qa.llm.check import Checked, check, is_refusal
from qa.types import Answer, Citation, Passage


class LLMAnswerer:
    def __init__(self, settings: Settings, fallback: Answerer, llm=None):
        self.settings = settings
        self.fallback = fallback
        self._llm = llm

    @property
    def llm(self):
        if self._llm is None:
            self._llm = client.build(self.settings)
        return self._llm

    def answer(self, question: str, passages: list[Passage], context: AnswerContext) -> Answer:
        earlier = context.resolved[: -len(question)].strip() if context.resolved.endswith(question) else ""
        numbered = prompt.number(passages, question, self.settings.llm_context_tokens, earlier)
        if not numbered:
            return self._fall_back(question, passages, context, ["no passage fits the model's context"])
        try:
            reply = client.reply(self.llm, prompt.messages(question, numbered, earlier),
                                 self.settings.llm_timeout, on_text=context.on_text)
        except client.LLMFailure as exc:
            return self._fall_back(question, passages, context, [f"the model could not be used: {exc}"])
        checked = check(reply, numbered, context.embed)
        kept = [c for c in checked if c.reason is None]
        notes = [_removed(c) for c in checked if c.reason is not None]
        if not kept:
            if is_refusal(reply):
                return Answer(question, prompt.NOT_ANSWERED, True, [], passages, context.resolved, 0.0,
                              mode="llm", notes=["the model found no answer in the passages"])
            return self._fall_back(question, passages, context,
                                   notes + ["nothing the model wrote passed the check"])
        text, citations = _compose(kept)
        score = round(sum(c.score for c in kept) / len(kept), 3)
        return Answer(question, text, False, citations, passages, context.resolved, score, mode="llm", notes=notes)

    def _fall_back(self, question: str, passages: list[Passage], context: AnswerContext,
                   notes: list[str]) -> Answer:
        answer = self.fallback.answer(question, passages, context)
        return replace(answer, mode="extractive", notes=notes + ["this is the extractive answer instead"])


def _removed(c: Checked) -> str:
    shown = c.sentence if len(c.sentence) <= 160 else c.sentence[:157] + "..."
    return f'removed "{shown}": {c.reason}'


def _compose(kept: list[Checked]) -> tuple[str, list[Citation]]:
    """The kept sentences with their markers renumbered over the verbatim quotes they rest on."""
    numbers: dict[tuple[str, int, int], int] = {}
    citations: list[Citation] = []
    sentences = []
    for c in kept:
        marks = []
        for s in c.supports:
            p = s.numbered.passage
            key = (p.article_id, s.start, s.end)
            if key not in numbers:
                numbers[key] = len(numbers) + 1
                quote = s.numbered.text[s.start - p.start:s.end - p.start]
                citations.append(Citation(numbers[key], p.article_id, p.headline, p.date, p.path, quote,
                                          s.start, s.end, p.url, p.outlet, p.author))
            if f"[{numbers[key]}]" not in marks:
                marks.append(f"[{numbers[key]}]")
        sentences.append(f"{c.sentence.rstrip()} {''.join(marks)}")
    return " ".join(sentences), citations
