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

import numpy as np

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


def regroup(manifest) -> int:
    """Sign the articles that have no signature yet, then group every copy again; the number of
    articles that are copies of another."""
    unsigned = manifest.unsigned()
    for i in range(0, len(unsigned), 500):
        manifest.set_signatures([(aid, signature(text).astype(np.uint32).tobytes()) for aid, text in unsigned[i:i + 500]])
    found = groups({aid: np.frombuffer(raw, dtype=np.uint32) for aid, raw in manifest.signatures()})
    manifest.set_groups(found)
    return sum(1 for aid, canonical in found.items() if aid != canonical)
