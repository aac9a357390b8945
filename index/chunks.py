"""Articles -> chunks: sentence-aware pieces that the embedding model reads whole.

Chunk size is counted in tiktoken tokens (model-independent); the embedding
model's own limit is counted in its word pieces, headline prefix included, and
any chunk over it is split again. Every chunk keeps its offsets:
`article.text[chunk.start:chunk.end] == chunk.text`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from index.articles import Article
from index.sentences import split_keeping_whitespace


@dataclass(frozen=True)
class Chunk:
    article_id: str
    seq: int
    text: str
    start: int
    end: int

    @property
    def id(self) -> str:
        return chunk_id(self.article_id, self.seq)


def chunk_id(article_id: str, seq: int) -> str:
    return f"{article_id}#{seq}"


def embedding_text(article: Article, text: str) -> str:
    """What the model reads: the headline and date give every chunk its subject."""
    head = f"{article.headline} ({article.date})" if article.date else article.headline
    return f"{head}\n{text}"


@lru_cache(maxsize=1)
def tiktoken_counter() -> Callable[[str], list[int]]:
    import tiktoken

    encoding = tiktoken.get_encoding("cl100k_base")
    return lambda text: encoding.encode(text, disallowed_special=())


class Chunker:
    """Splits article bodies; `count_model_tokens`/`model_limit` describe the embedder."""

    def __init__(
        self,
        chunk_tokens: int,
        chunk_overlap: int,
        count_model_tokens: Callable[[str], int],
        model_limit: int | None,
    ):
        from llama_index.core.node_parser import SentenceSplitter

        self.count_model_tokens = count_model_tokens
        self.model_limit = model_limit
        self.splitter = SentenceSplitter(
            chunk_size=chunk_tokens,
            chunk_overlap=chunk_overlap,
            tokenizer=tiktoken_counter(),
            chunking_tokenizer_fn=split_keeping_whitespace,
            paragraph_separator="\n\n",
            include_metadata=False,
        )

    def chunk(self, article: Article) -> list[Chunk]:
        spans: list[tuple[int, int]] = []
        for start, end in _locate(article.text, self.splitter.split_text(article.text)):
            spans.extend(self._fit(article, start, end))
        return [
            Chunk(article.id, seq, article.text[start:end], start, end)
            for seq, (start, end) in enumerate(spans)
        ]

    def _fit(self, article: Article, start: int, end: int) -> list[tuple[int, int]]:
        """Split [start, end) until each piece, with its prefix, fits the model."""
        if self.model_limit is None:
            return [(start, end)]
        text = article.text[start:end]
        if self.count_model_tokens(embedding_text(article, text)) <= self.model_limit:
            return [(start, end)]
        prefix = self.count_model_tokens(embedding_text(article, ""))
        budget = max(16, self.model_limit - prefix)
        words = len(text.split())
        if words <= 1:  # one giant token: nothing left to split on
            return [(start, end)]
        pieces = _split_words(text, max(1, words // 2))
        out: list[tuple[int, int]] = []
        for s, e in _locate(text, pieces):
            piece = text[s:e]
            if self.count_model_tokens(piece) > budget:
                out.extend(self._fit(article, start + s, start + e))
            else:
                out.append((start + s, start + e))
        return _merge_small(out, article, self)


def _split_words(text: str, half: int) -> list[str]:
    """Two pieces, cut at a sentence end near the middle if any, else at a word."""
    sentences = [s for s in split_keeping_whitespace(text) if s.strip()]
    if len(sentences) > 1:
        mid = len(sentences) // 2
        return ["".join(sentences[:mid]).strip(), "".join(sentences[mid:]).strip()]
    words = text.split(" ")
    return [" ".join(words[:half]).strip(), " ".join(words[half:]).strip()]


def _merge_small(spans, article, chunker) -> list[tuple[int, int]]:
    """Join neighbouring pieces back together while they still fit."""
    merged: list[tuple[int, int]] = []
    for s, e in spans:
        if merged:
            ps, _ = merged[-1]
            joined = article.text[ps:e]
            if chunker.count_model_tokens(embedding_text(article, joined)) <= chunker.model_limit:
                merged[-1] = (ps, e)
                continue
        merged.append((s, e))
    return merged


def _locate(text: str, pieces: list[str]) -> list[tuple[int, int]]:
    """Offsets of each piece in text, in order (pieces are stripped substrings; with
    overlap a piece starts before the previous one ends, never before it starts)."""
    spans = []
    cursor = 0
    for piece in pieces:
        if not piece:
            continue
        at = text.find(piece, cursor)
        if at < 0:
            raise ValueError("chunk text not found in article text")
        spans.append((at, at + len(piece)))
        cursor = at + 1
    return spans
