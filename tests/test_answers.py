"""Answers with verifiable citations, on a small corpus written here, with the real model."""

from __future__ import annotations

import shutil

import pytest

from index.sentences import sentence_spans
from index.settings import Settings
from qa.engine import Engine
from tests.conftest import ROOT, SEED_QUESTION, write_article

BUDGET = ("Finance minister Anna Berg presented the national budget to parliament. "
          "The budget had been delayed for weeks by coalition talks, officials said. "
          "It will be debated on 14 March, the speaker's office announced. "
          "Opposition leader Tom Hale called the plan reckless.")
ROVERS = ("Harbour Rovers beat City 3-1 in the cup final at Northfield Park. "
          "Striker Jonas Lind scored twice before half-time. "
          "About 41,000 fans watched the match.")
CHIPS = ("Chip maker Veltron said quarterly revenue rose 12% to $4.2bn. "
         "Chief executive Mara Quint said demand from data centres was strong.")


@pytest.fixture(scope="module")
def engine(tmp_path_factory, embedder):
    tmp = tmp_path_factory.mktemp("answers")
    corpus = tmp / "corpus"
    shutil.copytree(ROOT / "seeds", corpus)
    write_article(corpus, "politics/budget.txt", "Budget goes to parliament", BUDGET, "2024-02-20")
    write_article(corpus, "sport/final.txt", "Rovers win the cup", ROVERS, "2023-05-20")
    write_article(corpus, "sport/final-copy.txt", "Rovers win the cup", ROVERS, "2023-05-20")  # wire copy
    write_article(corpus, "business/chips.txt", "Veltron revenue climbs", CHIPS, "2024-04-30")
    engine = Engine(Settings(index_dir=tmp / "idx", corpus_dir=corpus), embedder=embedder)
    engine.index()
    return engine


def assert_verbatim(engine, answer):
    assert answer.citations, "no citations to check"
    for c in answer.citations:
        assert engine.article(c.article_id).text[c.start:c.end] == c.quote
        assert f"[{c.n}]" in answer.answer and c.quote in answer.answer


def test_seed_question_cites_patel(engine):
    answer = engine.ask(SEED_QUESTION)
    assert not answer.abstained
    assert "Patel" in answer.answer
    first = answer.citations[0]
    assert first.date == "2023-11-08" and first.headline.startswith("A State Department")
    assert_verbatim(engine, answer)


@pytest.mark.parametrize("question, expected", [
    ("When will parliament debate the budget?", "14 March"),
    ("How much revenue did Veltron report?", "$4.2bn"),
    ("Who scored twice for Harbour Rovers?", "Jonas Lind"),
    ("How many fans watched the cup final?", "41,000"),
    ("Who leads the opposition that criticised the budget?", "Tom Hale"),
])
def test_answer_holds_the_asked_for_fact(engine, question, expected):
    answer = engine.ask(question)
    assert not answer.abstained, answer
    assert expected in answer.answer
    assert len(answer.answer.split()) <= 70
    assert_verbatim(engine, answer)


def test_unanswerable_question_abstains_and_still_lists_passages(engine):
    answer = engine.ask("Who won the 2022 World Cup in Qatar?")
    assert answer.abstained and answer.citations == []
    assert "do not answer" in answer.answer
    assert answer.passages


def test_attribution_stays_inside_the_quote(engine):
    answer = engine.ask("What did Mara Quint say about demand?")
    assert any("Mara Quint said" in c.quote for c in answer.citations)


def test_date_filters_apply_in_the_store(engine):
    after = engine.search("cup final", k=5, since="2024-01-01")
    assert after and all(p.date >= "2024-01-01" for p in after)
    before = engine.ask("Who scored twice?", until="2023-12-31")
    assert all(c.date <= "2023-12-31" for c in before.citations)
    nothing = engine.ask("Who scored twice?", since="2030-01-01")
    assert nothing.abstained and nothing.passages == []


def test_wire_copies_do_not_fill_the_results_twice(engine):
    hits = engine.search("Harbour Rovers cup final Northfield Park", k=5)
    texts = [h.text for h in hits]
    assert len(texts) == len(set(texts))
    assert sum(h.article_id.startswith("sport/final") for h in hits) == 1


def test_follow_up_uses_the_conversation(engine):
    history = [{"role": "user", "content": SEED_QUESTION},
               {"role": "assistant", "content": engine.ask(SEED_QUESTION).answer}]
    answer = engine.ask("And what did Zelensky say?", history=history)
    assert not answer.abstained
    assert any("Zelensky" in c.quote for c in answer.citations)
    assert SEED_QUESTION in answer.resolved_question
    alone = engine.ask("And what did he say about it?")  # no history: nothing to resolve against
    assert alone.resolved_question == "And what did he say about it?"


def test_each_retrieval_side_alone(engine):
    lexical = engine.search("Veltron", k=3, mode="lexical")
    assert lexical[0].article_id == "business/chips.txt"
    dense = engine.search("semiconductor company earnings", k=3, mode="dense")
    assert dense[0].article_id == "business/chips.txt"


def test_lexical_index_follows_updates(engine):
    corpus = engine.settings.corpus_dir
    write_article(corpus, "world/zorblat.txt", "Zorblat summit", "Leaders met in Zorblat on Friday.", "2024-06-01")
    try:
        engine.index()
        assert engine.search("Zorblat", k=1, mode="lexical")[0].article_id == "world/zorblat.txt"
    finally:
        (corpus / "world/zorblat.txt").unlink()
        engine.index()
    assert not engine.search("Zorblat", k=3, mode="lexical")


def test_bad_questions_are_refused_clearly(engine):
    from index.errors import UserError

    with pytest.raises(UserError, match="type a question"):
        engine.ask("   ")
    with pytest.raises(UserError, match="limit"):
        engine.ask("why " * 400)
    with pytest.raises(UserError, match="control characters"):
        engine.ask("Who\x00 won?")
    with pytest.raises(UserError, match="date"):
        engine.ask("Who won?", since="last week")
    assert engine.ask("Who\u200b scored\ttwice?").question == "Who scored twice?"


def test_sentences_survive_abbreviations_and_quotes():
    text = 'Mr. Smith met U.S. officials in Washington, D.C. on Monday. "It is up to Ukraine," he said. Then he left.'
    sentences = [text[s:e] for s, e in sentence_spans(text)]
    assert sentences == ["Mr. Smith met U.S. officials in Washington, D.C. on Monday.",
                         '"It is up to Ukraine," he said.', "Then he left."]


def test_two_part_question_cites_both_articles(engine):
    answer = engine.ask("How much revenue did Veltron report, and who scored twice for Harbour Rovers?")
    assert not answer.abstained
    cited = {c.article_id for c in answer.citations}
    assert "business/chips.txt" in cited and cited & {"sport/final.txt", "sport/final-copy.txt"}
    assert "$4.2bn" in answer.answer and "Jonas Lind" in answer.answer
    assert [c.n for c in answer.citations] == list(range(1, len(answer.citations) + 1))
    assert_verbatim(engine, answer)
