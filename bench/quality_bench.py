"""Quality benchmark on the BBC corpus: dense only, BM25 only, hybrid, and the stock recipe.

    .venv/bin/python bench/quality_bench.py [--index bench/out/index/idx] [--sets bench/devset.jsonl bench/heldout.jsonl]

Uses the BBC index that bench/index_bench.py builds (or builds one), runs
`qa eval` (qa.evaluate) for each retrieval mode on each question set, runs
bench/stock_baseline.py (llama-index VectorStoreIndex defaults, same model) on
the same sets, and prints one Markdown table. Threshold: qa.tuning abstain_below,
calibrated on the dev set only; the held-out set is never used for tuning.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

COLUMNS = ["hit@1", "hit@5", "mrr", "answer_found_short", "two_article_both_cited", "citations_verbatim",
           "abstained_unanswerable", "abstained_answerable", "search_ms_p50", "ask_ms_p50", "ask_ms_p95"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--index", type=Path, default=ROOT / "bench/out/index/idx")
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared/corpora/bbc")
    parser.add_argument("--sets", nargs="+", type=Path,
                        default=[ROOT / "bench/devset.jsonl", ROOT / "bench/heldout.jsonl"])
    parser.add_argument("--systems", nargs="+", default=["dense:raw", "lexical:raw", "hybrid:raw", "hybrid:rerank"],
                        help="mode:raw (fusion order only) or mode:rerank (the default pipeline)")
    parser.add_argument("--no-stock", action="store_true")
    parser.add_argument("--ablation", nargs="*", type=Path, default=[ROOT / "bench/heldout.jsonl"],
                        help="question sets to run the default pipeline on with each reader feature off in turn")
    parser.add_argument("--out", type=Path, default=ROOT / "bench/out/quality.json")
    args = parser.parse_args()

    import index  # noqa: F401
    from index.settings import Settings
    from qa import evaluate
    from qa.engine import Engine
    from qa.tuning import DEFAULT, FEATURES

    engine = Engine(Settings(index_dir=args.index, corpus_dir=args.corpus))
    if not engine.status().articles:
        print(f"building the BBC index in {args.index} (about 6 minutes)", file=sys.stderr)
        engine.index(args.corpus)
    results = {"date": datetime.now(timezone.utc).isoformat(timespec="minutes"),
               "machine": f"{platform.machine()}, {os.cpu_count()} cores", "threshold": DEFAULT.abstain_below,
               "articles": engine.status().articles, "chunks": engine.status().chunks, "runs": []}
    for path in args.sets:
        items = evaluate.load_items(path)
        for system in args.systems:
            mode, order = system.split(":")
            outcomes = evaluate.run(engine, items, mode=mode, rerank=order == "rerank")
            summary = evaluate.summarise(outcomes)
            name = {"dense": "dense only", "lexical": "BM25 only", "hybrid": "RRF fusion"}[mode]
            name += " + rerank" if order == "rerank" else ""
            results["runs"].append({"set": path.stem, "system": name, **summary})
            if system == "hybrid:rerank":
                results.setdefault("sweeps", {})[path.stem] = evaluate.sweep(outcomes, steps=20)
            print(f"{path.stem} {system}: hit@1 {summary['hit@1']} found {summary['answer_found_short']}",
                  file=sys.stderr)
    for path in args.ablation:
        items = evaluate.load_items(path)
        for feature in FEATURES:
            off = Engine(engine.settings, embedder=engine.embedder, tuning=replace(DEFAULT, **{feature: False}))
            summary = evaluate.summarise(evaluate.run(off, items))
            results["runs"].append({"set": path.stem, "system": f"default, {feature.removeprefix('use_')} off",
                                    **summary})
            print(f"{path.stem} without {feature}: found {summary['answer_found_short']}", file=sys.stderr)
    if not args.no_stock:
        stock_out = ROOT / "bench/out/stock"
        subprocess.run([sys.executable, str(ROOT / "bench/stock_baseline.py"), "--corpus", str(args.corpus),
                        "--sets", *map(str, args.sets), "--out", str(stock_out)], check=True,
                       stdout=subprocess.DEVNULL)
        stock = json.loads((stock_out / "results.json").read_text())
        for name, s in stock["sets"].items():
            results["runs"].append({"set": name, "system": "stock llama-index (1024-token chunks, top-5)",
                                    "hit@1": s["hit@1"], "hit@5": s["hit@5"], "mrr": s["mrr"],
                                    "search_ms_p50": s["latency_ms_p50"],
                                    "answer_in_top5_passages": s["answer_in_top5"]})
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2))
    print(f"{results['date']}, {results['machine']}, {results['articles']} articles, "
          f"{results['chunks']} chunks, abstention threshold {results['threshold']}\n")
    print("| set | system | " + " | ".join(COLUMNS) + " |")
    print("|---|---|" + "---|" * len(COLUMNS))
    for run in results["runs"]:
        cells = ["-" if run.get(c) is None else str(run[c]) for c in COLUMNS]
        print(f"| {run['set']} | {run['system']} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
