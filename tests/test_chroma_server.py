"""The same index and answers through a Chroma server (`chroma run` + HttpClient)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from index.errors import StoreUnavailableError
from index.settings import Settings
from qa.engine import Engine
from tests.conftest import SEED_QUESTION


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory):
    chroma = shutil.which("chroma") or str(Path(__import__("sys").executable).parent / "chroma")
    port = free_port()
    data = tmp_path_factory.mktemp("chroma-server")
    proc = subprocess.Popen([chroma, "run", "--path", str(data), "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1)
            break
        except OSError:
            time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail("chroma run did not come up")
    yield port
    proc.terminate()
    proc.wait(timeout=30)


def test_index_and_answer_through_the_server(tmp_path, chroma_server, embedder):
    settings = Settings(index_dir=tmp_path / "idx", chroma_host="127.0.0.1", chroma_port=chroma_server)
    engine = Engine(settings, embedder=embedder)
    report = engine.index()
    assert report.added == 1 and report.chunks == 3
    answer = engine.ask(SEED_QUESTION)
    assert not answer.abstained and "Patel" in answer.answer
    assert engine.status().store.startswith("chroma server")
    assert engine.index().unchanged == 1


def test_unreachable_server_is_a_clear_error(tmp_path, embedder):
    settings = Settings(index_dir=tmp_path / "idx", chroma_host="127.0.0.1", chroma_port=free_port())
    with pytest.raises(StoreUnavailableError, match="cannot reach Chroma"):
        Engine(settings, embedder=embedder).index()
