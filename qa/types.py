"""Typed results of the public API (what the CLI prints and the UI shows)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk: `text == article text[start:end]`."""

    rank: int
    score: float
    article_id: str
    headline: str
    date: str | None
    path: str
    text: str
    start: int
    end: int
    chunk_id: str

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Status:
    index_dir: str
    corpus_dir: str
    articles: int
    chunks: int
    embed_model: str | None
    dimension: int | None
    last_update: str | None  # ISO timestamp, UTC
    store: str

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class ArticleText:
    """An indexed article, for the viewer."""

    id: str
    headline: str
    date: str | None
    path: str
    text: str

    def to_dict(self) -> dict:
        return asdict(self)
