"""One writer per index, across processes: an exclusive lock on `<index>/writer.lock`.

A second `qa index` (or the chat's Update button in another process) waits up to
`QA_WRITER_WAIT` seconds for the first to finish, then stops with one line naming
the process that holds the index. The lock is the operating system's (fcntl), so
it is released when its holder exits, however it exits.
"""

from __future__ import annotations

import fcntl
import os
import time
from pathlib import Path

from index.errors import UserError


class IndexBusyError(UserError):
    """Another process is writing this index."""


class WriterLock:
    def __init__(self, index_dir: Path, wait: float):
        self.path = Path(index_dir) / "writer.lock"
        self.wait = wait
        self._file = None

    def __enter__(self) -> "WriterLock":
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a+")  # noqa: SIM115 - held until __exit__
        deadline = time.monotonic() + self.wait
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    handle.seek(0)
                    holder = handle.read().strip() or "another process"
                    handle.close()
                    raise IndexBusyError(f"the index {self.path.parent} is being updated by {holder}; "
                                         "try again when it is done") from None
                time.sleep(0.2)
        handle.seek(0)
        handle.truncate()
        handle.write(f"process {os.getpid()} (since {time.strftime('%H:%M:%S')})")
        handle.flush()
        self._file = handle
        return self

    def __exit__(self, *exc) -> None:
        if self._file is not None:
            self._file.seek(0)
            self._file.truncate()
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None
