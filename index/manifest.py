"""What the index holds, article by article, in SQLite beside the vectors.

Per article: path, headline, date, content hash, its text (citations index
into it) and its chunks' offsets. Also the model and chunking the index was
built with and when it was last brought up to date.

Crash safety is write-ahead: an article is marked `pending` (committed) before
the vector store is touched and marked `done` only after its chunks are
stored. A run killed at any point leaves pending rows, which the next sync
treats as dirty: re-indexed if the article still exists, deleted if not.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from index.articles import Article
from index.chunks import Chunk
from index.entities import Span

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS articles (
    id TEXT PRIMARY KEY,
    path TEXT NOT NULL,
    headline TEXT NOT NULL,
    date TEXT,
    content_hash TEXT,
    status TEXT NOT NULL CHECK (status IN ('pending', 'done')),
    source TEXT,
    text TEXT,
    url TEXT,
    outlet TEXT,
    author TEXT,
    dup_of TEXT,
    n_chunks INTEGER NOT NULL DEFAULT 0,
    indexed_at REAL
);
CREATE TABLE IF NOT EXISTS chunks (
    article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    PRIMARY KEY (article_id, seq)
);
CREATE TABLE IF NOT EXISTS entities (
    article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    label TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS entities_by_article ON entities(article_id);
CREATE TABLE IF NOT EXISTS copy_signatures (
    n INTEGER PRIMARY KEY,
    article_id TEXT NOT NULL UNIQUE REFERENCES articles(id) ON DELETE CASCADE,
    minhash BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS copy_bands (
    band INTEGER NOT NULL,
    key INTEGER NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (band, key, n)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS sources (
    path TEXT PRIMARY KEY,
    label TEXT NOT NULL UNIQUE,
    added_at REAL NOT NULL
);
"""


@dataclass(frozen=True)
class ArticleRecord:
    id: str
    path: str
    headline: str
    date: str | None
    content_hash: str | None
    status: str
    text: str | None
    n_chunks: int
    url: str | None = None
    outlet: str | None = None
    author: str | None = None


class ChunkRow(NamedTuple):
    """A stored chunk with what a citation shows of its article."""

    article_id: str
    start: int
    end: int
    text: str
    headline: str
    date: str | None
    path: str
    url: str | None
    outlet: str | None
    author: str | None
    dup_of: str | None  # the canonical article of its group of copies, when it has copies


def path_under(under: str) -> tuple[str, tuple[str, ...]]:
    """A clause and its parameters for rows whose `path` is `under` or inside it (all rows for
    ''): one range of an index on paths, ['/a/b', '/a/b0') since '/' + 1 is '0', less the
    siblings that sort inside it ('/a/b.txt')."""
    if not under:
        return "", ()
    inside = under + os.sep
    return (" AND path >= ? AND path < ? AND (path = ? OR path >= ?)",
            (under, under + chr(ord(os.sep) + 1), under, inside))


