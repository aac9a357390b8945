"""The lexical (BM25) side of the index: a Tantivy index on disk beside Chroma.

One document per chunk: its id, its article's id (deletes go by article), the
headline and text together (`text`, what BM25 ranks), the headline alone (for
`headline:word`), and the date as an integer (range filters inside the query).
A sync deletes and re-adds only the articles it changed; a reader holds a
searcher on one commit and sees the next one only when it reopens.

Names and numbers must match exactly, so the analyzer keeps "1.13bn", "2004"
and one-letter tokens, drops stop words and stems English words: the same
tokens as `tokenize`, which the reader uses for its terms (a test holds the two
to each other).
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

TOKEN_PATTERN = r"(?u)\b\w+(?:[.,]\w+)*\b"
FOLDER = "lexical"
OLD_FOLDERS = ("bm25",)  # earlier formats, removed once this one is built
FORMAT = "tantivy-v1"  # bump when the schema or tokenisation changes: the index is rebuilt
ANALYZER = "news"
WRITER_HEAP = 64_000_000
POWER_SYNTAX = re.compile(r'"|(?:^|\s)-\w|\b(?:text|headline):')


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


@lru_cache(maxsize=1)
def _analyzer():
    """`tokenize` as a Tantivy analyzer (same pattern, stop words and Snowball stemmer)."""
    import tantivy

    return (tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.regex(TOKEN_PATTERN))
            .filter(tantivy.Filter.lowercase())
            .filter(tantivy.Filter.custom_stopword(sorted(stopwords())))
            .filter(tantivy.Filter.stemmer("english"))
            .build())


def _schema():
    import tantivy

    builder = tantivy.SchemaBuilder()
    builder.add_text_field("chunk_id", stored=True, tokenizer_name="raw")
    builder.add_text_field("article_id", tokenizer_name="raw")
    builder.add_text_field("text", tokenizer_name=ANALYZER, index_option="position")
    builder.add_text_field("headline", tokenizer_name=ANALYZER, index_option="position")
    builder.add_integer_field("date", indexed=True, fast=True)
    return builder.build()


def _open(folder: Path, create: bool = False):
    import tantivy

    if create:
        folder.mkdir(parents=True, exist_ok=True)
        index = tantivy.Index(_schema(), path=str(folder))
    else:
        index = tantivy.Index.open(str(folder))
    index.register_tokenizer(ANALYZER, _analyzer())
    return index


@dataclass
class LexicalHit:
    chunk_id: str
    score: float


class LexicalIndex:
    """A searcher on one commit of the lexical index: what one reader view reads."""

    def __init__(self, index, stamp: str):
        self.index = index
        self.searcher = index.searcher()
        self.schema = index.schema
        self.stamp = stamp  # the manifest's last_update it follows
        self.size = self.searcher.num_docs
        self._df: dict[str, int] = {}
        self._df_lock = threading.Lock()

    @staticmethod
    def folder(index_dir: Path) -> Path:
        return Path(index_dir) / FOLDER

    @classmethod
    def load(cls, index_dir: Path) -> "LexicalIndex | None":
        folder = cls.folder(index_dir)
        meta = _meta(folder)
        if meta is None:
            return None
        try:
            return cls(_open(folder), meta.get("stamp", ""))
        except (OSError, ValueError):
            return None

    @staticmethod
    def stamp_on_disk(index_dir: Path) -> str | None:
        """The manifest update it follows; None if absent or of another format."""
        meta = _meta(LexicalIndex.folder(index_dir))
        return meta.get("stamp") if meta else None

    def doc_freq(self, term: str) -> int:
        """Chunks whose headline and text hold this (analysed) term."""
        df = self._df.get(term)
        if df is None:
            df = self.searcher.doc_freq("text", term)
            with self._df_lock:
                self._df[term] = df
        return df

    def search(self, query: str, k: int, since: int | None = None, until: int | None = None,
               undated: bool = False, syntax: bool = False) -> list[LexicalHit]:
        """Top-k chunks by BM25; chunks sharing no term with the query are never returned. A
        date range keeps undated chunks only when `undated`. With `syntax`, a query with
        quotes, `-word` or `headline:`/`text:` is read in Tantivy's query syntax."""
        import tantivy

        if not self.size:
            return []
        words = self._query(query, syntax)
        if words is None:
            return []
        clauses = [(tantivy.Occur.Must, words)]
        if since or until:
            span = tantivy.Query.range_query(self.schema, "date", tantivy.FieldType.Integer,
                                             since or 1, until or 99991231)
            if undated:
                span = tantivy.Query.boolean_query([
                    (tantivy.Occur.Should, span),
                    (tantivy.Occur.Should, tantivy.Query.term_query(self.schema, "date", 0))])
            clauses.append((tantivy.Occur.Must, tantivy.Query.const_score_query(span, 0.0)))
        found = self.searcher.search(tantivy.Query.boolean_query(clauses), min(k, self.size))
        return [LexicalHit(self.searcher.doc(address)["chunk_id"][0], float(score))
                for score, address in found.hits if score > 0.0]

    def _query(self, query: str, syntax: bool):
        import tantivy

        if syntax and uses_syntax(query):
            parsed, _errors = self.index.parse_query_lenient(query, ["text"])
            return parsed
        terms = tokenize(query)
        if not terms:
            return None
        return tantivy.Query.boolean_query(
            [(tantivy.Occur.Should, tantivy.Query.term_query(self.schema, "text", t)) for t in terms])


