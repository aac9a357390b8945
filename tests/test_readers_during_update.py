"""Readers while another process writes: a long-running engine keeps answering from one
consistent view while a writer process changes, adds and removes articles again and again;
no search fails, no citation is anything but its article's text, and once the writer is
done the reader sees the final state."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from index.settings import Settings
from qa.engine import Engine
from tests.conftest import cli_env, write_article

WRITER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from index.settings import Settings
    from qa.engine import Engine

    corpus, index_dir = Path(sys.argv[1]), Path(sys.argv[2])
    engine = Engine(Settings(index_dir=index_dir, corpus_dir=corpus))
    for round in range(1, 6):
        for i in range(0, 24, 3):
            (corpus / f"s{i:02d}.txt").write_text(
                f" date 2024-06-{round:02d} Ferry story {i} round {round}\\n\\n"
                + f"In round {round} the ferry number {i} sailed to Elston harbour with {i + round} crew. " * 12)
        gone = corpus / f"s{round:02d}.txt"
        if gone.exists():
            gone.unlink()
        (corpus / f"new{round}.txt").write_text(
            f" date 2024-07-0{round} Lighthouse {round}\\n\\nVolunteers repainted lighthouse number {round} at Elston.")
        engine.index(allow_removal=True)
        print("round", round, flush=True)
""")


def test_an_engine_answers_throughout_another_process_s_updates(tmp_path, embedder):
    corpus = tmp_path / "c"
    for i in range(24):
        write_article(corpus, f"s{i:02d}.txt", f"Ferry story {i}",
                      f"The ferry number {i} sailed to Elston harbour with {i} crew on board. " * 12, "2024-05-01")
    settings = Settings(index_dir=tmp_path / "idx", corpus_dir=corpus)
    reader = Engine(settings, embedder=embedder)
    reader.index()
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(corpus), str(settings.index_dir)],
                              env=cli_env(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    questions = ["How many crew sailed on ferry number 6?", "Which lighthouse did volunteers repaint?",
                 "ferry Elston harbour"]
    asked = 0
    try:
        while writer.poll() is None or asked < 10:
            question = questions[asked % len(questions)]
            assert reader.search(question, k=5), question
            answer = reader.ask(question)
            for c in answer.citations:  # quoted from the article as the reader's view holds it
                assert reader.article(c.article_id).text[c.start:c.end] == c.quote
            asked += 1
    finally:
        out, err = writer.communicate(timeout=600)
    assert writer.returncode == 0, err
    assert out.count("round") == 5 and asked > 10
    final = reader.search("Volunteers repainted lighthouse number 5", k=3)
    assert final[0].article_id == "new5.txt"  # the writer's last round, seen by the reader
    rewritten = {p.article_id for p in reader.search("round", k=20, mode="lexical")}
    assert rewritten == {f"s{i:02d}.txt" for i in range(0, 24, 3)}  # the lexical index as the writer left it
    assert "s05.txt" not in {p.article_id for p in reader.search("ferry number 5", k=20)}  # removed
