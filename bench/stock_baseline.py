"""The stock llama-index recipe on our question sets, as a baseline for our retriever.

    .venv/bin/python bench/stock_baseline.py [--corpus ../shared/corpora/bbc]
        [--sets bench/devset.jsonl bench/heldout.jsonl] [--k 5] [--out bench/out/stock]

Stock = llama-index-core 0.14 `VectorStoreIndex` with its defaults: `Settings.node_parser`
(a default `SentenceSplitter`: 1024 tiktoken tokens, 200 overlap), the in-memory
SimpleVectorStore, `as_retriever(similarity_top_k=K)`. Only the embedding model is ours
(all-MiniLM-L6-v2, which reads just the first 256 word pieces of each node). The index is
persisted under OUT/index and reloaded when present; delete that folder to rebuild.
Prints a Markdown table and writes OUT/results.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from collections import defaultdict
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import index  # noqa: F401 - first: sets the offline env vars before llama-index loads

# isort: split
from llama_index.core import (
    Document,
    Settings,
    StorageContext,
    VectorStoreIndex,
    load_index_from_storage,
)
from llama_index.core.base.embeddings.base import BaseEmbedding
from llama_index.core.schema import MetadataMode
from pydantic import PrivateAttr

from index.articles import Article, read_corpus
from index.embedding import load_embedder
from index.settings import DEFAULT_MODEL


class OurEmbedding(BaseEmbedding):
    """Our sentence-transformers embedder behind llama-index's embedding interface."""

    _embedder = PrivateAttr()

    def __init__(self, name: str = DEFAULT_MODEL, **kwargs):
        super().__init__(model_name=name, **kwargs)
        self._embedder = load_embedder(name)

    def _get_query_embedding(self, query: str) -> list[float]:
        return self._embedder.embed_query(query)

    def _get_text_embedding(self, text: str) -> list[float]:
        return self._embedder.embed_documents([text])[0]

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return self._embedder.embed_documents(texts)

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)

    async def _aget_text_embedding(self, text: str) -> list[float]:
        return self._get_text_embedding(text)

    async def _aget_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return self._get_text_embeddings(texts)


def documents(corpus: Path) -> tuple[list[Document], int]:
    docs, skipped = [], 0
    for entry in read_corpus(corpus):
        # our reader takes README.TXT (suffix match is case-blind) for an article: not one
        if not isinstance(entry, Article) or Path(entry.id).stem.lower() == "readme":
            skipped += 1
            continue
        docs.append(Document(
            text=f"{entry.headline}\n\n{entry.text}", id_=entry.id,
            metadata={"article_id": entry.id},
            excluded_embed_metadata_keys=["article_id"], excluded_llm_metadata_keys=["article_id"],
        ))
    return docs, skipped


def open_index(corpus: Path, index_dir: Path, embed_model: BaseEmbedding) -> tuple[VectorStoreIndex, float | None]:
    meta_path = index_dir / "bench_meta.json"
    if meta_path.exists():
        meta = json.loads(meta_path.read_text())
        if meta["corpus"] != str(corpus.resolve()):
            sys.exit(f"{index_dir} was built from {meta['corpus']}; delete it to rebuild")
        storage = StorageContext.from_defaults(persist_dir=str(index_dir))
        return load_index_from_storage(storage, embed_model=embed_model), None
    docs, skipped = documents(corpus)
    print(f"building: {len(docs)} documents ({skipped} files skipped)", file=sys.stderr)
    started = time.perf_counter()
    vindex = VectorStoreIndex.from_documents(docs, embed_model=embed_model, show_progress=True)
    seconds = time.perf_counter() - started
    vindex.storage_context.persist(persist_dir=str(index_dir))
    meta_path.write_text(json.dumps({"corpus": str(corpus.resolve()), "documents": len(docs),
                                     "skipped": skipped, "build_seconds": round(seconds, 1)}))
    return vindex, seconds