def uses_syntax(query: str) -> bool:
    """Whether a search query uses the query syntax: "a phrase", -word, headline:word."""
    return bool(POWER_SYNTAX.search(query))


def plain(query: str) -> str:
    """The query's words without its syntax (what the dense side embeds); excluded words dropped."""
    query = re.sub(r"(?:^|\s)-\w\S*", " ", query)
    return " ".join(re.sub(r'"|\b(?:text|headline):', " ", query).split())


def _meta(folder: Path) -> dict | None:
    try:
        meta = json.loads((folder / "stamp.json").read_text())
    except (OSError, ValueError):
        return None
    return meta if meta.get("format") == FORMAT else None


def _write_meta(folder: Path, stamp: str) -> None:
    tmp = folder / "stamp.json.tmp"
    tmp.write_text(json.dumps({"format": FORMAT, "stamp": stamp}))
    tmp.replace(folder / "stamp.json")


def _documents(manifest, article_ids: list[str] | None = None):
    import tantivy

    from index.articles import date_to_int
    from index.chunks import chunk_id

    for aid, seq, _s, _e, text, headline, day in manifest.iter_chunks(article_ids):
        yield tantivy.Document(chunk_id=chunk_id(aid, seq), article_id=aid, text=f"{headline}\n{text}",
                               headline=headline or "", date=date_to_int(day))


def is_current(index_dir: Path, manifest) -> bool:
    """Whether the lexical index follows the manifest as it is now (and no run died between)."""
    return (LexicalIndex.stamp_on_disk(index_dir) == (manifest.get_meta("last_update") or "")
            and not manifest.get_meta("lexical_behind"))


def ensure_current(index_dir: Path, manifest) -> None:
    """Rebuild the lexical index if it does not follow the manifest as it is now."""
    if not is_current(index_dir, manifest):
        rebuild(index_dir, manifest)
        manifest.delete_meta("lexical_behind")


def current(index_dir: Path, manifest) -> LexicalIndex:
    """The lexical index as last written. Readers never rebuild it, except an index that has
    none yet (made by an earlier version): that one is built once, from the manifest."""
    loaded = LexicalIndex.load(index_dir)
    if loaded is not None:
        return loaded
    return rebuild(index_dir, manifest)


def update(index_dir: Path, manifest, changed: list[str], removed: list[str], stamp: str) -> None:
    """Delete and re-add the chunks of these articles (as the manifest holds them now), commit,
    and record `stamp`. The caller marks the manifest `lexical_behind` before it changes
    anything and clears it after this: a run that dies between leaves the mark, and the next
    run rebuilds instead of updating."""
    folder = LexicalIndex.folder(index_dir)
    if _meta(folder) is None:
        rebuild(index_dir, manifest, stamp)
        return
    index = _open(folder)
    writer = index.writer(WRITER_HEAP, 1)
    for aid in dict.fromkeys(changed + removed):
        writer.delete_documents_by_term("article_id", aid)
    for start in range(0, len(changed), 500):
        for doc in _documents(manifest, changed[start:start + 500]):
            writer.add_document(doc)
    writer.commit()
    writer.wait_merging_threads()
    _write_meta(folder, stamp)


def remove_leftovers(index_dir: Path) -> int:
    """Delete the build folders a killed rebuild left beside the index (`.lexical-*`); the
    writer calls this under its lock, before it writes anything. Returns how many."""
    parent = LexicalIndex.folder(index_dir).parent
    found = [p for p in parent.glob(".lexical-*") if p.is_dir()] if parent.is_dir() else []
    for path in found:
        shutil.rmtree(path, ignore_errors=True)
    return len(found)


def rebuild(index_dir: Path, manifest, stamp: str | None = None) -> LexicalIndex:
    """The whole lexical index from the manifest's chunks, built aside and swapped in whole
    (a reader opens the old index or the new one, never half of one)."""
    stamp = (manifest.get_meta("last_update") or "") if stamp is None else stamp
    folder = LexicalIndex.folder(index_dir)
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".lexical-", dir=folder.parent))
    old = Path(tempfile.mkdtemp(prefix=".lexical-old-", dir=folder.parent))
    try:
        index = _open(tmp, create=True)
        writer = index.writer(WRITER_HEAP, 1)
        for doc in _documents(manifest):
            writer.add_document(doc)
        writer.commit()
        writer.wait_merging_threads()
        _write_meta(tmp, stamp)
        if folder.exists():
            folder.rename(old / FOLDER)
        tmp.rename(folder)
        for name in OLD_FOLDERS:
            shutil.rmtree(folder.parent / name, ignore_errors=True)
    finally:
        shutil.rmtree(old, ignore_errors=True)
        shutil.rmtree(tmp, ignore_errors=True)
    return LexicalIndex(_open(folder), stamp)
