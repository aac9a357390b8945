"""Dates in questions: a range of publication dates, relative to an as-of day; the answer
says which range it searched, and a range holding no article says so."""

from __future__ import annotations

import json
import subprocess
from datetime import date

import pytest

from index.settings import Settings
from qa.dates import read_range, wants_latest
from qa.engine import Engine
from tests.conftest import cli_env, qa_command, write_article

AS_OF = date(2024, 11, 27)  # a Wednesday


@pytest.mark.parametrize("question, since, until", [
    ("What did the council decide last week?", "2024-11-18", "2024-11-24"),
    ("What did the mayor say yesterday?", "2024-11-26", "2024-11-26"),
    ("How did sales go this year?", "2024-01-01", "2024-11-27"),
    ("What happened last month at the port?", "2024-10-01", "2024-10-31"),
    ("What happened in March 2005 at Fiat?", "2005-03-01", "2005-07-01"),  # reports follow a period
    ("Which firms merged since 2023?", "2023-01-01", None),
    ("What was said before June 2020?", None, "2020-05-31"),
    ("What happened between 2003 and 2005 at EMI?", "2003-01-01", "2005-12-31"),
    ("What was decided in the past two weeks?", "2024-11-13", "2024-11-27"),
])
def test_question_dates_become_a_range(question, since, until):
    found = read_range(question, AS_OF)
    assert (str(found.since) if found.since else None, str(found.until) if found.until else None) == (since, until)


def test_a_year_naming_the_subject_is_not_a_range():
    assert read_range("What did the 2004 annual report say about Fiat?", AS_OF) is None
    assert read_range("Who recently bought the Old Mill?", AS_OF) is None
    assert wants_latest("What is the latest harbour budget?") and not wants_latest("What is the harbour budget?")


@pytest.fixture(scope="module")
def dated(tmp_path_factory, embedder):
    tmp = tmp_path_factory.mktemp("dated")
    corpus = tmp / "corpus"
    write_article(corpus, "march.txt", "Harbour budget agreed",
                  "The Elston council approved a harbour budget of 3m pounds on Tuesday. "
                  "Councillors said the money would repair the east pier.", "2024-03-05")
    write_article(corpus, "november.txt", "Harbour budget raised",
                  "The Elston council approved a harbour budget of 4m pounds on Tuesday. "
                  "Councillors said rising costs had forced the increase.", "2024-11-19")
    write_article(corpus, "ferry.txt", "Ferry timetable changes",
                  "The Harwick ferry will run every hour from January, the port authority said.", "2024-06-10")
    engine = Engine(Settings(index_dir=tmp / "idx", corpus_dir=corpus), embedder=embedder)
    engine.index()
    return engine, tmp


def test_a_relative_date_is_answered_from_the_right_period(dated):
    engine, _ = dated
    question = "What harbour budget did the Elston council approve last week?"
    late = engine.ask(question, as_of="2024-11-27")
    assert not late.abstained and {c.article_id for c in late.citations} == {"november.txt"}
    assert any('searched articles dated 2024-11-18 to 2024-11-24 ("last week"' in n for n in late.notes)
    early = engine.ask(question, as_of="2024-03-13")
    assert not early.abstained and {c.article_id for c in early.citations} == {"march.txt"}
    plain = engine.ask("What harbour budget did the Elston council approve?")
    assert not any(n.startswith("searched") for n in plain.notes)


def test_a_range_with_no_article_says_so_and_latest_puts_newer_first(dated):
    engine, _ = dated
    empty = engine.ask("What harbour budget did the council approve in 1999?")
    assert empty.abstained and empty.answer.startswith("No indexed article is dated in that range")
    assert empty.passages == [] and engine.search("harbour budget in 1999") == []
    latest = engine.search("What is the latest harbour budget approved by the Elston council?", k=2)
    assert [p.article_id for p in latest] == ["november.txt", "march.txt"]


def test_dates_are_not_used_on_an_undated_index(tmp_path, embedder):
    write_article(tmp_path / "c", "a.txt", "Harbour budget agreed", "The council approved a harbour budget of 3m.")
    engine = Engine(Settings(index_dir=tmp_path / "idx", corpus_dir=tmp_path / "c"), embedder=embedder)
    engine.index()
    answer = engine.ask("What harbour budget did the council approve in 2004?")
    assert answer.passages and any("undated" in n for n in answer.notes)  # searched, not filtered away


def test_cli_as_of_and_search_counts_by_month(dated):
    _engine, tmp = dated
    env = cli_env(tmp)
    out = subprocess.run(qa_command() + ["search", "--json", "--as-of", "2024-11-27", "harbour budget this year"],
                         env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    row = json.loads(out.stdout)
    assert row["by_month"] == {"2024-03": 1, "2024-06": 1, "2024-11": 1}
    out = subprocess.run(qa_command() + ["ask", "--as-of", "2024-11-27", "What harbour budget was approved last week?"],
                         env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert "4m" in out.stdout and 'note: searched articles dated 2024-11-18 to 2024-11-24' in out.stdout
    out = subprocess.run(qa_command() + ["ask", "--as-of", "27/11/2024", "budget last week?"], env=env,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode != 0 and "as_of" in out.stderr and "Traceback" not in out.stderr
