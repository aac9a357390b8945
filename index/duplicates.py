"""Copies of one story (wire copies, republished articles) grouped at index time.

Each article gets a MinHash signature of its word 5-shingles (datasketch), kept in
the manifest so that an update signs only what changed. Grouping puts every
signature in a MinHash LSH index and joins the articles whose estimated Jaccard
similarity reaches `SIMILAR`: candidates come from LSH buckets, never from
comparing every pair. The band keys are kept too (`copy_bands`), so that a sync
regroups what its change reaches by looking its keys up. Each group's canonical
article is its first id in sort order; the others record it as `dup_of`, and a
search shows one copy with the others as `also_in`.
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
BANDS_VERSION = f"{SCHEME}:{NUM_PERM}:{BANDS}x{ROWS}"  # meta `copy_bands`: the table holds every signature's keys
FEW_SEEDS = 200  # each seed costs its band lookups and its candidates' checks: more seeds, one full pass


def band_keys(sigs: np.ndarray) -> np.ndarray:
    """One 64-bit key per LSH band of each signature (rows: articles); articles that share a key
    in any band are candidates (a key collision only adds a candidate, which is checked)."""
    mixed = sigs[:, :BANDS * ROWS].astype(np.uint64).reshape(len(sigs), BANDS, ROWS)
    weights = np.array([1, 0x9E3779B1, 0x85EBCA77 << 16, 0xC2B2AE3D << 32], dtype=np.uint64)[:ROWS]
    with np.errstate(over="ignore"):
        return (mixed * weights).sum(axis=2, dtype=np.uint64)


def _similar(sigs: np.ndarray, i: int, others: np.ndarray) -> np.ndarray:
    return others[(sigs[others] == sigs[i]).mean(axis=1) >= SIMILAR]


def groups(signatures: dict[str, np.ndarray]) -> dict[str, str]:
    """article id -> the canonical id of its group, for every article that has copies."""
    ids = list(signatures)
    if not ids:
        return {}
    return grouped(ids, np.stack([np.asarray(signatures[a], dtype=np.uint32) for a in ids]))


def grouped(ids: list[str], sigs: np.ndarray) -> dict[str, str]:
    """`groups` over the signatures as one matrix (a row per id): every bucket of every band."""
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

    for band in range(BANDS):
        order = np.argsort(keys[:, band], kind="stable")
        column = keys[order, band]
        starts = np.flatnonzero(np.r_[True, column[1:] != column[:-1]])
        ends = np.r_[starts[1:], len(column)]
        for start, end in zip(starts[ends - starts > 1], ends[ends - starts > 1]):
            bucket = order[start:end]
            for i in bucket.tolist():
                join(i, _similar(sigs, i, bucket))
    members: dict[int, list[int]] = {}
    for i in range(len(ids)):
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
    were) only the groups a change can alter. Returns the number of articles that are copies.

    A few changes cost what they reach: their band keys are looked up in the manifest's
    `copy_bands` table. Many changes, a first run, or a table not filled yet: one pass over
    every signature (a first run, a rebuild or an unfilled table also fill the table anew,
    which drops the keys of signatures since replaced)."""
    if changed is not None and ready(manifest) and len(changed := list(changed)) <= FEW_SEEDS:
        set_signatures(manifest, [(aid, _sign(text)) for aid, text in unsigned(manifest, changed)])
        found = _reach(manifest, changed)
        set_groups(manifest, found, among=set(changed) | set(found))
        return copy_count(manifest)
    todo = unsigned(manifest)
    fill = not ready(manifest) or len(todo) > FEW_SEEDS  # a first run, a rebuild: the whole table at once
    if fill:
        manifest.delete_meta("copy_bands")  # until the table is whole again (a kill in between: filled next run)
    for i in range(0, len(todo), 500):
        set_signatures(manifest, [(aid, _sign(text)) for aid, text in todo[i:i + 500]], bands=not fill)
    rows = list(stored_signatures(manifest, numbered=True))  # one matrix, not an array per article
    ids = [aid for aid, _, _ in rows]
    sigs = np.frombuffer(b"".join(raw for _, _, raw in rows), dtype=np.uint32).reshape(len(rows), NUM_PERM)
    if fill:
        _fill_bands(manifest, np.array([n for _, n, _ in rows], dtype=np.int64), sigs)
    set_groups(manifest, grouped(ids, sigs))
    return copy_count(manifest)


