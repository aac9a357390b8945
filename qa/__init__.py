"""Question answering over a folder of news articles, with cited passages.

    import qa
    qa.index("seeds/")                      # bring the index up to date
    answer = qa.ask("What did Vedant Patel say about negotiations?")
    print(answer.answer, [c.quote for c in answer.citations])
    for p in qa.search("Who is Vedant Patel?", k=3):
        print(p.rank, p.headline, p.text[:80])
    print(qa.status().articles)

Each function uses a shared `Engine` built from `Settings()` (QA_* environment
variables); build your own `Engine(Settings(...))` for anything else.
"""

from __future__ import annotations

from index.offline import configure_offline as _configure_offline  # noqa: F401 - runs first
from index.errors import UserError
from index.settings import Settings
from index.sync import SyncReport
from qa.engine import Engine
from qa.types import Answer, ArticleText, Citation, Passage, SourceInfo, Status

__all__ = [
    "Answer", "ArticleText", "Citation", "Engine", "Passage", "Settings", "SourceInfo", "Status",
    "SyncReport", "UserError", "article", "ask", "default_engine", "index", "search", "sources", "status",
]

_default: Engine | None = None


def default_engine() -> Engine:
    global _default
    if _default is None:
        _default = Engine(Settings())
    return _default


def index(corpus=None, rebuild: bool = False, allow_removal: bool = False) -> SyncReport:
    """Add or update the source folder `corpus`; without it, update every recorded source."""
    return default_engine().index(corpus, rebuild=rebuild, allow_removal=allow_removal)


def sources() -> list[SourceInfo]:
    return default_engine().sources()


def ask(question: str, history: list[dict] | None = None, k: int = 5, since=None, until=None,
        answer_mode: str | None = None, as_of=None) -> Answer:
    """`answer_mode`: "extractive" or "llm" (a configured model; default `QA_ANSWER_MODE`);
    `as_of`: the day "last week" counts from (default today)."""
    return default_engine().ask(question, history=history, k=k, since=since, until=until, answer_mode=answer_mode,
                                as_of=as_of)


def search(question: str, k: int = 5, since=None, until=None, as_of=None) -> list[Passage]:
    return default_engine().search(question, k=k, since=since, until=until, as_of=as_of)


def status() -> Status:
    return default_engine().status()


def article(article_id: str) -> ArticleText:
    return default_engine().article(article_id)