def evaluate(retriever, questions: list[dict], k: int) -> dict:
    hits1, hits5, both5, rr, ans1, ans5, lat = [], [], [], [], [], [], []
    by_type: dict[str, list[bool]] = defaultdict(list)
    for q in questions:
        started = time.perf_counter()
        nodes = retriever.retrieve(q["question"])
        lat.append((time.perf_counter() - started) * 1000)
        if q.get("article") is None:
            continue
        expected = set(q.get("articles") or [q["article"]])
        ids = [n.node.metadata["article_id"] for n in nodes[:k]]
        distinct = list(dict.fromkeys(ids))
        texts = [n.node.get_content().lower() for n in nodes[:k]]
        answers = [a.lower() for a in q["answers"]]
        hit1 = bool(ids) and ids[0] in expected
        hits1.append(hit1)
        by_type[q["type"]].append(hit1)
        hits5.append(bool(expected & set(ids)))
        if q.get("articles"):
            both5.append(expected <= set(ids))
        rr.append(next((1 / r for r, a in enumerate(distinct, 1) if a in expected), 0.0))
        ans1.append(bool(texts) and any(a in texts[0] for a in answers))
        ans5.append(any(a in " \n".join(texts) for a in answers))
    mean = lambda xs: round(sum(xs) / len(xs), 3) if xs else None
    lat.sort()
    return {
        "questions": len(questions), "answerable": len(hits1),
        "unanswerable": len(questions) - len(hits1), "two_article": len(both5),
        "hit@1": mean(hits1), f"hit@{k}": mean(hits5), f"both@{k}": mean(both5), "mrr": mean(rr),
        "answer_in_top1": mean(ans1), f"answer_in_top{k}": mean(ans5),
        "latency_ms_p50": round(statistics.median(lat), 1),
        "latency_ms_p95": round(lat[min(len(lat) - 1, int(0.95 * len(lat)))], 1),
        "hit@1_by_type": {t: {"hit@1": mean(v), "n": len(v)} for t, v in sorted(by_type.items())},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared/corpora/bbc")
    parser.add_argument("--sets", type=Path, nargs="+",
                        default=[ROOT / "bench/devset.jsonl", ROOT / "bench/heldout.jsonl"])
    parser.add_argument("--k", type=int, default=5)
    parser.add_argument("--out", type=Path, default=ROOT / "bench/out/stock")
    args = parser.parse_args()

    Settings.llm = None
    embed_model = OurEmbedding(embed_batch_size=64)  # batch size only changes speed
    args.out.mkdir(parents=True, exist_ok=True)
    vindex, build_seconds = open_index(args.corpus, args.out / "index", embed_model)
    splitter = Settings.node_parser  # what from_documents used: the default SentenceSplitter
    nodes = list(vindex.docstore.docs.values())
    pieces = embed_model._embedder.count_tokens_batch([n.get_content(metadata_mode=MetadataMode.EMBED) for n in nodes])
    limit = embed_model._embedder.max_input_tokens
    retriever = vindex.as_retriever(similarity_top_k=args.k)
    retriever.retrieve("warm-up query")

    sets = {}
    for path in args.sets:
        questions = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
        sets[path.stem] = evaluate(retriever, questions, args.k)

    k = args.k
    cols = ["answerable", "unanswerable", "hit@1", f"hit@{k}", f"both@{k}", "mrr",
            "answer_in_top1", f"answer_in_top{k}", "latency_ms_p50", "latency_ms_p95"]
    print("| set | " + " | ".join(cols) + " |\n|---|" + "---|" * len(cols))
    for name, r in sets.items():
        print(f"| {name} | " + " | ".join("-" if r[c] is None else str(r[c]) for c in cols) + " |")

    results = {
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": {"arch": platform.machine(), "cpus": os.cpu_count()},
        "recipe": "llama-index-core VectorStoreIndex defaults + SimpleVectorStore",
        "llama_index_core": __import__("llama_index.core").core.__version__,
        "embed_model": DEFAULT_MODEL, "k": k, "corpus": str(args.corpus.resolve()),
        "splitter": type(splitter).__name__, "chunk_size": splitter.chunk_size,
        "chunk_overlap": splitter.chunk_overlap, "chunk_units": "tiktoken (gpt-3.5-turbo) tokens",
        "documents": len(vindex.docstore.get_all_ref_doc_info() or {}), "nodes": len(nodes),
        "node_word_pieces_median": statistics.median(pieces),
        f"nodes_over_{limit}_word_pieces": sum(p > limit for p in pieces),
        "build_seconds": None if build_seconds is None else round(build_seconds, 1),  # this run
        "index_built": json.loads((args.out / "index/bench_meta.json").read_text()),
        "sets": sets,
    }
    (args.out / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nwrote {args.out / 'results.json'}", file=sys.stderr)


if __name__ == "__main__":
    main()
