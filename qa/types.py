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
    url: str | None = None  # the article's original address, outlet and author, when its file said
    outlet: str | None = None
    author: str | None = None
    also_in: list[dict] = field(default_factory=list)  # other copies of the story: article_id, outlet, url, date

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class SourceInfo:
    """A folder the index was given, and how many of its articles are indexed."""

    folder: str  # absolute (named `folder`, not `path`: gradio_client downloads any "path" key)
    label: str  # article ids of this source start with 'label/' ('' for the first source)
    articles: int
    present: bool  # False: the folder is missing now; its articles are kept

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Status:
    index_dir: str
    sources: list[dict]
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
    url: str | None = None
    outlet: str | None = None
    author: str | None = None

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Citation:
    """A verbatim quote: `article text[start:end] == quote` always holds."""

    n: int  # the [n] marker in the answer
    article_id: str
    headline: str
    date: str | None
    path: str
    quote: str
    start: int
    end: int
    url: str | None = None
    outlet: str | None = None
    author: str | None = None
    also_in: list[dict] = field(default_factory=list)  # other copies of the story: article_id, outlet, url, date

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Answer:
    question: str
    answer: str  # sentences with inline [n] markers, or the abstention text
    abstained: bool
    citations: list[Citation] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list)
    resolved_question: str = ""  # the question as retrieved, after follow-up resolution
    confidence: float = 0.0
    short_answer: str | None = None  # the phrase that answers (an entity or a clause), when one is found
    mode: str = "extractive"  # who wrote the answer: "extractive" (quotes) or "llm" (a model, checked)
    notes: list[str] = field(default_factory=list)  # what the reader must know: claims removed, fallbacks

    def to_dict(self) -> dict:
        return {
            "question": self.question,
            "answer": self.answer,
            "short_answer": self.short_answer,
            "abstained": self.abstained,
            "citations": [c.to_dict() for c in self.citations],
            "passages": [p.to_dict() for p in self.passages],
            "resolved_question": self.resolved_question,
            "confidence": self.confidence,
            "mode": self.mode,
            "notes": list(self.notes),
        }
