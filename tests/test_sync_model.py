"""Model-based test of sync: after every run the index equals a fresh build.

Like Chroma's own collection tests: a hypothesis state machine adds, edits,
deletes and renames articles between index runs against a real Chroma; the
embedding is a deterministic hash so many examples run fast.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, settings, strategies as st
import pytest
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from index.articles import Article, read_corpus
from index.chunks import Chunker, embedding_text
from index.errors import LargeRemovalError
from index.settings import Settings
from qa.engine import Engine
from tests.conftest import CountingEmbedder, HashEmbedder
from tests.helpers import fresh_build, index_contents, manifest_contents

NAMES = st.sampled_from([f"{d}/{n}.txt" for d in ("a", "b", "a/deep") for n in ("one", "two", "three", "four")])
SENTENCES = st.lists(
    st.sampled_from([
        "The minister said the budget would rise.",
        "Mr. Jones, 45, told the U.S. press on Monday that talks had stalled.",
        "Shares fell 3% in early trading.",
        "“We are not giving up,” the coach said.",
        "Police in Leeds arrested two men.",
        "Ünïcode names like Zürich and Kraków appear too.",
    ]),
    min_size=1, max_size=25,
)


class SyncMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.tmp = Path(tempfile.mkdtemp(prefix="qa-sync-"))
        self.corpus = self.tmp / "corpus"
        self.corpus.mkdir()
        self.embedder = CountingEmbedder(HashEmbedder())
        self.engine = Engine(Settings(index_dir=self.tmp / "idx", chunk_tokens=40), embedder=self.embedder)
        self.files: dict[str, str] = {}  # the corpus as it is now
        self.synced: dict[str, str] = {}  # the corpus at the last index run

    def _write(self, name: str, body: list[str], date: str):
        text = f" date {date} Headline for {name}\n\n" + " ".join(body) + "\n"
        path = self.corpus / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        self.files[name] = text

    @rule(name=NAMES, body=SENTENCES, date=st.sampled_from(["2024-01-05", "2023-11-08", "2024-13-01"]))
    def write(self, name, body, date):
        self._write(name, body, date)

    @precondition(lambda self: self.files)
    @rule(data=st.data())
    def delete(self, data):
        name = data.draw(st.sampled_from(sorted(self.files)))
        (self.corpus / name).unlink()
        del self.files[name]

    @precondition(lambda self: self.files)
    @rule(data=st.data(), new=NAMES)
    def rename(self, data, new):
        old = data.draw(st.sampled_from(sorted(self.files)))
        if new == old:
            return
        (self.corpus / new).parent.mkdir(parents=True, exist_ok=True)
        (self.corpus / old).rename(self.corpus / new)
        self.files[new] = self.files.pop(old)

    @rule()
    def index(self):
        self.embedder.embedded.clear()
        gone = set(self.synced) - set(self.files)
        if len(gone) > 1 and 2 * len(gone) > len(self.synced):  # the guard stops before touching anything
            before = manifest_contents(self.engine)
            with pytest.raises(LargeRemovalError):
                self.engine.index(self.corpus)
            assert manifest_contents(self.engine) == before and self.embedder.embedded == []
        report = self.engine.index(self.corpus, allow_removal=True)
        changed = {n for n, t in self.files.items() if self.synced.get(n) != t}
        assert report.added + report.updated == len(changed)
        assert report.removed == len(set(self.synced) - set(self.files))
        assert report.unchanged == len(self.files) - len(changed)
        # exactly the chunks of new or changed articles were embedded, nothing else
        chunker = Chunker(40, 0, self.embedder.count_tokens, None)
        expected_texts = []
        for article in read_corpus(self.corpus):
            if isinstance(article, Article) and article.id in changed:
                expected_texts += [embedding_text(article, c.text) for c in chunker.chunk(article)]
        assert sorted(self.embedder.embedded) == sorted(expected_texts)
        self.synced = dict(self.files)

    @invariant()
    def index_equals_fresh_build_after_each_run(self):
        if self.synced == self.files and self.synced:
            expected = fresh_build(self.corpus, self.engine)
            assert index_contents(self.engine) == expected
            assert manifest_contents(self.engine) == expected

    def teardown(self):
        self.engine.close()
        from chromadb.api.shared_system_client import SharedSystemClient

        SharedSystemClient.clear_system_cache()
        shutil.rmtree(self.tmp, ignore_errors=True)


SyncMachine.TestCase.settings = settings(
    max_examples=30, stateful_step_count=12, deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
test_sync_model = SyncMachine.TestCase
