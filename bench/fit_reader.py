"""Fit the reader's weights and abstention threshold on the dev set only.

    .venv/bin/python bench/fit_reader.py [--index bench/out/index/idx] [--rounds 2]

Coordinate search over the fields of `qa.tuning.Tuning` named in GRID: each field
in turn takes each of its values with the others held, and the best is kept. A
configuration is scored on `bench/devset.jsonl` at its own threshold: the highest
that abstains on at most 5% of answerable questions; score = answer found (in at
most 60 words) + 0.5 x unanswerable abstained + 0.25 x both articles cited (two-article
questions). Prints the fitted values to copy
into `qa/tuning.py`, and writes them to bench/out/fit_reader.json. The held-out
set is never read here.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

GRID = {
    "candidate_answer": [0.0, 0.2, 0.35, 0.5, 0.8, 1.2],
    "answer_proximity": [0.3, 0.6, 1.0],
    "answer_agreement": [0.0, 0.25, 0.5],
    "regex_type_share": [0.2, 0.4, 0.6],
    "sentence_type": [0.25, 0.4, 0.6],
    "context_sentences": [1, 2, 3],
    "meaning_weight": [0.2, 0.3, 0.45],
    "meaning_inherit": [0.0, 0.6, 0.8, 1.0],
    "keep_ratio": [0.6, 0.75, 0.9],
    "other_article_ratio": [0.5, 0.6, 0.75, 1.0],
    "predicate_floor": [0.3, 0.5, 0.7, 1.0],
    "contradicted": [0.1, 0.3, 0.6, 1.0],
    "confidence_fit": [0.3, 0.4, 0.5],
    "confidence_untyped": [0.25, 0.5, 0.75],
    "name_absent": [0.3, 0.6, 1.0],
    "confidence_said": [0.0, 0.1, 0.2],
}
MAX_ANSWERABLE_ABSTAINED = 0.05


class CachingEmbedder:
    """The real embedder, with every text's vector kept: each configuration re-reads the
    same sentences, and their vectors do not depend on the weights being fitted."""

    def __init__(self, inner):
        self.inner = inner
        self.model_id, self.max_input_tokens = inner.model_id, inner.max_input_tokens
        self.dimension = inner.dimension
        self.vectors: dict[tuple[str, str], list[float]] = {}

    def count_tokens(self, text):
        return self.inner.count_tokens(text)

    def embed_documents(self, texts):
        missing = [t for t in texts if ("d", t) not in self.vectors]
        for t, v in zip(missing, self.inner.embed_documents(missing) if missing else []):
            self.vectors[("d", t)] = v
        return [self.vectors[("d", t)] for t in texts]

    def embed_query(self, text):
        if ("q", text) not in self.vectors:
            self.vectors[("q", text)] = self.inner.embed_query(text)
        return self.vectors[("q", text)]


_SHARED: dict = {}


def score(settings, embedder, items, tuning) -> tuple[float, dict]:
    from qa import evaluate
    from qa.engine import Engine

    engine = Engine(settings, embedder=embedder, tuning=tuning)
    if "view" in _SHARED:  # the index, its lexical side and the sentence caches do not depend on weights
        engine._view, engine.__dict__["store"] = _SHARED["view"], _SHARED["store"]
    else:
        _SHARED["view"], _SHARED["store"] = engine.view, engine.store
    outcomes = evaluate.run(engine, items)
    best = None
    for row in evaluate.sweep(outcomes, steps=100):
        if row["abstained_answerable"] <= MAX_ANSWERABLE_ABSTAINED:
            best = row  # rows rise with the threshold: keep the highest that fits
    summary = evaluate.summarise(outcomes, best["threshold"])
    value = (summary["answer_found_short"] + 0.5 * summary["abstained_unanswerable"]
             + 0.25 * (summary["two_article_both_cited"] or 0.0))
    return value, summary


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--index", type=Path, default=ROOT / "bench/out/index/idx")
    parser.add_argument("--dev", type=Path, default=ROOT / "bench/devset.jsonl")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--out", type=Path, default=ROOT / "bench/out/fit_reader.json")
    parser.add_argument("--only", help="comma-separated fields of GRID to search (default: all)")
    args = parser.parse_args()

    import index  # noqa: F401 - offline first
    from index.embedding import load_embedder
    from index.settings import Settings
    from qa import evaluate
    from qa.tuning import DEFAULT

    settings = Settings(index_dir=args.index)
    embedder = CachingEmbedder(load_embedder("all-MiniLM-L6-v2"))
    items = evaluate.load_items(args.dev)
    current = DEFAULT
    best_value, best_summary = score(settings, embedder, items, current)
    print(f"start: {best_value:.3f} {best_summary['answer_found_short']} {best_summary['abstained_unanswerable']}",
          flush=True)
    for round_ in range(args.rounds):
        for name, values in GRID.items():
            if args.only and name not in args.only.split(","):
                continue
            for value in values:
                if getattr(current, name) == value:
                    continue
                trial = replace(current, **{name: value})
                trial_value, summary = score(settings, embedder, items, trial)
                print(f"round {round_ + 1} {name}={value}: {trial_value:.3f} "
                      f"(found {summary['answer_found_short']}, unanswerable abstained "
                      f"{summary['abstained_unanswerable']}, threshold {summary['threshold']})", flush=True)
                if trial_value > best_value + 1e-9:
                    current, best_value, best_summary = trial, trial_value, summary
            print(f"  kept {name}={getattr(current, name)}", flush=True)
    current = replace(current, abstain_below=best_summary["threshold"])
    changed = {k: v for k, v in asdict(current).items() if v != getattr(DEFAULT, k)}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"fitted": asdict(current), "changed": changed, "dev": best_summary}, indent=2))
    print("fitted (differs from qa/tuning.py):", json.dumps(changed))
    print("dev at the fitted threshold:", json.dumps(best_summary))


if __name__ == "__main__":
    main()
