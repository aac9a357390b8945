"""Shared fixtures: small corpora written by the tests, the real model, a real Chroma."""

from __future__ import annotations

import hashlib
import math
import os
import sys
from pathlib import Path

import pytest

import index  # noqa: F401 - offline configuration before anything loads
from index.embedding import load_embedder
from index.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
BBC = ROOT.parent / "shared" / "corpora" / "bbc"
SEED_QUESTION = "What did Vedant Patel say about negotiations?"


def write_article(folder: Path, name: str, headline: str, body: str, date: str | None = None) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    head = f" date {date} {headline}" if date else headline
    path.write_text(f"{head}\n\n{body}\n", encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def embedder():
    """The real default model, loaded once for the whole run."""
    return load_embedder("all-MiniLM-L6-v2")


class CountingEmbedder:
    """Wraps an embedder and records every text it is asked to embed."""

    def __init__(self, inner):
        self.inner = inner
        self.model_id = inner.model_id
        self.max_input_tokens = inner.max_input_tokens
        self.embedded: list[str] = []

    @property
    def dimension(self) -> int:
        return self.inner.dimension

    def count_tokens(self, text: str) -> int:
        return self.inner.count_tokens(text)

    def embed_documents(self, texts):
        self.embedded.extend(texts)
        return self.inner.embed_documents(texts)

    def embed_query(self, text):
        return self.inner.embed_query(text)


class HashEmbedder:
    """Deterministic 16-dimensional vectors from text hashes, for many-example tests."""

    model_id = "test-hash-16"
    max_input_tokens = None
    dimension = 16

    def count_tokens(self, text: str) -> int:
        return len(text.split())

    def _vector(self, text: str) -> list[float]:
        digest = hashlib.sha256(text.encode()).digest()
        raw = [b - 127.5 for b in digest[:16]]
        norm = math.sqrt(sum(x * x for x in raw)) or 1.0
        return [x / norm for x in raw]

    def embed_documents(self, texts):
        return [self._vector(t) for t in texts]

    def embed_query(self, text):
        return self._vector(text)


@pytest.fixture(scope="module")
def fake():
    """A language model played by a script on loopback (tests/fake_llm.py), one per test module."""
    from tests.fake_llm import FakeLLM

    server = FakeLLM().start()
    yield server
    server.stop()


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(index_dir=tmp_path / "idx", corpus_dir=tmp_path / "corpus")


@pytest.fixture
def counting(embedder) -> CountingEmbedder:
    return CountingEmbedder(embedder)


def cli_env(tmp_path: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("QA_")}
    env["QA_INDEX_DIR"] = str(tmp_path / "idx")
    env["HF_HUB_OFFLINE"] = "1"
    return env


def qa_command() -> list[str]:
    return [sys.executable, "-m", "qa.cli"]
