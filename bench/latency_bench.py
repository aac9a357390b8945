"""Where the time of one `ask` goes, warm, in-process, on the BBC index.

    .venv/bin/python bench/latency_bench.py [--index bench/out/index/idx] [--set bench/devset.jsonl]

Times each stage separately for every question of the set (median and p95, ms):
question embedding, Chroma query, BM25 query, the whole retrieval (fusion, lookup,
rerank, duplicates), sentence scoring with sentence embeddings, and `ask` end to end.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--index", type=Path, default=ROOT / "bench/out/index/idx")
    parser.add_argument("--set", type=Path, default=ROOT / "bench/devset.jsonl")
    args = parser.parse_args()

    import index  # noqa: F401
    from index.settings import Settings
    from qa.answer import compose
    from qa import asking
    from qa.asking import ANSWER_PASSAGES
    from qa.engine import Engine
    from qa.evaluate import load_items
    from qa.retrieval import question_with_context

    engine = Engine(Settings(index_dir=args.index))
    questions = [i.question for i in load_items(args.set)]
    engine.ask(questions[0])  # warm: model, indexes, caches of one question
    stages: dict[str, list[float]] = {k: [] for k in
                                      ("embed question", "chroma query", "lexical query", "retrieval total",
                                       "answer (sentences + their embeddings)", "ask end to end")}

    def timed(name, call):
        started = time.perf_counter()
        out = call()
        stages[name].append((time.perf_counter() - started) * 1000)
        return out

    for q in questions:
        engine._query_vectors.clear()  # noqa: SLF001 - time the embedding, not the cache
        vector = timed("embed question", lambda: engine.embedder.embed_query(q))
        timed("chroma query", lambda: engine.store.query(vector, 40))
        timed("lexical query", lambda: engine.lexical.search(q, 40))
        passages = timed("retrieval total", lambda: engine.retriever().passages(q, ANSWER_PASSAGES))
        info, weights = question_with_context(q, "")
        parts = engine.ask_parts()
        evidence = asking.with_whole_articles(parts, passages)
        timed("answer (sentences + their embeddings)",
              lambda: compose(q, info, evidence, engine.idf, engine.sentence_cache, weights,
                              meaning=asking.similarities(parts, q), spans=asking.entities(parts, evidence),
                              tuning=engine.tuning))
        engine._query_vectors.clear()  # noqa: SLF001
        timed("ask end to end", lambda: engine.ask(q))

    def pct(values, p):
        values = sorted(values)
        return round(values[min(len(values) - 1, int(p * len(values)))], 1)

    rows = {name: {"p50": pct(v, 0.5), "p95": pct(v, 0.95)} for name, v in stages.items()}
    out = ROOT / "bench/out/latency.json"
    out.write_text(json.dumps({"questions": len(questions), "stages_ms": rows}, indent=2))
    print(f"{len(questions)} questions from {args.set.name}\n")
    print("| stage | p50 ms | p95 ms |\n|---|---|---|")
    for name, row in rows.items():
        print(f"| {name} | {row['p50']} | {row['p95']} |")


if __name__ == "__main__":
    main()
