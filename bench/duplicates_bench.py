"""Copies of one story on the BBC corpus: what MinHash LSH groups, what it costs, and what it
misses against comparing every pair (the stock alternative).

    .venv/bin/python bench/duplicates_bench.py [--index bench/out/index/idx]

Signs every article afresh (in memory, the index is not changed), then
1. groups with `index.duplicates.groups` (LSH candidates, each checked against the estimate);
2. compares every pair's estimated Jaccard (the same signatures, numpy, all n*(n-1)/2 pairs);
and prints the copies found, the pairs each finds, LSH's recall of the pairwise pairs, and times,
also with the signatures padded to 10,000 and 30,000 articles (random, distinct stories).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--index", type=Path, default=ROOT / "bench/out/index/idx")
    args = parser.parse_args()
    from index import duplicates
    from index.manifest import Manifest

    manifest = Manifest.open(args.index)
    texts = list(manifest.db.execute("SELECT id, COALESCE(text, '') FROM articles WHERE status = 'done' ORDER BY id"))
    started = time.perf_counter()
    signatures = {aid: duplicates.signature(text) for aid, text in texts}
    sign_s = time.perf_counter() - started
    started = time.perf_counter()
    grouped = duplicates.groups(signatures)
    lsh_s = time.perf_counter() - started
    ids = list(signatures)
    matrix = np.stack([signatures[a] for a in ids])
    started = time.perf_counter()
    pairwise: set[tuple[str, str]] = set()
    for i in range(len(ids) - 1):
        share = (matrix[i + 1:] == matrix[i]).mean(axis=1)
        for j in np.nonzero(share >= duplicates.SIMILAR)[0]:
            pairwise.add((ids[i], ids[i + 1 + j]))
    pairwise_s = time.perf_counter() - started
    together = {(a, b) for a, b in pairwise if grouped.get(a) is not None and grouped.get(a) == grouped.get(b)}
    out = {
        "articles": len(ids), "machine_date": time.strftime("%Y-%m-%d"),
        "similar_at_least": duplicates.SIMILAR, "num_perm": duplicates.NUM_PERM,
        "lsh_groups": len(set(grouped.values())), "lsh_copies": sum(1 for a, c in grouped.items() if a != c),
        "pairwise_pairs": len(pairwise), "pairwise_pairs_grouped_by_lsh": len(together),
        "lsh_recall_of_pairwise": round(len(together) / len(pairwise), 4) if pairwise else None,
        "sign_seconds": round(sign_s, 2), "lsh_group_seconds": round(lsh_s, 3),
        "pairwise_seconds": round(pairwise_s, 3),
        "pairwise_over_lsh": round(pairwise_s / lsh_s, 1) if lsh_s else None,
    }
    out["scaling"] = scaling(signatures, duplicates)
    print(json.dumps(out, indent=2))


def scaling(signatures: dict, duplicates, sizes=(2225, 10000, 30000, 300000)) -> list[dict]:
    """Both methods' time as the index grows: the corpus's signatures padded with random ones
    (distinct stories). Pairwise grows with the square of the articles, LSH about linearly
    (pairwise is skipped above 30,000). A sync's regrouping after one change (band keys
    looked up in the manifest) is timed end to end in `scale_bench.py`."""
    rng = np.random.default_rng(0)
    base = list(signatures.items())
    rows = []
    for n in sizes:
        padded = dict(base[:n])
        for i in range(n - len(padded)):
            padded[f"pad{i}"] = rng.integers(0, 2**32, size=duplicates.NUM_PERM, dtype=np.uint64).astype(np.uint32)
        started = time.perf_counter()
        duplicates.groups(padded)
        lsh_s = time.perf_counter() - started
        row = {"articles": n, "lsh_seconds": round(lsh_s, 2)}
        if n <= 30000:
            matrix = np.stack(list(padded.values()))
            started = time.perf_counter()
            for i in range(len(matrix) - 1):
                np.nonzero((matrix[i + 1:] == matrix[i]).mean(axis=1) >= duplicates.SIMILAR)
            pairwise_s = time.perf_counter() - started
            row |= {"pairwise_seconds": round(pairwise_s, 2), "pairwise_over_lsh": round(pairwise_s / lsh_s, 2)}
        rows.append(row)
    return rows


if __name__ == "__main__":
    main()
