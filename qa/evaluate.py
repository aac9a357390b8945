"""`qa eval`: retrieval, answer, citation and abstention quality on a question file.

Each line: {"question", "answers": [...], "article": "path"|null, optional "articles": [...]}.
Questions with no article (and no answers) are unanswerable: the right output
is an abstention. Every question is asked once with abstention off, and its
confidence kept, so one run also gives the whole threshold trade-off (`sweep`).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path

from index.errors import UserError
from qa.answer import ABSTAIN_BELOW


@dataclass
class Item:
    question: str
    answers: list[str]
    articles: list[str]
    type: str = ""

    @property
    def answerable(self) -> bool:
        return bool(self.articles)


@dataclass
class Outcome:
    item: Item
    confidence: float
    answer: str
    rank: int | None  # rank of the first passage from an expected article
    found_all: bool  # every expected article among the top-k passages
    cited_articles: set[str]
    citations_valid: int
    citations: int
    search_ms: float
    ask_ms: float
    words: int
    passages: list[str] = field(default_factory=list)
    mode: str = "extractive"  # who wrote the answer (llm mode falls back to extractive)
    notes: list[str] = field(default_factory=list)


def load_items(path: Path) -> list[Item]:
    items = []
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise UserError(f"cannot read {path}: {exc.strerror}") from None
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            articles = row.get("articles") or ([row["article"]] if row.get("article") else [])
            items.append(Item(row["question"], list(row.get("answers") or []), articles, row.get("type", "")))
        except (ValueError, KeyError, TypeError) as exc:
            raise UserError(f"{path}:{n}: not a question line ({exc})") from None
    return items


def threshold_for(answer_mode: str, extractive_threshold: float = ABSTAIN_BELOW) -> float:
    """Model answers carry no tunable confidence: their outcome is 1 (answered) or 0 (abstained)."""
    return 0.5 if answer_mode == "llm" else extractive_threshold


def _story(item) -> set[str]:
    """A passage's or citation's article and the copies of its story (shown once, as `also_in`):
    finding any copy finds the story."""
    return {item.article_id} | {c["article_id"] for c in item.also_in}


def run(engine, items: list[Item], k: int = 5, mode: str = "hybrid", rerank: bool = True,
        answer_mode: str = "extractive") -> list[Outcome]:
    """Each question asked once. Extractive: with abstention off, its confidence kept (see
    `sweep`). llm: as a user would get it, the model's own abstentions and fallbacks included."""
    outcomes = []
    llm = answer_mode == "llm"
    threshold = None if llm else 0.0
    if items:  # warm: model loaded, indexes read
        engine.ask(items[0].question, k=k, mode=mode, threshold=0.0, rerank=rerank)
    for item in items:
        started = time.perf_counter()
        engine.search(item.question, k=k, mode=mode, rerank=rerank)
        search_ms = (time.perf_counter() - started) * 1000
        started = time.perf_counter()
        answer = engine.ask(item.question, k=k, mode=mode, threshold=threshold, rerank=rerank,
                            answer_mode=answer_mode)
        ask_ms = (time.perf_counter() - started) * 1000
        ranks = [p.rank for p in answer.passages if _story(p) & set(item.articles)]
        valid = 0
        for c in answer.citations:
            text = engine.article(c.article_id).text
            valid += text[c.start:c.end] == c.quote
        outcomes.append(Outcome(
            item=item, confidence=(float(not answer.abstained) if llm else answer.confidence), answer=answer.answer,
            rank=min(ranks) if ranks else None,
            found_all=all(a in set().union(*map(_story, answer.passages)) for a in item.articles),
            cited_articles=set().union(set(), *map(_story, answer.citations)),
            citations_valid=valid, citations=len(answer.citations),
            search_ms=search_ms, ask_ms=ask_ms, words=len(answer.answer.split()),
            passages=[p.article_id for p in answer.passages], mode=answer.mode, notes=list(answer.notes),
        ))
    return outcomes


