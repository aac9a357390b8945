"""Size and modification time of each file as last read whole, in the manifest's database.

A file whose size and modification time are what they were when all of its articles
were last indexed is not read again (`qa index --verify` reads and hashes every file
anyway). A file is recorded only after every article it holds is done, so a run
killed before that reads it again; a change to how files are read (the record field
names, the size limit, the readers) forgets every record.
"""

from __future__ import annotations

import os

from index.manifest import Manifest, path_under

SCHEMA = """CREATE TABLE IF NOT EXISTS files (
    path TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL
)"""
READERS_VERSION = "formats-v1"  # bump when a reader changes what it makes of a file


class FileStats:
    def __init__(self, manifest: Manifest, reading: str):
        """`reading`: what decides how files are read (settings that change the articles made)."""
        self.manifest = manifest
        manifest.db.execute(SCHEMA)
        fingerprint = f"{READERS_VERSION}:{reading}"
        if manifest.get_meta("reading") != fingerprint:
            with manifest.db:
                manifest.db.execute("DELETE FROM files")
            manifest.set_meta(reading=fingerprint)

    def known(self, source: str, under: str = "") -> dict[str, tuple[int, int | None, int | None]]:
        """file path -> (its articles in the index, size, mtime_ns as last read whole, or None, None),
        for every file of one source that has articles (or those at or under `under`): what a
        run compares each file's stat with, in one pass over two indexes."""
        clause, params = path_under(under)
        rows = self.manifest.db.execute(
            "SELECT g.path, g.n, f.size, f.mtime_ns FROM (SELECT path, COUNT(*) AS n FROM articles "
            f"INDEXED BY articles_by_source WHERE source = ?{clause} GROUP BY path) g "
            "LEFT JOIN files f ON f.path = g.path", (source, *params))
        return {path: (n, size, mtime) for path, n, size, mtime in rows}

    def record(self, source: str, stats: dict[str, os.stat_result]) -> None:
        with self.manifest.db:
            self.manifest.db.executemany(
                "INSERT OR REPLACE INTO files(path, source, size, mtime_ns) VALUES (?, ?, ?, ?)",
                [(path, source, st.st_size, st.st_mtime_ns) for path, st in stats.items()])

    def forget(self, source: str, paths: list[str] | None = None) -> None:
        """A source's records (all of them, or these files')."""
        with self.manifest.db:
            if paths is None:
                self.manifest.db.execute("DELETE FROM files WHERE source = ?", (source,))
            else:
                self.manifest.db.executemany("DELETE FROM files WHERE path = ?", [(p,) for p in paths])

