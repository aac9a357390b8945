"""Copies of one story (wire copies, republished articles) grouped at index time.

Each article gets a MinHash signature of its word 5-shingles (datasketch), kept in
the manifest so that an update signs only what changed. Grouping puts every
signature in a MinHash LSH index and joins the articles whose estimated Jaccard
similarity reaches `SIMILAR`: candidates come from LSH buckets, never from
comparing every pair. Each group's canonical article is its first id in sort
order; the others record it as `dup_of`, and a search shows one copy with the
others as `also_in`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

import numpy as np

from index.manifest import Manifest

NUM_PERM = 64
SHINGLE_WORDS = 5
SCHEME = "affine32"  # datasketch 2 permutations; stored signatures are only comparable within one scheme
CANDIDATE_MARGIN = 0.15  # LSH candidates from a lower similarity, then each pair's estimate is checked
SIMILAR = 0.7  # estimated Jaccard of 5-word shingles: wire copies with a new intro or tail stay above it


def signature(text: str) -> np.ndarray:
    """The MinHash hash values of the text's word shingles (uint32 under affine32, NUM_PERM of them)."""
    from datasketch import MinHash

    words = re.findall(r"\w+", text.lower())
    shingles = {" ".join(words[i:i + SHINGLE_WORDS]) for i in range(max(1, len(words) - SHINGLE_WORDS + 1))}
    sketch = MinHash(num_perm=NUM_PERM, scheme=SCHEME)
    sketch.update_batch([s.encode() for s in shingles])
    return sketch.hashvalues


def groups(signatures: dict[str, np.ndarray]) -> dict[str, str]:
    """article id -> the canonical id of its group, for every article that has copies."""
    from datasketch import MinHash, MinHashLSH

    # buckets tuned to miss few true copies (false candidates cost only a check of the estimate)
    lsh = MinHashLSH(threshold=SIMILAR - CANDIDATE_MARGIN, num_perm=NUM_PERM, weights=(0.3, 0.7))
    sketches = {}
    for article_id, values in signatures.items():
        sketches[article_id] = MinHash(num_perm=NUM_PERM, hashvalues=values, scheme=SCHEME)
        lsh.insert(article_id, sketches[article_id], check_duplication=False)
    parent: dict[str, str] = {}

    def root(x: str) -> str:
        while parent.get(x, x) != x:
            parent[x] = parent.get(parent[x], parent[x])
            x = parent[x]
        return x

    for article_id, sketch in sketches.items():
        for other in lsh.query(sketch):
            if other != article_id and sketch.jaccard(sketches[other]) >= SIMILAR:
                a, b = root(article_id), root(other)
                if a != b:
                    parent[max(a, b)] = min(a, b)
    members = set(parent) | {root(x) for x in parent}
    return {x: root(x) for x in members}


def regroup(manifest: Manifest) -> int:
    """Sign the articles that have no signature yet, then group every copy again; the number of
    articles that are copies of another."""
    todo = unsigned(manifest)
    for i in range(0, len(todo), 500):
        set_signatures(manifest, [(aid, signature(text).astype(np.uint32).tobytes()) for aid, text in todo[i:i + 500]])
    found = groups({aid: np.frombuffer(raw, dtype=np.uint32) for aid, raw in stored_signatures(manifest)})
    set_groups(manifest, found)
    return sum(1 for aid, canonical in found.items() if aid != canonical)


# -- what the manifest holds of copies (its `signatures` table and `dup_of` column) --

def unsigned(manifest: Manifest) -> list[tuple[str, str]]:
    """(id, text) of done articles that have no MinHash signature yet."""
    return list(manifest.db.execute(
        "SELECT a.id, COALESCE(a.text, '') FROM articles a LEFT JOIN signatures s ON s.article_id = a.id "
        "WHERE a.status = 'done' AND s.article_id IS NULL"))


def has_unsigned(manifest: Manifest) -> bool:
    return manifest.db.execute(
        "SELECT 1 FROM articles a LEFT JOIN signatures s ON s.article_id = a.id "
        "WHERE a.status = 'done' AND s.article_id IS NULL LIMIT 1").fetchone() is not None


def set_signatures(manifest: Manifest, items: Iterable[tuple[str, bytes]]) -> None:
    with manifest.db:
        manifest.db.executemany("INSERT OR REPLACE INTO signatures(article_id, minhash) VALUES (?, ?)", items)


def stored_signatures(manifest: Manifest) -> Iterator[tuple[str, bytes]]:
    yield from manifest.db.execute(
        "SELECT s.article_id, s.minhash FROM signatures s JOIN articles a ON a.id = s.article_id "
        "WHERE a.status = 'done'")


def set_groups(manifest: Manifest, canonical: dict[str, str]) -> None:
    """Every article's group: `canonical[id]` for copies (the canonical one included), NULL otherwise."""
    now = dict(manifest.db.execute("SELECT id, dup_of FROM articles WHERE dup_of IS NOT NULL"))
    changes = [(canonical.get(aid), aid) for aid in now if aid not in canonical]
    changes += [(group, aid) for aid, group in canonical.items() if now.get(aid) != group]
    with manifest.db:
        manifest.db.executemany("UPDATE articles SET dup_of = ? WHERE id = ?", changes)


def copy_count(manifest: Manifest) -> int:
    """Done articles that are a copy of another (their group's canonical article not counted)."""
    return int(manifest.db.execute("SELECT COUNT(*) FROM articles WHERE status = 'done' AND dup_of IS NOT NULL "
                                   "AND dup_of != id").fetchone()[0])


def copies(manifest: Manifest, article_ids: list[str]) -> dict[str, list[dict]]:
    """article id -> the other copies of its story ({"article_id", "outlet", "url", "date"})."""
    out: dict[str, list[dict]] = {}
    for aid in dict.fromkeys(article_ids):
        rows = manifest.db.execute(
            "SELECT b.id, b.outlet, b.url, b.date FROM articles a JOIN articles b ON b.dup_of = a.dup_of "
            "WHERE a.id = ? AND b.id != a.id AND b.status = 'done' ORDER BY b.date, b.id", (aid,))
        out[aid] = [{"article_id": r[0], "outlet": r[1], "url": r[2], "date": r[3]} for r in rows]
    return out