def _found(outcome: Outcome) -> bool:
    text = outcome.answer.lower()
    return any(a.lower() in text for a in outcome.item.answers)


def summarise(outcomes: list[Outcome], threshold: float = ABSTAIN_BELOW) -> dict:
    answerable = [o for o in outcomes if o.item.answerable]
    unanswerable = [o for o in outcomes if not o.item.answerable]
    two = [o for o in answerable if len(o.item.articles) > 1]
    abstained = [o for o in outcomes if o.confidence < threshold]
    right_abstentions = [o for o in abstained if not o.item.answerable]
    answered = [o for o in answerable if o.confidence >= threshold]

    def share(part, whole):
        return round(len(part) / len(whole), 3) if whole else None

    def pct(values, q):
        values = sorted(values)
        return round(values[min(len(values) - 1, int(q * len(values)))], 1) if values else None

    with_answers = [o for o in answerable if o.item.answers]
    return {
        "questions": len(outcomes),
        "answerable": len(answerable),
        "unanswerable": len(unanswerable),
        "hit@1": share([o for o in answerable if o.rank == 1], answerable),
        "hit@5": share([o for o in answerable if o.rank is not None], answerable),
        "mrr": round(sum(1 / o.rank for o in answerable if o.rank) / len(answerable), 3) if answerable else None,
        "answer_found": share([o for o in with_answers if o.confidence >= threshold and _found(o)], with_answers),
        "answer_found_short": share(
            [o for o in with_answers if o.confidence >= threshold and _found(o) and o.words <= 60], with_answers),
        "two_article_both_cited": share(
            [o for o in two if o.confidence >= threshold and set(o.item.articles) <= o.cited_articles], two),
        "two_article_both_retrieved": share([o for o in two if o.found_all], two),
        "citations_verbatim": (round(sum(o.citations_valid for o in outcomes)
                                     / max(1, sum(o.citations for o in outcomes)), 3)),
        "abstained_unanswerable": share(right_abstentions, unanswerable),  # abstention recall
        "abstention_precision": share(right_abstentions, abstained),
        "abstained_answerable": share([o for o in answerable if o.confidence < threshold], answerable),
        "answered_answerable": share(answered, answerable),
        "threshold": threshold,
        "search_ms_p50": pct([o.search_ms for o in outcomes], 0.5),
        "search_ms_p95": pct([o.search_ms for o in outcomes], 0.95),
        "ask_ms_p50": pct([o.ask_ms for o in outcomes], 0.5),
        "ask_ms_p95": pct([o.ask_ms for o in outcomes], 0.95),
        "model_answers": len([o for o in outcomes if o.mode == "llm"]),
        "sentences_removed": sum(n.startswith("removed") for o in outcomes for n in o.notes),
        "fallbacks": len([o for o in outcomes if "this is the extractive answer instead" in o.notes]),
    }


def sweep(outcomes: list[Outcome], steps: int = 40) -> list[dict]:
    """Both error kinds at each threshold: for calibrating ABSTAIN_BELOW."""
    rows = []
    for i in range(steps + 1):
        t = round(i / steps, 3)
        s = summarise(outcomes, t)
        rows.append({"threshold": t, "abstained_answerable": s["abstained_answerable"],
                     "abstained_unanswerable": s["abstained_unanswerable"],
                     "answer_found": s["answer_found"]})
    return rows


def details(outcomes: list[Outcome], threshold: float = ABSTAIN_BELOW) -> list[dict]:
    return [
        {"question": o.item.question, "type": o.item.type, "articles": o.item.articles,
         "answers": o.item.answers, "rank": o.rank, "confidence": o.confidence,
         "abstained": o.confidence < threshold, "found": _found(o), "answer": o.answer,
         "passages": o.passages, "mode": o.mode, "notes": o.notes}
        for o in outcomes
    ]
