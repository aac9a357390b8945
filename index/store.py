"""Embeddings -> Chroma: one collection of chunks, cosine space, batched writes.

The collection records which model built it (id and dimension) and how its
chunks were cut; opening it with anything else is an `IndexMismatchError`.
Writes never rely on `add`/`upsert` semantics for existing ids: an article's
chunks are deleted by article id before its new chunks are added.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from index.errors import EmptyIndexError, IndexMismatchError, StoreUnavailableError
from index.settings import Settings


@dataclass(frozen=True)
class StoredChunk:
    """One chunk as the store returns it, with its similarity to the query. The store keeps
    what the vector side needs (vector, chunk id, article id, date); texts live once, in the
    manifest."""

    id: str
    article_id: str
    score: float


def check_recorded(meta: dict, model_id: str, chunking: str, dimension: int | None = None) -> None:
    """Raise IndexMismatchError unless `meta` (what an index recorded) fits these settings."""
    built_with = meta.get("embed_model")
    if built_with and built_with != model_id:
        raise IndexMismatchError(
            f"this index was built with embedding model {built_with!r}, not {model_id!r}: "
            "use that model, another index folder, or `qa index --rebuild`"
        )
    recorded_dim = meta.get("dimension")
    if dimension is not None and recorded_dim not in (None, "") and int(recorded_dim) != dimension:
        raise IndexMismatchError(
            f"this index holds {recorded_dim}-dimensional vectors, the model makes {dimension}"
        )
    if meta.get("chunking") not in (None, chunking):
        raise IndexMismatchError(
            f"this index was chunked as {meta.get('chunking')!r}, the settings ask for "
            f"{chunking!r}: run `qa index --rebuild`"
        )


def open_client(settings: Settings):
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if settings.chroma_host:
        try:
            return chromadb.HttpClient(
                host=settings.chroma_host, port=settings.chroma_port, settings=chroma_settings
            )
        except Exception as exc:  # noqa: BLE001 - connection errors come in many types
            raise StoreUnavailableError(
                f"cannot reach Chroma at {settings.chroma_host}:{settings.chroma_port}: {exc}"
            ) from exc
    path = Path(settings.index_dir) / "chroma"
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=chroma_settings)


def forget_cached_clients() -> None:
    """Drop chromadb's cached on-disk clients, so the next one reads what another process wrote.

    chromadb keeps one client per folder for the whole process, and that client does not see
    segments another process added; this is the one place that reaches into that cache.
    """
    from chromadb.api.shared_system_client import SharedSystemClient

    SharedSystemClient.clear_system_cache()


class ChunkStore:
    """The chunk collection: what sync writes and retrieval reads."""

    def __init__(self, client, name: str, model_id: str, chunking: str):
        self.client = client
        self.name = name
        self.model_id = model_id
        self.chunking = chunking
        self._collection = None

    @classmethod
    def open(cls, settings: Settings, model_id: str) -> "ChunkStore":
        return cls(open_client(settings), settings.collection, model_id, settings.chunking_fingerprint())

    # -- collection and its recorded model ---------------------------------

    def exists(self) -> bool:
        return self.name in {c if isinstance(c, str) else c.name for c in self.client.list_collections()}

    def collection(self, dimension: int | None = None):
        """The collection, created on first write (then `dimension` is required)."""
        if self._collection is not None:
            return self._collection
        if self.exists():
            collection = self.client.get_collection(self.name)
            self._check(collection.metadata or {}, dimension)
        elif dimension is None:
            raise EmptyIndexError("the index is empty: run `qa index` first")
        else:
            collection = self.client.create_collection(
                self.name,
                configuration={"hnsw": {"space": "cosine"}},
                metadata={"embed_model": self.model_id, "dimension": dimension, "chunking": self.chunking},
            )
        self._collection = collection
        return collection

    def _check(self, meta: dict, dimension: int | None) -> None:
        check_recorded(meta, self.model_id, self.chunking, dimension)

    def drop(self) -> None:
        if self.exists():
            self.client.delete_collection(self.name)
        self._collection = None

    def count(self) -> int:
        return self.collection().count() if self.exists() else 0

    # -- writes --------------------------------------------------------------

    def batch_size(self) -> int:
        try:
            return int(self.client.get_max_batch_size())
        except Exception:  # noqa: BLE001 - older servers do not say
            return 5000

    def add(self, ids: Sequence[str], vectors, metadatas: Sequence[dict]) -> None:
        if not ids:
            return
        collection = self.collection(dimension=len(vectors[0]))
        step = self.batch_size()
        for i in range(0, len(ids), step):
            collection.add(
                ids=list(ids[i : i + step]),
                embeddings=vectors[i : i + step],
                metadatas=list(metadatas[i : i + step]),
            )

    def delete_articles(self, article_ids: Iterable[str]) -> None:
        article_ids = list(article_ids)
        if not article_ids or not self.exists():
            return
        collection = self.collection()
        step = 500  # keeps the $in filter small
        for i in range(0, len(article_ids), step):
            collection.delete(where={"article_id": {"$in": article_ids[i : i + step]}})

    def delete_ids(self, ids: Sequence[str]) -> None:
        if not ids or not self.exists():
            return
        step = self.batch_size()
        for i in range(0, len(ids), step):
            self.collection().delete(ids=list(ids[i : i + step]))

    # -- reads ---------------------------------------------------------------

    def ids(self, page: int = 5000) -> Iterator[str]:
        """Every stored record's id (no documents or vectors read)."""
        if not self.exists():
            return
        collection, offset = self.collection(), 0
        while True:
            got = collection.get(include=[], limit=page, offset=offset)["ids"]
            if not got:
                return
            yield from got
            offset += len(got)

    def query(self, vector: list[float], k: int, where: dict | None = None) -> list[StoredChunk]:
        """The k nearest chunks (fewer if the collection holds fewer: Chroma 1.x allows that)."""
        if self._collection is None and not self.exists():
            return []
        result = self.collection().query(
            query_embeddings=[vector],
            n_results=k,
            where=where or None,
            include=["metadatas", "distances"],
        )
        return [
            # metadata None: a record deleted while the query ran (its passage lookup drops it)
            StoredChunk(id=i, article_id=(meta or {}).get("article_id", ""), score=1.0 - dist)
            for i, meta, dist in zip(result["ids"][0], result["metadatas"][0], result["distances"][0])
        ]

    def iter_all(self, page: int = 5000, include_vectors: bool = False) -> Iterator[dict]:
        """Every stored record, page by page (for checks and rebuilding side indexes)."""
        if not self.exists():
            return
        collection = self.collection()
        include = ["metadatas"] + (["embeddings"] if include_vectors else [])
        offset = 0
        while True:
            got = collection.get(include=include, limit=page, offset=offset)
            if not got["ids"]:
                return
            for n, record_id in enumerate(got["ids"]):
                yield {
                    "id": record_id,
                    "metadata": got["metadatas"][n],
                    **({"embedding": got["embeddings"][n]} if include_vectors else {}),
                }
            offset += len(got["ids"])


def date_filter(since: int | None, until: int | None, undated: bool = False) -> dict | None:
    """A Chroma `where` on the integer date (20231108); undated chunks (0) match a range only
    when `undated` (a range read from a question, not one the user set)."""
    if not since and not until:
        return None
    clauses = [{"date_int": {"$gte": since or 1}}]  # 0 is 'undated'
    if until:
        clauses.append({"date_int": {"$lte": until}})
    dated = clauses[0] if len(clauses) == 1 else {"$and": clauses}
    return {"$or": [dated, {"date_int": 0}]} if undated else dated
