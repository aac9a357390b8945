"""One writer per index across processes: a second `qa index` waits for the first, or stops
with one line naming it; it never writes at the same time."""

from __future__ import annotations

import subprocess
import sys
import time

from tests.conftest import ROOT, cli_env, qa_command, write_article

HOLD = """import sys, time
sys.path.insert(0, sys.argv[3])
from index.lock import WriterLock
with WriterLock(sys.argv[1], 0):
    print("held", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def hold(index_dir, seconds: float) -> subprocess.Popen:
    """Another process holding the index's writer lock (as a running `qa index` does)."""
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(index_dir), str(seconds), str(ROOT)],
                              stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    return holder


def setup(tmp_path) -> dict:
    write_article(tmp_path / "c", "a.txt", "Harbour story", "The harbour council met in May.", "2024-05-01")
    return cli_env(tmp_path) | {"QA_CORPUS_DIR": str(tmp_path / "c")}


def test_a_second_writer_stops_with_one_line(tmp_path):
    env = setup(tmp_path) | {"QA_WRITER_WAIT": "1"}
    holder = hold(tmp_path / "idx", 60)
    try:
        out = subprocess.run(qa_command() + ["index"], env=env, capture_output=True, text=True, timeout=300)
        assert out.returncode == 1, out.stderr
        assert out.stderr.strip().count("\n") == 0 and f"being updated by process {holder.pid}" in out.stderr
        assert "Traceback" not in out.stderr
    finally:
        holder.kill()
        holder.wait()
    out = subprocess.run(qa_command() + ["index", "--json"], env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr  # the lock went with the process that held it


def test_a_second_writer_waits_for_the_first(tmp_path):
    env = setup(tmp_path) | {"QA_WRITER_WAIT": "120"}
    holder = hold(tmp_path / "idx", 4)
    started = time.monotonic()
    out = subprocess.run(qa_command() + ["index", "--json"], env=env, capture_output=True, text=True, timeout=300)
    holder.wait()
    assert out.returncode == 0, out.stderr
    assert time.monotonic() - started >= 3  # it waited for the holder to finish
