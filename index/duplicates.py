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


BANDS, ROWS = 15, 4  # the LSH bands datasketch picks for SIMILAR - CANDIDATE_MARGIN at (0.3, 0.7)
FEW_SEEDS = 200  # each seed scans every band key (~10 ms at 300,000 articles): more seeds, one full pass


def band_keys(sigs: np.ndarray) -> np.ndarray:
    """One 64-bit key per LSH band of each signature (rows: articles); articles that share a key
    in any band are candidates (a key collision only adds a candidate, which is checked)."""
    mixed = sigs[:, :BANDS * ROWS].astype(np.uint64).reshape(len(sigs), BANDS, ROWS)
    weights = np.array([1, 0x9E3779B1, 0x85EBCA77 << 16, 0xC2B2AE3D << 32], dtype=np.uint64)[:ROWS]
    with np.errstate(over="ignore"):
        return (mixed * weights).sum(axis=2, dtype=np.uint64)


def _similar(sigs: np.ndarray, i: int, others: np.ndarray) -> np.ndarray:
    return others[(sigs[others] == sigs[i]).mean(axis=1) >= SIMILAR]


def groups(signatures: dict[str, np.ndarray], seeds: Iterable[str] | None = None) -> dict[str, str]:
    """article id -> the canonical id of its group, for every article that has copies. With
    `seeds`, only the groups reached from those articles (candidates of candidates, until
    none is new): what a change to them can alter."""
    ids = list(signatures)
    if not ids:
        return {}
    return grouped(ids, np.stack([np.asarray(signatures[a], dtype=np.uint32) for a in ids]), seeds)


def grouped(ids: list[str], sigs: np.ndarray, seeds: Iterable[str] | None = None) -> dict[str, str]:
    """`groups` over the signatures as one matrix (a row per id)."""
    if not ids:
        return {}
    keys = band_keys(sigs)
    parent = list(range(len(ids)))

    def root(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def join(i: int, similar: np.ndarray) -> None:
        for j in similar.tolist():
            a, b = root(i), root(j)
            if a != b:
                parent[max(a, b)] = min(a, b)

    if seeds is None:  # every bucket of every band
        for band in range(BANDS):
            order = np.argsort(keys[:, band], kind="stable")
            column = keys[order, band]
            starts = np.flatnonzero(np.r_[True, column[1:] != column[:-1]])
            ends = np.r_[starts[1:], len(column)]
            for start, end in zip(starts[ends - starts > 1], ends[ends - starts > 1]):
                bucket = order[start:end]
                for i in bucket.tolist():
                    join(i, _similar(sigs, i, bucket))
        reached = range(len(ids))
    else:
        position = {a: n for n, a in enumerate(ids)}
        frontier = [position[a] for a in dict.fromkeys(seeds) if a in position]
        seen = set(frontier)
        while frontier:
            i = frontier.pop()
            candidates = np.flatnonzero((keys == keys[i]).any(axis=1))
            similar = _similar(sigs, i, candidates)
            join(i, similar)
            for j in similar.tolist():
                if j not in seen:
                    seen.add(j)
                    frontier.append(j)
        reached = sorted(seen)
    members: dict[int, list[int]] = {}
    for i in reached:
        members.setdefault(root(i), []).append(i)
    out = {}
    for group in members.values():
        if len(group) > 1:
            canonical = min(ids[i] for i in group)
            out.update({ids[i]: canonical for i in group})
    return out


def regroup(manifest: Manifest, changed: Iterable[str] | None = None) -> int:
    """Sign the articles that have no signature yet, then group copies again: all of them, or
    (with `changed`: the articles changed, added or removed, and their groups' members as they
    were) only the groups a change can alter. Returns the number of articles that are copies."""
    todo = unsigned(manifest)
    for i in range(0, len(todo), 500):
        set_signatures(manifest, [(aid, signature(text).astype(np.uint32).tobytes()) for aid, text in todo[i:i + 500]])
    rows = list(stored_signatures(manifest))  # one matrix, not an array per article
    ids = [aid for aid, _ in rows]
    sigs = np.frombuffer(b"".join(raw for _, raw in rows), dtype=np.uint32).reshape(len(rows), NUM_PERM)
    if changed is None or len(changed := list(changed)) > FEW_SEEDS:  # a first run, a big update
        set_groups(manifest, grouped(ids, sigs))
    else:
        found = grouped(ids, sigs, changed)
        set_groups(manifest, found, among=set(changed) | set(found))
    return copy_count(manifest)


def group_mates(manifest: Manifest, article_ids: list[str]) -> set[str]:
    """These articles and every member of their groups (read before a change, so that the
    members a removed or changed copy leaves behind are grouped again)."""
    out = set(article_ids)
    for i in range(0, len(article_ids), 500):
        part = article_ids[i:i + 500]
        marks = ",".join("?" * len(part))
        out |= {r[0] for r in manifest.db.execute(
            f"SELECT b.id FROM articles a JOIN articles b ON b.dup_of = a.dup_of WHERE a.id IN ({marks})", part)}
    return out


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


def set_groups(manifest: Manifest, canonical: dict[str, str], among: set[str] | None = None) -> None:
    """Every article's group (or, with `among`, these articles' only): `canonical[id]` for
    copies (the canonical one included), NULL otherwise."""
    now = dict(manifest.db.execute("SELECT id, dup_of FROM articles WHERE dup_of IS NOT NULL"))
    if among is not None:
        now = {aid: group for aid, group in now.items() if aid in among}
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
