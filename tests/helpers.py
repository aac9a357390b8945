"""What a fresh build of a corpus would hold, to compare an index against."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from index.articles import Article, ReadOptions, read_corpus
from index.chunks import Chunker, embedding_text
from qa.engine import Engine


def fresh_build(corpus: Path, engine: Engine) -> dict[str, tuple[str, str, int, int]]:
    """chunk id -> (article id, text, start, end) as a build from scratch would store."""
    settings = engine.settings
    chunker = Chunker(settings.chunk_tokens, settings.chunk_overlap,
                      engine.embedder.count_tokens, engine.embedder.max_input_tokens)
    expected = {}
    for article in read_corpus(corpus, ReadOptions(max_bytes=settings.max_file_bytes)):
        if isinstance(article, Article):
            for c in chunker.chunk(article):
                expected[c.id] = (c.article_id, c.text, c.start, c.end)
    return expected


def index_contents(engine: Engine) -> dict[str, tuple[str, str, int, int]]:
    """The same view of what the store actually holds: its records' ids and articles, with the
    text and offsets the manifest keeps for each id (None for a record the manifest lacks)."""
    records = {r["id"]: r["metadata"]["article_id"] for r in engine.store.iter_all()}
    rows = engine.manifest.passages(list(records))
    return {cid: (aid, rows[cid].text, rows[cid].start, rows[cid].end) if cid in rows else (aid, None, None, None)
            for cid, aid in records.items()}


def manifest_contents(engine: Engine) -> dict[str, tuple[str, str, int, int]]:
    return {
        f"{aid}#{seq}": (aid, text, start, end)
        for aid, seq, start, end, text, _h, _d in engine.manifest.iter_chunks()
    }


def lexical_contents(engine: Engine) -> dict[str, int]:
    """chunk id -> how many documents the lexical index holds for it (on disk, as a new reader sees it)."""
    import tantivy

    from index.lexical import LexicalIndex

    found = LexicalIndex.load(engine.settings.index_dir)
    assert found is not None, "no lexical index"
    counts: dict[str, int] = {}
    if found.size:
        for _score, address in found.searcher.search(tantivy.Query.all_query(), found.size).hits:
            cid = found.searcher.doc(address)["chunk_id"][0]
            counts[cid] = counts.get(cid, 0) + 1
    return counts


def assert_vectors_fresh(engine: Engine, embedder, every: int = 1) -> None:
    """Each stored vector (every n-th) is the embedding of its chunk's current text, not a leftover."""
    records = list(engine.store.iter_all(include_vectors=True))[::every]
    assert records, "no stored vectors to check"
    rows = engine.manifest.passages([r["id"] for r in records])
    assert all(r["id"] in rows for r in records), "a stored vector whose chunk the manifest lacks"
    texts = [embedding_text(engine.article(r["metadata"]["article_id"]), rows[r["id"]].text) for r in records]
    for record, fresh in zip(records, embedder.embed_documents(texts)):
        assert float(np.dot(record["embedding"], fresh)) > 0.999, record["id"]
