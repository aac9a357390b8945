"""The `qa` command on the seed corpus, offline, as a user runs it."""

from __future__ import annotations

import json
import subprocess

import pytest

from tests.conftest import ROOT, SEED_QUESTION, cli_env, qa_command


def qa(tmp_path, *args, input=None, env=None):
    return subprocess.run([*qa_command(), *args], env=env or cli_env(tmp_path), input=input,
                          capture_output=True, text=True, timeout=300, cwd=tmp_path)


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("cli")
    out = qa(tmp, "index", "--json")  # default corpus: seeds/ of the checkout
    assert out.returncode == 0, out.stderr
    return tmp, json.loads(out.stdout)


def test_index_json_summary(seeded):
    _, report = seeded
    assert {"added", "updated", "removed", "unchanged", "skipped", "chunks", "seconds"} <= report.keys()
    assert report["added"] == len(list((ROOT / "seeds").glob("*.txt"))) >= 1


def test_search_finds_the_seed_article(seeded):
    tmp, _ = seeded
    out = qa(tmp, "search", SEED_QUESTION, "-k", "2", "--json")
    assert out.returncode == 0, out.stderr
    hits = json.loads(out.stdout)["passages"]
    top = hits[0]
    assert top["rank"] == 1 and "Patel" in top["text"]
    assert top["date"] == "2023-11-08" and top["headline"].startswith("A State Department")
    assert {"score", "article_id", "path", "start", "end"} <= top.keys()


def test_search_reads_questions_from_stdin(seeded):
    tmp, _ = seeded
    out = qa(tmp, "search", "-", "-k", "1", input="Who is Zelensky?\n\nWhat did NBC report?\n")
    lines = [json.loads(line) for line in out.stdout.splitlines()]
    assert [line["question"] for line in lines] == ["Who is Zelensky?", "What did NBC report?"]


def test_second_run_is_a_no_op_and_status(seeded):
    tmp, first = seeded
    again = json.loads(qa(tmp, "index", "--json").stdout)
    assert again["unchanged"] == first["added"] and again["embedded"] == 0
    status = json.loads(qa(tmp, "status", "--json").stdout)
    assert status["articles"] == first["added"] and status["embed_model"] == "all-MiniLM-L6-v2"
    assert status["chunks"] == first["chunks"] and status["last_update"]


def test_user_errors_are_one_line_without_traceback(tmp_path):
    empty = qa(tmp_path, "search", "anything")
    assert empty.returncode == 1 and "run `qa index` first" in empty.stderr
    missing = qa(tmp_path, "index", str(tmp_path / "nope"))
    assert missing.returncode == 1 and "corpus folder or file not found" in missing.stderr
    env = cli_env(tmp_path) | {"QA_CHUNK_TOKENS": "lots"}
    bad = qa(tmp_path, "status", env=env)
    assert bad.returncode == 1 and "chunk_tokens" in bad.stderr
    bad_date = qa(tmp_path, "search", "x", "--since", "last week")
    for out in (empty, missing, bad, bad_date):
        assert "Traceback" not in out.stderr and len(out.stderr.strip().splitlines()) == 1, out.stderr


def test_ask_json_shape_and_citation(seeded):
    tmp, _ = seeded
    out = qa(tmp, "ask", SEED_QUESTION, "--json")
    assert out.returncode == 0, out.stderr
    answer = json.loads(out.stdout)
    assert {"question", "answer", "abstained", "citations", "passages"} <= answer.keys()
    assert not answer["abstained"] and "[1]" in answer["answer"]
    c = answer["citations"][0]
    assert {"n", "article_id", "headline", "date", "path", "quote", "start", "end"} <= c.keys()
    text = (ROOT / "seeds" / c["article_id"]).read_text(encoding="utf-8").split("\n", 2)[2]
    assert text[c["start"]:c["end"]] == c["quote"] and "Patel" in c["quote"]


def test_ask_batch_from_stdin_one_json_per_line(seeded):
    tmp, _ = seeded
    out = qa(tmp, "ask", "-", input=f"{SEED_QUESTION}\nWho won the 2022 World Cup?\n{'x' * 900}\n")
    assert out.returncode == 0, out.stderr
    lines = [json.loads(line) for line in out.stdout.splitlines()]
    assert len(lines) == 3
    assert not lines[0]["abstained"] and lines[1]["abstained"]
    assert "limit" in lines[2]["error"]


def test_eval_reports_the_metrics(seeded):
    tmp, _ = seeded
    questions = tmp / "q.jsonl"
    questions.write_text(
        json.dumps({"question": SEED_QUESTION, "answers": ["up to Ukraine", "Patel"],
                    "article": "000_c516d1f4fd7c086b.txt"}) + "\n"
        + json.dumps({"question": "Who won the 2022 World Cup?", "answers": [], "article": None}) + "\n"
    )
    out = qa(tmp, "eval", str(questions))
    assert out.returncode == 0, out.stderr
    summary = json.loads(out.stdout)
    assert summary["hit@1"] == 1.0 and summary["citations_verbatim"] == 1.0
    assert summary["answer_found"] == 1.0 and summary["abstained_unanswerable"] == 1.0
    assert summary["ask_ms_p50"] > 0


def test_reading_commands_never_create_an_index(tmp_path):
    """`qa ask` (and search, status, sources, article) on a folder with no index says so in one
    line and leaves no folder or empty manifest behind."""
    missing = tmp_path / "no" / "index"
    env = cli_env(tmp_path) | {"QA_INDEX_DIR": str(missing)}
    for args, expected in ((["ask", "Who won?"], "no index"), (["search", "Who won?"], "no index"),
                           (["article", "a.txt"], "no indexed article"), (["status"], "articles: 0"),
                           (["sources"], "no sources yet")):
        done = subprocess.run(qa_command() + args, env=env, capture_output=True, text=True, cwd=ROOT)
        out = done.stdout + done.stderr
        assert expected in out and "Traceback" not in out, (args, out)
    assert not (tmp_path / "no").exists()
