"""Index benchmark on the BBC corpus: pipeline vs raw embedding, no-op, one change.

    .venv/bin/python bench/index_bench.py [--corpus ../shared/corpora/bbc] [--out bench/out/index]

Runs, in one go and on the same chunks:
1. `qa index` from scratch (a child process: wall time and peak RSS);
2. a no-op `qa index` and one with a single changed article (wall time of the
   whole command, Python start-up included);
3. the model alone embedding exactly the texts the index embedded (same batch
   size), so the pipeline's cost over pure embedding is a ratio from one run;
4. the entity tagger alone on the same chunk texts, so what entities add is a
   ratio to the embedding time from the same run.
Prints a Markdown table and writes results.json in the out folder.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def qa(index_dir: Path, *args: str) -> tuple[float, dict]:
    started = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-m", "qa.cli", "--index-dir", str(index_dir), *args, "--json"],
        check=True, capture_output=True, text=True, cwd=ROOT,
    )
    return time.perf_counter() - started, json.loads(out.stdout.strip().splitlines()[-1])


def raw_embedding_seconds(index_dir: Path) -> tuple[float, int, int]:
    """Embed the same texts the index embedded, with the model alone."""
    import index  # noqa: F401
    from index.articles import Article
    from index.chunks import embedding_text
    from index.embedding import load_embedder
    from index.manifest import Manifest
    from index.settings import Settings

    settings = Settings()
    manifest = Manifest.open(index_dir)
    texts = []
    for article_id, _seq, _s, _e, text, headline, day in manifest.iter_chunks():
        stub = Article(article_id, Path(article_id), headline, day, "", "")
        texts.append(embedding_text(stub, text))
    embedder = load_embedder(settings.embed_model, settings.embed_batch)
    model = embedder._model  # the bare SentenceTransformer
    model.encode(texts[:64], batch_size=settings.embed_batch)  # warm-up, as the pipeline's first group
    pieces = sum(embedder.count_tokens_batch(texts))
    started = time.perf_counter()
    model.encode(texts, batch_size=settings.embed_batch, normalize_embeddings=True,
                 convert_to_numpy=True, show_progress_bar=False)
    return time.perf_counter() - started, len(texts), pieces


def raw_tagging_seconds(index_dir: Path) -> float:
    """Find the named entities of the same chunk texts with the tagger alone (as the index does)."""
    from index.entities import load_tagger
    from index.manifest import Manifest
    from index.settings import Settings

    tagger = load_tagger(Settings().ner_model)
    texts = [text for _aid, _seq, _s, _e, text, _h, _d in Manifest.open(index_dir).iter_chunks()]
    tagger.tag(texts[:64])  # warm-up
    started = time.perf_counter()
    tagger.tag(texts)
    return time.perf_counter() - started


def one_change_warm(index_dir: Path, corpus: Path, changed: Path):
    """The same one-article change through a running engine (model loaded), as the UI does it."""
    from index.settings import Settings
    from qa.engine import Engine

    engine = Engine(Settings(index_dir=index_dir, corpus_dir=corpus))
    engine.embedder.embed_query("warm up")
    changed.write_text(changed.read_text() + "\nA second correction was added.\n")
    started = time.perf_counter()
    report = engine.index()
    return time.perf_counter() - started, report


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared/corpora/bbc")
    parser.add_argument("--out", type=Path, default=ROOT / "bench/out/index")
    args = parser.parse_args()
    if not args.corpus.is_dir():
        sys.exit(f"corpus not found: {args.corpus}")
    work = args.out
    shutil.rmtree(work, ignore_errors=True)
    corpus, index_dir = work / "corpus", work / "idx"
    shutil.copytree(args.corpus, corpus)

    full_wall, full = qa(index_dir, "index", str(corpus))
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    noop_wall, noop = qa(index_dir, "index", str(corpus))
    changed_file = corpus / "business" / "001.txt"
    changed_file.write_text(changed_file.read_text() + "\nA late correction was added to this article.\n")
    change_wall, change = qa(index_dir, "index", str(corpus))
    raw_s, raw_chunks, pieces = raw_embedding_seconds(index_dir)
    tag_s = raw_tagging_seconds(index_dir)
    warm_s, warm = one_change_warm(index_dir, corpus, changed_file)

    results = {
        "date": datetime.now(timezone.utc).isoformat(timespec="minutes"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "articles": full["added"], "skipped": full["skipped"], "chunks": full["chunks"],
        "word_pieces": pieces,
        "full_index_wall_s": round(full_wall, 1), "full_index_inprocess_s": full["seconds"],
        "full_index_chunks_per_s": round(full["embedded"] / full["seconds"], 2),
        "raw_embedding_s": round(raw_s, 1), "raw_chunks_per_s": round(raw_chunks / raw_s, 2),
        "raw_entity_tagging_s": round(tag_s, 1),
        "entity_tagging_over_embedding": round(tag_s / raw_s, 3),
        "pipeline_overhead": round(full["seconds"] / raw_s - 1, 3),
        "pipeline_overhead_over_embedding_and_tagging": round(full["seconds"] / (raw_s + tag_s) - 1, 3),
        "peak_rss_mb": round(peak_mb),
        "noop_wall_s": round(noop_wall, 2), "noop_inprocess_s": noop["seconds"],
        "noop_embedded": noop["embedded"],
        "one_change_wall_s": round(change_wall, 2), "one_change_inprocess_s": change["seconds"],
        "one_change_updated": change["updated"], "one_change_embedded": change["embedded"],
        "one_change_warm_s": round(warm_s, 3), "one_change_warm_updated": warm.updated,
    }
    (work / "results.json").write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))
    print()
    print("| measure | value |\n|---|---|")
    for key, value in results.items():
        print(f"| {key} | {value} |")


if __name__ == "__main__":
    main()