def _sign(text: str) -> bytes:
    return signature(text).astype(np.uint32).tobytes()


def _reach(manifest: Manifest, seeds: list[str]) -> dict[str, str]:
    """`groups` with seeds, from the band keys the manifest holds: each reached article's
    candidates are the signatures that share one of its band keys (looked up, not scanned)."""
    parent: dict[str, str] = {}

    def root(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    frontier = list(signatures_of(manifest, list(dict.fromkeys(seeds))).items())
    seen = {aid for aid, _ in frontier}
    while frontier:
        aid, sig = frontier.pop()
        keys = band_keys(sig[None, :])[0]
        for other, other_sig in _band_mates(manifest, keys):
            if other == aid or not (band_keys(other_sig[None, :])[0] == keys).any():
                continue  # a key left by a signature since replaced: not a candidate now
            if (other_sig == sig).mean() < SIMILAR:
                continue
            a, b = root(aid), root(other)
            if a != b:
                parent[max(a, b)] = min(a, b)
            if other not in seen:
                seen.add(other)
                frontier.append((other, other_sig))
    members: dict[str, list[str]] = {}
    for aid in seen:
        members.setdefault(root(aid), []).append(aid)
    return {aid: min(group) for group in members.values() if len(group) > 1 for aid in group}


def ready(manifest: Manifest) -> bool:
    """Whether every done article's signature and band keys are stored (else a full pass is due:
    an index from an earlier version)."""
    return manifest.get_meta("copy_bands") == BANDS_VERSION


def _band_mates(manifest: Manifest, keys: np.ndarray) -> Iterator[tuple[str, np.ndarray]]:
    """Done articles with a signature under one of these band keys (one per band)."""
    found: dict[str, np.ndarray] = {}
    for band, key in enumerate(keys.view(np.int64).tolist()):
        for aid, raw in manifest.db.execute(
                "SELECT s.article_id, s.minhash FROM copy_bands b JOIN copy_signatures s ON s.n = b.n "
                "JOIN articles a ON a.id = s.article_id WHERE b.band = ? AND b.key = ? AND a.status = 'done'",
                (band, key)):
            if aid not in found:
                found[aid] = np.frombuffer(raw, dtype=np.uint32)
    yield from found.items()


def _fill_bands(manifest: Manifest, numbers: np.ndarray, sigs: np.ndarray) -> None:
    """The `copy_bands` table anew from every signature, in key order (a fast bulk insert)."""
    keys = band_keys(sigs).view(np.int64) if len(sigs) else np.zeros((0, BANDS), dtype=np.int64)
    with manifest.db:
        manifest.db.execute("DELETE FROM copy_bands")
        for band in range(BANDS):
            order = np.argsort(keys[:, band], kind="stable")
            manifest.db.executemany("INSERT OR IGNORE INTO copy_bands(band, key, n) VALUES (?, ?, ?)",
                                    zip([band] * len(order), keys[order, band].tolist(), numbers[order].tolist()))
    manifest.set_meta(copy_bands=BANDS_VERSION)


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


# -- what the manifest holds of copies (its `copy_signatures`, `copy_bands` tables and `dup_of` column) --

def unsigned(manifest: Manifest, among: list[str] | None = None) -> list[tuple[str, str]]:
    """(id, text) of done articles that have no MinHash signature yet (all, or among these)."""
    query = ("SELECT a.id, COALESCE(a.text, '') FROM articles a LEFT JOIN copy_signatures s "
             "ON s.article_id = a.id WHERE a.status = 'done' AND s.article_id IS NULL")
    if among is None:
        return list(manifest.db.execute(query))
    out = []
    for i in range(0, len(among), 500):
        part = among[i:i + 500]
        out += manifest.db.execute(f"{query} AND a.id IN ({','.join('?' * len(part))})", part)
    return out


def set_signatures(manifest: Manifest, items: list[tuple[str, bytes]], bands: bool = True) -> None:
    """Store these signatures (and, with `bands`, their band keys: the table stays complete)."""
    with manifest.db:
        for aid, raw in items:
            manifest.db.execute("DELETE FROM copy_signatures WHERE article_id = ?", (aid,))
            n = manifest.db.execute("INSERT INTO copy_signatures(article_id, minhash) VALUES (?, ?)",
                                    (aid, raw)).lastrowid
            if bands:
                keys = band_keys(np.frombuffer(raw, dtype=np.uint32)[None, :])[0].view(np.int64).tolist()
                manifest.db.executemany("INSERT OR IGNORE INTO copy_bands(band, key, n) VALUES (?, ?, ?)",
                                        [(band, key, n) for band, key in enumerate(keys)])


def signatures_of(manifest: Manifest, article_ids: list[str]) -> dict[str, np.ndarray]:
    """The stored signatures of these done articles (those that have one)."""
    out = {}
    for i in range(0, len(article_ids), 500):
        part = article_ids[i:i + 500]
        for aid, raw in manifest.db.execute(
                "SELECT s.article_id, s.minhash FROM copy_signatures s JOIN articles a ON a.id = s.article_id "
                f"WHERE a.status = 'done' AND s.article_id IN ({','.join('?' * len(part))})", part):
            out[aid] = np.frombuffer(raw, dtype=np.uint32)
    return out


def stored_signatures(manifest: Manifest, numbered: bool = False) -> Iterator[tuple]:
    """(id, signature bytes) of every done article, or (id, its number in `copy_bands`, bytes)."""
    rows = manifest.db.execute(
        "SELECT s.article_id, s.n, s.minhash FROM copy_signatures s JOIN articles a ON a.id = s.article_id "
        "WHERE a.status = 'done'")
    for aid, n, raw in rows:
        yield (aid, n, raw) if numbered else (aid, raw)


def set_groups(manifest: Manifest, canonical: dict[str, str], among: set[str] | None = None) -> None:
    """Every article's group (or, with `among`, these articles' only): `canonical[id]` for
    copies (the canonical one included), NULL otherwise."""
    if among is None:  # the copies, read through `dup_of`'s index
        now = dict(manifest.db.execute(
            "SELECT id, dup_of FROM articles INDEXED BY articles_by_group WHERE dup_of IS NOT NULL"))
    else:
        now, ids = {}, sorted(among)
        for i in range(0, len(ids), 500):
            part = ids[i:i + 500]
            now.update(manifest.db.execute(
                f"SELECT id, dup_of FROM articles WHERE id IN ({','.join('?' * len(part))}) AND dup_of IS NOT NULL",
                part))
    changes = [(canonical.get(aid), aid) for aid in now if aid not in canonical]
    changes += [(group, aid) for aid, group in canonical.items() if now.get(aid) != group]
    with manifest.db:
        manifest.db.executemany("UPDATE articles SET dup_of = ? WHERE id = ?", changes)


def copy_count(manifest: Manifest) -> int:
    """Done articles that are a copy of another (their group's canonical article not counted).
    (Read through `dup_of`'s index: the copies, not every done article by its status.)"""
    return int(manifest.db.execute("SELECT COUNT(*) FROM articles INDEXED BY articles_by_group "
                                   "WHERE status = 'done' AND dup_of IS NOT NULL "
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
