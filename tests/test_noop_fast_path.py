"""A file whose size and modification time are as when it was last read whole is not read
again; `--verify` reads everything; a file with a failed article is read again next time."""

from __future__ import annotations

import json
import os
import subprocess

from index.chunks import Chunker
from index.settings import Settings
from qa.engine import Engine
from tests.conftest import cli_env, qa_command, write_article


def same_size_edit(path, old: str, new: str) -> None:
    """Change a file's text without changing its size or modification time."""
    assert len(old) == len(new)
    st = path.stat()
    path.write_text(path.read_text().replace(old, new))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))


def test_unchanged_files_are_not_read_and_verify_reads_them(tmp_path, embedder):
    corpus = tmp_path / "c"
    for i in range(3):
        write_article(corpus, f"a{i}.txt", f"Story {i}", f"The harbour council met {i} times in May.", "2024-05-01")
    (corpus / "wire.jsonl").write_text(json.dumps({"id": "w1", "title": "Wire", "text": "Ferries run hourly."}) + "\n")
    engine = Engine(Settings(index_dir=tmp_path / "idx", corpus_dir=corpus), embedder=embedder)
    assert engine.index().added == 4
    same_size_edit(corpus / "a1.txt", "harbour", "HARBOUR")
    same_size_edit(corpus / "wire.jsonl", "hourly", "HOURLY")
    report = engine.index()
    assert (report.updated, report.unchanged) == (0, 4)  # size and time as recorded: not read
    report = engine.index(verify=True)
    assert (report.updated, report.unchanged) == (2, 2)
    assert "HARBOUR" in engine.article("a1.txt").text and "HOURLY" in engine.article("wire.jsonl#w1").text
    write_article(corpus, "a2.txt", "Story 2", "The harbour council met twice in June.", "2024-06-01")
    assert engine.index().updated == 1  # a real edit changes the time


def test_a_file_with_a_failed_article_is_read_again(tmp_path, embedder, monkeypatch):
    corpus = tmp_path / "c"
    write_article(corpus, "odd.txt", "Odd", "An article the chunker cannot take.", "2024-05-01")
    write_article(corpus, "fine.txt", "Fine", "An article the chunker takes.", "2024-05-01")
    real = Chunker.chunk
    monkeypatch.setattr(Chunker, "chunk", lambda self, a: (_ for _ in ()).throw(ValueError("odd")) if a.id == "odd.txt"
                        else real(self, a))
    engine = Engine(Settings(index_dir=tmp_path / "idx", corpus_dir=corpus), embedder=embedder)
    assert engine.index().skipped == {"chunking_failed": 1}
    assert engine.index().skipped == {"chunking_failed": 1}  # read again, reported again
    monkeypatch.setattr(Chunker, "chunk", real)
    assert engine.index().added == 1


def test_cli_verify_flag(tmp_path):
    corpus = tmp_path / "c"
    write_article(corpus, "a.txt", "Story", "The harbour council met in May.", "2024-05-01")
    env = cli_env(tmp_path) | {"QA_CORPUS_DIR": str(corpus)}
    assert subprocess.run(qa_command() + ["index"], env=env, capture_output=True, timeout=300).returncode == 0
    same_size_edit(corpus / "a.txt", "harbour", "HARBOUR")
    out = subprocess.run(qa_command() + ["index", "--verify", "--json"], env=env, capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["updated"] == 1
