"""Chunks keep exact offsets and never exceed what the model reads."""

from __future__ import annotations

import pytest

from index.articles import Article, read_corpus
from index.chunks import Chunker, embedding_text
from tests.conftest import BBC


def make_article(text: str, headline: str = "A headline about budgets", date: str | None = "2024-01-02"):
    return Article("a.txt", __import__("pathlib").Path("a.txt"), headline, date, text, "h")


@pytest.fixture(scope="module")
def chunker(embedder):
    return Chunker(200, 0, embedder.count_tokens, embedder.max_input_tokens)


def test_offsets_are_exact_and_cover_the_text(chunker):
    text = " ".join(f"Mr. Smith said sentence {i} was about the U.S. budget." for i in range(80))
    text = text[:1500] + "\n\nSecond paragraph starts here. " + text[1500:]
    chunks = chunker.chunk(make_article(text))
    assert len(chunks) > 2
    for chunk in chunks:
        assert text[chunk.start:chunk.end] == chunk.text
    assert [c.seq for c in chunks] == list(range(len(chunks)))
    covered = "".join(c.text for c in chunks).replace(" ", "").replace("\n", "")
    assert covered == text.replace(" ", "").replace("\n", "")


def test_giant_sentence_is_split_to_fit_the_model(chunker, embedder):
    words = " ".join(f"interminable{i}" for i in range(900))  # no sentence end anywhere
    article = make_article(words, headline="Headline " * 10)
    chunks = chunker.chunk(article)
    assert len(chunks) > 3
    for chunk in chunks:
        assert embedder.count_tokens(embedding_text(article, chunk.text)) <= embedder.max_input_tokens
        assert words[chunk.start:chunk.end] == chunk.text


def test_headline_and_date_are_embedded_with_every_chunk(chunker):
    article = make_article("Prices rose. " * 300)
    texts = [embedding_text(article, c.text) for c in chunker.chunk(article)]
    assert all(t.startswith("A headline about budgets (2024-01-02)\n") for t in texts)


@pytest.mark.skipif(not BBC.is_dir(), reason="BBC corpus not present (../shared/corpora/bbc)")
def test_no_bbc_chunk_exceeds_the_model_limit(chunker, embedder):
    limit = embedder.max_input_tokens
    n = 0
    for article in read_corpus(BBC):
        assert isinstance(article, Article), article
        for chunk in chunker.chunk(article):
            n += 1
            assert article.text[chunk.start:chunk.end] == chunk.text
            assert embedder.count_tokens(embedding_text(article, chunk.text)) <= limit, chunk.id
    assert n > 5000