class Manifest:
    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self.db.executescript(SCHEMA)
        columns = {row[1] for row in self.db.execute("PRAGMA table_info(articles)")}
        for added in ("source", "url", "outlet", "author", "dup_of"):  # an index from before these were recorded
            if added not in columns:
                with self.db:
                    self.db.execute(f"ALTER TABLE articles ADD COLUMN {added} TEXT")
        self.db.execute("CREATE INDEX IF NOT EXISTS articles_by_group ON articles(dup_of)")
        if self.db.execute("SELECT 1 FROM sqlite_master WHERE name = 'signatures'").fetchone():
            with self.db:  # signatures of an index from before `copy_signatures` numbered them
                self.db.execute("INSERT OR IGNORE INTO copy_signatures(article_id, minhash) "
                                "SELECT article_id, minhash FROM signatures")
                self.db.execute("DROP TABLE signatures")
        # a no-op run reads these, not the table of texts: each file's articles, the pending ones
        self.db.execute("CREATE INDEX IF NOT EXISTS articles_by_source ON articles(source, path, id)")
        # (partial: a query for done articles never picks it over the index on ids)
        self.db.execute("DROP INDEX IF EXISTS articles_by_status")
        self.db.execute("CREATE INDEX IF NOT EXISTS articles_pending ON articles(id) WHERE status = 'pending'")

    @property
    def db(self) -> sqlite3.Connection:
        """This thread's connection: a reader never sees another thread's uncommitted writes."""
        connection = getattr(self._local, "db", None)
        if connection is None:
            connection = sqlite3.connect(str(self.path), timeout=30, check_same_thread=False)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")
            connection.execute("PRAGMA foreign_keys=ON")
            self._local.db = connection
            with self._lock:
                self._all.append(connection)
        return connection

    @classmethod
    def open(cls, index_dir: Path) -> "Manifest":
        return cls(Path(index_dir) / "manifest.sqlite")

    def close(self) -> None:
        with self._lock:
            for connection in self._all:
                connection.close()
            self._all.clear()
        self._local = threading.local()

    # -- meta ----------------------------------------------------------------

    def get_meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, **values: str) -> None:
        with self.db:
            self.db.executemany(
                "INSERT INTO meta(key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                [(k, str(v)) for k, v in values.items()],
            )

    def delete_meta(self, key: str) -> None:
        with self.db:
            self.db.execute("DELETE FROM meta WHERE key = ?", (key,))

    # -- articles ------------------------------------------------------------

    def hashes(self, source: str | None = None) -> dict[str, str | None]:
        """article id -> content hash, None for pending (dirty) articles; one source's, or all."""
        query, params = "SELECT id, content_hash, status FROM articles", ()
        if source is not None:
            query, params = query + " WHERE source = ?", (source,)
        return {row[0]: (row[1] if row[2] == "done" else None) for row in self.db.execute(query, params)}

    def hashes_of(self, article_ids: list[str]) -> dict[str, str | None]:
        """`hashes` of these articles only (ids not recorded are left out)."""
        out: dict[str, str | None] = {}
        for i in range(0, len(article_ids), 500):
            part = article_ids[i : i + 500]
            rows = self.db.execute(
                f"SELECT id, content_hash, status FROM articles WHERE id IN ({','.join('?' * len(part))})", part)
            out.update((aid, h if status == "done" else None) for aid, h, status in rows)
        return out

    def ids_by_path(self, source: str, under: str = "", paths: list[str] | None = None) -> dict[str, list[str]]:
        """file path -> the ids of the articles read from it, for one source (or its files at
        or under the path `under`, or these files only). Read from an index on (source, path),
        never from the table of texts."""
        out: dict[str, list[str]] = {}
        if paths is None:
            clause, params = path_under(under)
            queries = [(clause, params)]
        else:
            queries = [(f" AND path IN ({','.join('?' * len(part))})", tuple(part))
                       for part in (paths[i:i + 500] for i in range(0, len(paths), 500))]
        for clause, params in queries:
            for path, article_id in self.db.execute(
                    f"SELECT path, id FROM articles INDEXED BY articles_by_source WHERE source = ?{clause}",
                    (source, *params)):
                out.setdefault(path, []).append(article_id)
        return out

    def paths_of(self, article_ids: Iterable[str]) -> set[str]:
        """The files these articles were read from."""
        ids, out = list(article_ids), set()
        for i in range(0, len(ids), 500):
            part = ids[i:i + 500]
            out.update(r[0] for r in self.db.execute(
                f"SELECT path FROM articles WHERE id IN ({','.join('?' * len(part))})", part))
        return out

    def article_count(self) -> int:
        """Every article row, pending ones included (what a run could remove)."""
        return int(self.db.execute("SELECT COUNT(*) FROM articles").fetchone()[0])

    def sample_headlines(self, n: int) -> list[str]:
        """n headlines of distinct stories: the newest dated ones, else spread over the index's ids."""
        where = "status = 'done' AND (dup_of IS NULL OR dup_of = id)"
        rows = [r[0] for r in self.db.execute(
            f"SELECT headline FROM articles WHERE {where} AND date IS NOT NULL ORDER BY date DESC, id LIMIT ?", (n,))]
        if len(rows) < n:
            total = int(self.db.execute(f"SELECT COUNT(*) FROM articles WHERE {where}").fetchone()[0])
            for k in range(n):
                row = self.db.execute(f"SELECT headline FROM articles WHERE {where} ORDER BY id LIMIT 1 OFFSET ?",
                                      (k * total // n,)).fetchone()
                if row:
                    rows.append(row[0])
        return list(dict.fromkeys(rows))[:n]

    def dated_count(self, since: str | None = None, until: str | None = None) -> int:
        """Done articles with a date (within since..until, ISO, when given)."""
        query = "SELECT COUNT(*) FROM articles WHERE status = 'done' AND date IS NOT NULL AND date >= ? AND date <= ?"
        return int(self.db.execute(query, (since or "0000-00-00", until or "9999-99-99")).fetchone()[0])

    # -- sources -------------------------------------------------------------

    def sources(self) -> list[tuple[str, str]]:
        """(path, label) of every recorded source, in the order they were added."""
        return [tuple(r) for r in self.db.execute("SELECT path, label FROM sources ORDER BY added_at, path")]

    def add_source(self, path: str, label: str) -> None:
        with self.db:
            self.db.execute("INSERT OR IGNORE INTO sources(path, label, added_at) VALUES (?, ?, ?)",
                            (path, label, time.time()))

    def drop_source(self, path: str) -> None:
        with self.db:
            self.db.execute("DELETE FROM sources WHERE path = ?", (path,))

    def source_counts(self) -> dict[str, int]:
        """source path -> its done articles."""
        counts = {source: int(n) for source, n in self.db.execute(  # from the index on sources
            "SELECT source, COUNT(*) FROM articles INDEXED BY articles_by_source GROUP BY source")}
        for source, n in self.db.execute(
                "SELECT source, COUNT(*) FROM articles INDEXED BY articles_pending WHERE status = 'pending' "
                "GROUP BY source"):
            counts[source] -= n
        return {source: n for source, n in counts.items() if source is not None}

    def adopt_unsourced(self, path: str) -> None:
        """Articles recorded before sources were (source NULL) belong to `path`."""
        with self.db:
            self.db.execute("UPDATE articles SET source = ? WHERE source IS NULL", (path,))

    def has_id_under(self, prefix: str) -> bool:
        row = self.db.execute("SELECT 1 FROM articles WHERE substr(id, 1, ?) = ? LIMIT 1",
                              (len(prefix), prefix)).fetchone()
        return row is not None

    def mark_pending(self, article_ids: Iterable[str], source: str | None = None) -> None:
        """Dirty until marked done; a new id is recorded under `source` so a killed run's
        half-written article is repaired (or removed) with its own source."""
        with self.db:
            self.db.executemany(
                "INSERT INTO articles(id, path, headline, status, source) VALUES (?, '', '', 'pending', ?) "
                "ON CONFLICT(id) DO UPDATE SET status = 'pending'",
                [(a, source) for a in article_ids],
            )

    def mark_all_pending(self) -> None:
        with self.db:
            self.db.execute("UPDATE articles SET status = 'pending'")

    def mark_done(self, items: Iterable[tuple[Article, list[Chunk], str | None, list[Span] | None]]) -> None:
        """(article, its chunks, its source path, its entity spans or None) now in the vector store."""
        now = time.time()
        with self.db:
            for article, chunks, source, spans in items:
                self.db.execute("DELETE FROM chunks WHERE article_id = ?", (article.id,))
                self.db.execute("DELETE FROM copy_signatures WHERE article_id = ?", (article.id,))  # text changed
                self.db.execute(
                    "INSERT INTO articles(id, path, headline, date, content_hash, status, text, n_chunks, "
                    "indexed_at, source, url, outlet, author) VALUES (?, ?, ?, ?, ?, 'done', ?, ?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT(id) DO UPDATE SET "
                    "path=excluded.path, headline=excluded.headline, date=excluded.date, "
                    "content_hash=excluded.content_hash, status='done', text=excluded.text, "
                    "n_chunks=excluded.n_chunks, indexed_at=excluded.indexed_at, "
                    "source=COALESCE(excluded.source, articles.source), url=excluded.url, "
                    "outlet=excluded.outlet, author=excluded.author",
                    (article.id, str(article.path), article.headline, article.date,
                     article.content_hash, article.text, len(chunks), now, source,
                     article.url, article.outlet, article.author),
                )
                self.db.executemany(
                    "INSERT INTO chunks(article_id, seq, start, end) VALUES (?, ?, ?, ?)",
                    [(c.article_id, c.seq, c.start, c.end) for c in chunks],
                )
                if spans is not None:
                    self._replace_entities(article.id, spans)

    def _replace_entities(self, article_id: str, spans: list[Span]) -> None:
        self.db.execute("DELETE FROM entities WHERE article_id = ?", (article_id,))
        self.db.executemany("INSERT INTO entities(article_id, start, end, label) VALUES (?, ?, ?, ?)",
                            [(article_id, s, e, label) for s, e, label in spans])

    def set_entities(self, items: Iterable[tuple[str, list[Span]]]) -> None:
        """(article id, its spans): tagged again, e.g. with another entity model."""
        with self.db:
            for article_id, spans in items:
                self._replace_entities(article_id, spans)

    def entities(self, article_ids: list[str]) -> dict[str, list[Span]]:
        """article id -> its entity spans (offsets into its text), in text order."""
        out: dict[str, list[Span]] = {a: [] for a in article_ids}
        for i in range(0, len(article_ids), 400):
            part = article_ids[i : i + 400]
            rows = self.db.execute(
                f"SELECT article_id, start, end, label FROM entities WHERE article_id IN ({','.join('?' * len(part))}) "
                "ORDER BY article_id, start", part)
            for aid, start, end, label in rows:
                out[aid].append((start, end, label))
        return out

    def iter_article_chunks(self) -> Iterator[tuple[str, list[tuple[int, str]]]]:
        """(article id, [(chunk start, chunk text)]) for every done article."""
        current, chunks = None, []
        for aid, _seq, start, _end, text, _h, _d in self.iter_chunks():
            if aid != current and current is not None:
                yield current, chunks
                chunks = []
            current = aid
            chunks.append((start, text))
        if current is not None:
            yield current, chunks

    def remove(self, article_ids: Iterable[str]) -> None:
        with self.db:
            self.db.executemany("DELETE FROM articles WHERE id = ?", [(a,) for a in article_ids])

    def forget_build(self) -> None:
        """Drop what the index was built with (model, chunking): a rebuild may change them."""
        with self.db:
            self.db.execute("DELETE FROM meta WHERE key IN ('embed_model', 'chunking', 'dimension')")

    def article(self, article_id: str) -> ArticleRecord | None:
        row = self.db.execute(
            "SELECT id, path, headline, date, content_hash, status, text, n_chunks, url, outlet, author "
            "FROM articles WHERE id = ?",
            (article_id,),
        ).fetchone()
        return ArticleRecord(*row) if row else None

    def counts(self) -> tuple[int, int]:
        """(done articles, their chunks)."""
        # every article and chunk row less the pending ones': read from the small indexes, not
        # the table of texts (a done article has exactly its n_chunks chunk rows)
        articles, chunks, pending, pending_chunks = self.db.execute(  # one statement: one snapshot
            "SELECT (SELECT COUNT(*) FROM articles), (SELECT COUNT(*) FROM chunks), "
            "(SELECT COUNT(*) FROM articles WHERE status = 'pending'), "
            "(SELECT COUNT(*) FROM chunks c JOIN articles a ON a.id = c.article_id WHERE a.status = 'pending')"
        ).fetchone()
        return int(articles - pending), int(chunks - pending_chunks)

    def passages(self, chunk_ids: list[str]) -> dict[str, ChunkRow]:
        """chunk id -> its `ChunkRow`, for done articles."""
        keys = [c.rpartition("#") for c in chunk_ids]
        out = {}
        for i in range(0, len(keys), 400):
            part = keys[i : i + 400]
            clause = " OR ".join(["(c.article_id = ? AND c.seq = ?)"] * len(part))
            params = [v for aid, _, seq in part for v in (aid, int(seq))]
            for aid, seq, *row in self.db.execute(
                "SELECT c.article_id, c.seq, c.start, c.end, substr(a.text, c.start + 1, c.end - c.start), "
                "a.headline, a.date, a.path, a.url, a.outlet, a.author, a.dup_of FROM chunks c "
                f"JOIN articles a ON a.id = c.article_id WHERE a.status = 'done' AND ({clause})",
                params,
            ):
                out[f"{aid}#{seq}"] = ChunkRow(aid, *row)
        return out

    def chunk_ids(self) -> Iterator[str]:
        """The id of every chunk of a done article: what the vector store should hold."""
        rows = self.db.execute(
            "SELECT c.article_id, c.seq FROM chunks c JOIN articles a ON a.id = c.article_id WHERE a.status = 'done'"
        )
        for article_id, seq in rows:
            yield f"{article_id}#{seq}"

    def pending_ids(self) -> set[str]:
        """Articles marked pending (a run died while writing them, or is writing them now)."""
        return {r[0] for r in self.db.execute("SELECT id FROM articles WHERE status = 'pending'")}

    def article_chunk_ids(self, article_id: str) -> list[str]:
        rows = self.db.execute("SELECT seq FROM chunks WHERE article_id = ? ORDER BY seq", (article_id,))
        return [f"{article_id}#{seq}" for (seq,) in rows]

    def iter_chunks(self, article_ids: list[str] | None = None
                    ) -> Iterator[tuple[str, int, int, int, str, str, str | None]]:
        """(article_id, seq, start, end, text, headline, date) for every stored chunk (or those
        of these articles), in order."""
        only, args = "", []
        if article_ids is not None:
            only, args = f"AND a.id IN ({','.join('?' * len(article_ids))}) ", list(article_ids)
        cursor = self.db.execute(
            "SELECT c.article_id, c.seq, c.start, c.end, substr(a.text, c.start + 1, c.end - c.start), "
            "a.headline, a.date FROM chunks c JOIN articles a ON a.id = c.article_id "
            f"WHERE a.status = 'done' {only}ORDER BY c.article_id, c.seq", args
        )
        yield from cursor
