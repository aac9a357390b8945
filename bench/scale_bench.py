"""The store side at scale: synthetic articles, a cheap embedder, the real index otherwise.

    .venv/bin/python bench/scale_bench.py --chunks 10000 --chunks 100000 [--corpus ../shared/corpora/bbc]

For each size, in a child process of its own (so peak memory is that size's):
synthetic articles whose sentences, headlines and lengths are drawn from the BBC
corpus and whose dates spread over twenty years are written as files, then indexed
through the Python API with a deterministic hash embedder (384 dimensions, the
default model's size: no model time, so only the store side is timed) and no entity
model. Measured: full index throughput, a no-op run, one changed and one removed
article (found by a run over every file, and named: `qa index FILE`; and a named change by a
new process, imports and store opening included), search and ask p50/p95 over questions made from the articles' own sentences,
peak memory (RSS) and disk. The stock alternative in the same run: rebuilding the
whole lexical index from the manifest, which is what one change cost before the
index updated in place.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import random
import resource
import shutil
import subprocess
import sys
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CHUNKS_PER_ARTICLE = 3.2  # BBC articles average about 3.2 chunks of 200 tokens


class HashEmbedder:
    """384-dimensional unit vectors from a hash of the text: deterministic and nearly free."""

    model_id = "bench-hash-384"
    max_input_tokens = None
    dimension = 384

    def count_tokens(self, text: str) -> int:
        return len(text.split())

    def _vector(self, text: str) -> list[float]:
        seed = int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little")
        v = np.random.default_rng(seed).standard_normal(self.dimension)
        return (v / np.linalg.norm(v)).tolist()

    def embed_documents(self, texts):
        return [self._vector(t) for t in texts]

    def embed_query(self, text):
        return self._vector(text)


def bbc_parts(corpus: Path):
    """Headlines, sentences and article lengths (in sentences) of the real corpus."""
    from index.sentences import sentence_spans

    headlines, sentences, lengths = [], [], []
    for path in sorted(corpus.glob("*/*.txt")):
        text = path.read_bytes().decode("utf-8", errors="replace")
        head, _, body = text.partition("\n")
        spans = [body[s:e].strip() for s, e in sentence_spans(body)]
        spans = [s for s in spans if len(s.split()) > 3]
        headlines.append(head.strip())
        sentences += spans
        lengths.append(len(spans))
    return headlines, sentences, lengths


def write_corpus(folder: Path, articles: int, corpus: Path, seed: int = 7, write: bool = True) -> list[str]:
    """Synthetic articles in 100 folders; returns a sentence of every n-th, to ask about
    (`write=False`: the same sentences, the files being there from an earlier run)."""
    rng = random.Random(seed)
    headlines, sentences, lengths = bbc_parts(corpus)
    start = date(2005, 1, 1)
    probes = []
    for i in range(articles):
        n = max(3, rng.choice(lengths))
        body = [rng.choice(sentences) for _ in range(n)]
        day = start + timedelta(days=rng.randrange(20 * 365))
        headline = rng.choice(headlines)
        if write:
            path = folder / f"{i % 100:02d}" / f"a{i:07d}.txt"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(f" date {day.isoformat()} {headline} ({i})\n\n" + "\n\n".join(body) + "\n",
                            encoding="utf-8")
        if i % max(1, articles // 200) == 0:
            probes.append(body[len(body) // 2])
    return probes


def edit(path: Path) -> None:
    path.write_text(path.read_text(encoding="utf-8") + f"\nA sentence added by the benchmark at {time.time()}.\n",
                    encoding="utf-8")


def cold_change(changed: Path, work: Path) -> dict:
    """One named file updated by a fresh process, timed from before the imports."""
    started = time.perf_counter()
    from index.settings import Settings
    from qa.engine import Engine

    settings = Settings(index_dir=work / "idx", corpus_dir=work / "corpus", ner_model="none")
    report = Engine(settings, embedder=HashEmbedder()).index(changed)
    assert report.updated == 1, report
    return {"seconds": round(time.perf_counter() - started, 2)}


def percentile(values, q):
    values = sorted(values)
    return round(values[min(len(values) - 1, int(q * len(values)))], 1)


def disk_mb(folder: Path) -> float:
    return round(sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6, 1)


def run_size(chunks: int, work: Path, corpus: Path, reuse: bool = False) -> dict:
    from index import lexical
    from index.settings import Settings
    from qa.engine import Engine

    articles = int(chunks / CHUNKS_PER_ARTICLE)
    files, index_dir = work / "corpus", work / "idx"
    reuse = reuse and index_dir.exists()
    if not reuse:
        shutil.rmtree(work, ignore_errors=True)
    started = time.perf_counter()
    probes = write_corpus(files, articles, corpus, write=not reuse)
    written_s = time.perf_counter() - started
    settings = Settings(index_dir=index_dir, corpus_dir=files, ner_model="none")
    engine = Engine(settings, embedder=HashEmbedder())
    started = time.perf_counter()
    report = engine.index()  # reused: whatever an interrupted run left to do (its copy groups, say)
    full_s = time.perf_counter() - started
    out = {"articles": articles, "chunks": report.chunks, "reused_index": reuse}
    if reuse:
        out["finish_interrupted_s"] = round(full_s, 1)
    else:
        out |= {"write_files_s": round(written_s, 1), "full_index_s": round(full_s, 1),
                "chunks_per_s": round(report.chunks / full_s)}

    started = time.perf_counter()
    noop = engine.index()
    out["noop_s"] = round(time.perf_counter() - started, 2)
    assert not noop.changed

    changed = files / "00" / "a0000000.txt"
    edit(changed)
    started = time.perf_counter()
    one = engine.index()
    out["one_changed_s"] = round(time.perf_counter() - started, 2)
    assert one.updated == 1, one

    gone_file = next(p for i in range(1, 99) if (p := files / f"{i:02d}" / f"a{i:07d}.txt").exists())
    gone_file.unlink()  # (a reused index may have lost the first ones already)
    started = time.perf_counter()
    gone = engine.index()
    out["one_removed_s"] = round(time.perf_counter() - started, 2)
    assert gone.removed == 1, gone

    # the same, with the file named (`qa index FILE`): what a pipeline that knows its change pays
    edit(changed)
    started = time.perf_counter()
    one = engine.index(changed)
    out["one_changed_named_s"] = round(time.perf_counter() - started, 2)
    assert one.updated == 1, one
    gone_file = next(p for i in range(int(gone_file.stem[1:]) + 1, 99) if (p := files / f"{i:02d}" / f"a{i:07d}.txt").exists())
    gone_file.unlink()
    started = time.perf_counter()
    gone = engine.index(gone_file)
    out["one_removed_named_s"] = round(time.perf_counter() - started, 2)
    assert gone.removed == 1, gone

    # a new process (`qa index FILE` from a shell): imports, opening the stores, the change
    edit(changed)
    cold = subprocess.run([sys.executable, __file__, "--cold-change", str(changed), "--work", str(work)],
                          check=True, capture_output=True, text=True, env=os.environ | {"HF_HUB_OFFLINE": "1"})
    out["one_changed_named_new_process_s"] = json.loads(cold.stdout.strip().splitlines()[-1])["seconds"]

    started = time.perf_counter()
    lexical.rebuild(index_dir, engine.manifest)
    out["stock_lexical_rebuild_s"] = round(time.perf_counter() - started, 2)

    engine.search(probes[0])
    engine.ask(probes[0])
    search_ms, ask_ms, found = [], [], 0
    for probe in probes:
        t = time.perf_counter()
        hits = engine.search(probe, k=5)
        search_ms.append((time.perf_counter() - t) * 1000)
        found += any(probe in p.text for p in hits)
        t = time.perf_counter()
        engine.ask(probe)
        ask_ms.append((time.perf_counter() - t) * 1000)
    out |= {"search_ms_p50": percentile(search_ms, 0.5), "search_ms_p95": percentile(search_ms, 0.95),
            "ask_ms_p50": percentile(ask_ms, 0.5), "ask_ms_p95": percentile(ask_ms, 0.95),
            "probe_sentence_found_top5": round(found / len(probes), 3), "questions": len(probes)}
    engine.close()
    out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    out["disk_mb"] = disk_mb(index_dir)
    out["disk_kb_per_chunk"] = round(out["disk_mb"] * 1000 / max(1, out["chunks"]), 2)
    for part in ("chroma", "lexical", "manifest.sqlite"):
        p = index_dir / part
        out[f"disk_mb_{part.split('.')[0]}"] = disk_mb(p) if p.is_dir() else round(p.stat().st_size / 1e6, 1)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--chunks", type=int, action="append", help="sizes to run (repeat)")
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpora" / "bbc")
    parser.add_argument("--work", type=Path, default=Path("/tmp/qa-scale"))
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "scale")
    parser.add_argument("--keep", action="store_true", help="keep each size's corpus and index in --work")
    parser.add_argument("--reuse", action="store_true",
                        help="measure on a kept corpus and index in --work (no full-index figures)")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # a child: one size
    parser.add_argument("--cold-change", type=Path, help=argparse.SUPPRESS)  # a child: one named change
    args = parser.parse_args()
    if args.cold_change:
        print(json.dumps(cold_change(args.cold_change, args.work)))
        return
    if args.one:
        print(json.dumps(run_size(args.one, args.work / str(args.one), args.corpus, args.reuse)))
        return
    rows = []
    for size in args.chunks or [10_000, 100_000]:
        done = subprocess.run([sys.executable, __file__, "--one", str(size), "--corpus", str(args.corpus),
                               "--work", str(args.work)] + (["--reuse"] if args.reuse else []),
                              check=True, capture_output=True, text=True, env=os.environ | {"HF_HUB_OFFLINE": "1"})
        rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
        print(json.dumps(rows[-1]), flush=True)
        if not (args.keep or args.reuse):
            shutil.rmtree(args.work / str(size), ignore_errors=True)
    args.out.mkdir(parents=True, exist_ok=True)
    meta = {"date": datetime.now(timezone.utc).isoformat(timespec="minutes"), "machine": platform.platform(),
            "cores": os.cpu_count()}
    (args.out / "results.json").write_text(json.dumps({"meta": meta, "rows": rows}, indent=2))
    keys = ["chunks", "articles", "reused_index", "finish_interrupted_s", "full_index_s", "chunks_per_s", "noop_s", "one_changed_s", "one_removed_s",
            "one_changed_named_s", "one_removed_named_s", "one_changed_named_new_process_s",
            "stock_lexical_rebuild_s", "search_ms_p50", "search_ms_p95", "ask_ms_p50", "ask_ms_p95",
            "probe_sentence_found_top5", "peak_rss_mb", "disk_mb", "disk_kb_per_chunk", "disk_mb_chroma",
            "disk_mb_lexical", "disk_mb_manifest"]
    print("| " + " | ".join(keys) + " |")
    print("|" + "---|" * len(keys))
    for row in rows:
        print("| " + " | ".join(str(row.get(k, "")) for k in keys) + " |")


if __name__ == "__main__":
    main()
