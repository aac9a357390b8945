"""The lexical (BM25) side of the index, persisted beside Chroma.

bm25s cannot add or delete documents, so the whole index is rebuilt from the
manifest's chunks after any change: tokenising and scoring, no embedding.
Names and numbers must match exactly, so the tokenizer keeps "1.13bn", "2004"
and one-letter tokens, and stems only English words.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

TOKEN_PATTERN = r"(?u)\b\w+(?:[.,]\w+)*\b"
FOLDER = "bm25"
FORMAT = "bm25s-v2"  # bump when tokenisation changes: the index is rebuilt


@lru_cache(maxsize=1)
def _stemmer():
    import Stemmer

    return Stemmer.Stemmer("english")


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    """NLTK's English list (bundled with llama-index-core) plus question filler."""
    from index.offline import nltk_data_dir

    words = (nltk_data_dir() / "corpora" / "stopwords" / "english").read_text().split()
    news_words = {"won", "us", "more", "most", "over", "under", "before", "after", "against", "off", "out", "down", "up"}
    return (frozenset(words) - news_words) | {"much", "many", "say", "said", "tell", "told", "according", "also"}


_TOKEN = re.compile(TOKEN_PATTERN)


def tokenize(text: str) -> list[str]:
    """Lower-cased, stop words out, stemmed: the same for chunks and questions."""
    words = [w for w in _TOKEN.findall(text.lower()) if w not in stopwords()]
    return _stemmer().stemWords(words)


@dataclass
class LexicalHit:
    chunk_id: str
    score: float


class LexicalIndex:
    def __init__(self, retriever, ids: list[str], dates: np.ndarray, stamp: str):
        self.retriever = retriever
        self.ids = ids
        self.dates = dates
        self.stamp = stamp  # the manifest's last_update it was built from

    @staticmethod
    def folder(index_dir: Path) -> Path:
        return Path(index_dir) / FOLDER

    @classmethod
    def build(cls, records: Iterable[tuple[str, str, int]], stamp: str) -> "LexicalIndex":
        """From (chunk id, text, date_int) records."""
        import bm25s

        ids, dates, corpus = [], [], []
        for chunk_id, text, date_int in records:
            ids.append(chunk_id)
            dates.append(date_int)
            corpus.append(tokenize(text))
        retriever = bm25s.BM25()
        if corpus:
            retriever.index(corpus, show_progress=False)
        return cls(retriever, ids, np.asarray(dates, dtype=np.int64), stamp)

    def save(self, index_dir: Path) -> None:
        import tempfile

        folder = self.folder(index_dir)
        folder.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".bm25-", dir=folder.parent))
        if self.ids:
            self.retriever.save(str(tmp), show_progress=False)
        np.save(tmp / "dates.npy", self.dates)
        (tmp / "ids.json").write_text(json.dumps(self.ids))
        (tmp / "stamp.json").write_text(json.dumps({"format": FORMAT, "stamp": self.stamp}))
        import shutil

        old = Path(tempfile.mkdtemp(prefix=".bm25-old-", dir=folder.parent))
        try:
            if folder.exists():
                folder.rename(old / FOLDER)
            tmp.rename(folder)  # readers see the old or the new index, never half of one
        finally:
            shutil.rmtree(old, ignore_errors=True)
            shutil.rmtree(tmp, ignore_errors=True)

    @classmethod
    def load(cls, index_dir: Path) -> "LexicalIndex | None":
        import bm25s

        folder = cls.folder(index_dir)
        try:
            meta = json.loads((folder / "stamp.json").read_text())
            if meta.get("format") != FORMAT:
                return None
            ids = json.loads((folder / "ids.json").read_text())
            dates = np.load(folder / "dates.npy")
            retriever = bm25s.BM25.load(str(folder), mmap=False) if ids else bm25s.BM25()
        except (OSError, ValueError, KeyError):
            return None
        return cls(retriever, ids, dates, meta.get("stamp", ""))

    @staticmethod
    def stamp_on_disk(index_dir: Path) -> str | None:
        """The manifest update it was built from; None if absent or of another format."""
        try:
            meta = json.loads((LexicalIndex.folder(index_dir) / "stamp.json").read_text())
        except (OSError, ValueError):
            return None
        return meta.get("stamp") if meta.get("format") == FORMAT else None

    def search(self, query: str, k: int, since: int | None = None, until: int | None = None,
               undated: bool = False) -> list[LexicalHit]:
        """Top-k chunks by BM25; chunks sharing no term with the query are dropped. A date
        range keeps undated chunks only when `undated`."""
        tokens = [t for t in tokenize(query) if t in self.retriever.vocab_dict] if self.ids else []
        if not tokens:
            return []
        mask = None
        if since or until:
            mask = (self.dates >= (since or 1)) & (self.dates <= (until or 99991231))
            if undated:
                mask |= self.dates == 0
            if not mask.any():
                return []
            mask = mask.astype(np.float32)
        k = min(k, len(self.ids))
        docs, scores = self.retriever.retrieve(
            [tokens], k=k, show_progress=False, weight_mask=mask, n_threads=0
        )
        return [
            LexicalHit(self.ids[int(d)], float(s))
            for d, s in zip(docs[0], scores[0])
            if s > 0.0
        ]


def ensure_current(index_dir: Path, manifest) -> None:
    """Rebuild (and save) the lexical index if it was not built from the manifest as it is now."""
    if LexicalIndex.stamp_on_disk(index_dir) != (manifest.get_meta("last_update") or ""):
        rebuild(index_dir, manifest)


def current(index_dir: Path, manifest) -> LexicalIndex:
    """The lexical index for the manifest as it is now: loaded, or rebuilt (and saved) if stale."""
    stamp = manifest.get_meta("last_update") or ""
    loaded = LexicalIndex.load(index_dir)
    if loaded is not None and loaded.stamp == stamp:
        return loaded
    return rebuild(index_dir, manifest)


def rebuild(index_dir: Path, manifest) -> LexicalIndex:
    from index.articles import date_to_int
    from index.chunks import chunk_id

    stamp = manifest.get_meta("last_update") or ""
    records = (
        (chunk_id(aid, seq), f"{headline}\n{text}", date_to_int(day))
        for aid, seq, _s, _e, text, headline, day in manifest.iter_chunks()
    )
    built = LexicalIndex.build(records, stamp)
    built.save(index_dir)
    return built
