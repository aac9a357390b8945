"""Embeddings by a service (QA_EMBED_API=openai): llama-index's OpenAI-compatible client against
a loopback `/v1/embeddings`, batched, retried, recorded like any model; a service that is
down is one line, and what was indexed stays."""

from __future__ import annotations

import subprocess

import pytest

from index.errors import EmbeddingError, IndexMismatchError
from index.settings import Settings
from qa.engine import Engine
from tests.conftest import cli_env, qa_command, write_article
from tests.fake_embeddings import FakeEmbeddings


@pytest.fixture
def service():
    server = FakeEmbeddings().start()
    yield server
    server.stop()


def remote(tmp_path, url: str, **more) -> Settings:
    return Settings(index_dir=tmp_path / "idx", corpus_dir=tmp_path / "corpus", embed_api="openai",
                    embed_base_url=url, embed_model="stub-embed", embed_batch=2, embed_retries=2,
                    embed_timeout=5, ner_model="none", **more)


def corpus(folder):
    write_article(folder, "a.txt", "Ferry strike", "Ferry crews walked out at Dover on Monday over pay.", "2024-01-02")
    write_article(folder, "b.txt", "Orchard harvest", "Apple growers in Kent reported a record harvest.", "2024-09-01")
    write_article(folder, "c.txt", "Bridge shut", "The Old Mill bridge was closed after cracks were found.",
                  "2024-03-04")


def test_an_index_embedded_by_a_service(tmp_path, service):
    corpus(tmp_path / "corpus")
    engine = Engine(remote(tmp_path, service.url))
    report = engine.index()
    assert report.added == 3 and report.embedded == 3
    assert engine.manifest.get_meta("embed_model") == "openai:stub-embed"
    assert engine.manifest.get_meta("dimension") == "64"
    documents = [b for b in service.batches if len(b) > 1 or "Ferry" in b[0] or "Orchard" in b[0] or "Bridge" in b[0]]
    assert documents and all(len(b) <= 2 for b in service.batches)  # batched as set
    assert sum(len(b) for b in documents) >= 3
    hits = engine.search("apple growers harvest in Kent", k=1, mode="dense")
    assert hits[0].article_id == "b.txt"  # the query embedded by the service too
    with pytest.raises(IndexMismatchError):  # the index records the model: the local one may not read it
        Engine(Settings(index_dir=tmp_path / "idx", corpus_dir=tmp_path / "corpus")).index()


def test_a_failed_batch_is_retried(tmp_path, service):
    embedder = Engine(remote(tmp_path, service.url)).embedder
    service.fail_next = 1
    assert len(embedder.embed_documents(["ferry strike", "orchard harvest"])) == 2
    assert service.failed == 1 and service.batches == [["ferry strike", "orchard harvest"]]
    service.fail_next = 100  # failing for good: one line, naming the service
    with pytest.raises(EmbeddingError, match="embedding service at .* failed"):
        embedder.embed_documents(["ferry strike"])


def test_a_service_that_is_down_is_one_line_and_keeps_the_index(tmp_path, service):
    corpus(tmp_path / "corpus")
    Engine(remote(tmp_path, service.url)).index()
    url = service.url
    service.stop()
    write_article(tmp_path / "corpus", "d.txt", "Late story", "A late story about the harbour.", "2024-10-01")
    env = cli_env(tmp_path) | {"QA_CORPUS_DIR": str(tmp_path / "corpus"), "QA_EMBED_API": "openai",
                               "QA_EMBED_BASE_URL": url, "QA_EMBED_MODEL": "stub-embed", "QA_EMBED_RETRIES": "0",
                               "QA_EMBED_TIMEOUT": "3", "QA_NER_MODEL": "none"}
    done = subprocess.run([*qa_command(), "index"], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    assert "embedding service at " + url in done.stderr and len(done.stderr.strip().splitlines()) == 1
    engine = Engine(remote(tmp_path, url))
    assert engine.status().articles == 3  # nothing lost
    with pytest.raises(EmbeddingError):
        engine.search("harbour", k=1)


def test_the_service_needs_an_address(tmp_path):
    with pytest.raises(EmbeddingError, match="QA_EMBED_BASE_URL"):
        Engine(Settings(index_dir=tmp_path / "idx", embed_api="openai")).embedder
