"""The reader on articles written here, with the real model and the real entity tagger:
the sentence that adds the fact, a speaker's own words, whole quotes, conditions,
entities described instead of named, false premises, and articles in other languages."""

from __future__ import annotations

import re
import shutil

import pytest

from index.settings import Settings
from qa.engine import Engine
from tests.conftest import ROOT, write_article

MARATHON = (
    "Record crowds lined the streets of Rotterdam on Sunday for the city's spring marathon. "
    "British runner Emily Carter came fourth in 2:24:10, her best finish at a major race. "
    "Carter said the course was fast but the wind made the final kilometres hard. "
    "The race was won by Kenya's Ruth Chepngetich, who finished in 2:18:35. "
    "Organisers said 17,000 runners took part."
)
MUSEUM = (
    "The board of the Harbour Museum met on Tuesday to choose a new director after a six-month search. "
    "Members reviewed three shortlisted candidates over a long afternoon. "
    "After a heated debate they settled on an outsider. "
    "Maria Lindqvist, who ran a gallery in Gothenburg, will start in May. "
    "The museum employs 40 staff and draws 200,000 visitors a year."
)
LIBRARY = (
    "The future of the Elmford library was debated at a packed meeting on Monday. "
    "\"We will not close the library. It is the heart of this town,\" Mayor Tom Reed said. "
    "Opposition councillors had proposed selling the building to cut costs. "
    "The council will vote on the budget next month."
)
FESTIVAL = (
    "The Elmford council has banned the summer music festival in Elmford Park after complaints about noise. "
    "Councillors voted seven to two to refuse the organisers a licence. "
    "The organisers said they would look for another site."
)
DEAL = ("Acme Robotics has bought the robot unit of Widget Co for $40m, the two companies said on Monday. "
        "The unit makes arms for car factories.")
PROFIT = ("Acme Robotics reported a profit of $5.2m for the first quarter, up from $3.1m a year earlier. "
          "Sales of factory arms rose 30%.")
RIVAL = ("Widget Co reported a profit of $9.9m for the first quarter, helped by sales of its robot unit "
         "before the unit was sold.")
GERMAN = ("Die Stadtverwaltung von Elmford hat am Mittwoch beschlossen, die Gebühren für die Müllabfuhr zu "
          "senken. Der Bürgermeister sagte, dass die Haushalte im nächsten Jahr rund achtzig Euro sparen würden. "
          "Die Opposition kritisierte den Plan als unbezahlbar.")


@pytest.fixture(scope="module")
def reader(tmp_path_factory, embedder):
    tmp = tmp_path_factory.mktemp("reader")
    corpus = tmp / "corpus"
    shutil.copytree(ROOT / "seeds", corpus)
    write_article(corpus, "sport/marathon.txt", "Crowds cheer Rotterdam marathon runners", MARATHON, "2024-04-14")
    write_article(corpus, "arts/museum.txt", "Harbour Museum ends search for director", MUSEUM, "2024-03-05")
    write_article(corpus, "local/library.txt", "Library stays open, mayor promises", LIBRARY, "2024-02-12")
    write_article(corpus, "local/festival.txt", "Elmford Park festival banned", FESTIVAL, "2024-05-02")
    write_article(corpus, "business/deal.txt", "Acme buys robot unit", DEAL, "2024-01-15")
    write_article(corpus, "business/profit.txt", "Acme Robotics profits climb", PROFIT, "2024-04-20")
    write_article(corpus, "business/widget.txt", "Widget Co profits", RIVAL, "2024-04-22")
    write_article(corpus, "de/muell.txt", "Elmford senkt Müllgebühren", GERMAN, "2024-06-01")
    engine = Engine(Settings(index_dir=tmp / "idx", corpus_dir=corpus), embedder=embedder)
    report = engine.index()
    return engine, report


def test_who_won_is_the_winner_not_the_named_runner(reader):
    engine, _ = reader
    answer = engine.ask("Who won the Rotterdam marathon in which Emily Carter came fourth?")
    assert not answer.abstained
    assert answer.short_answer == "Ruth Chepngetich"
    assert answer.citations[0].quote.startswith("The race was won by")  # the answer leads


def test_the_name_two_sentences_after_the_matching_one(reader):
    engine, _ = reader
    answer = engine.ask("Who was chosen as the new director of the Harbour Museum?")
    assert not answer.abstained
    assert answer.short_answer == "Maria Lindqvist"
    assert "Maria Lindqvist" in answer.answer


def test_what_a_speaker_said_in_their_own_words(reader):
    engine, _ = reader
    answer = engine.ask("What did Vedant Patel say about negotiations?")
    assert not answer.abstained
    assert "are up to Ukraine" in answer.answer
    assert "nothing should happen about Ukraine without Ukraine" in answer.answer


def test_a_quote_is_never_cut_inside_its_quotation_marks(reader):
    engine, _ = reader
    answer = engine.ask("What did Tom Reed say about the library?")
    assert not answer.abstained and answer.citations
    quote = answer.citations[0].quote
    assert "We will not close the library" in quote and "heart of this town" in quote
    for c in answer.citations:
        assert c.quote.count('"') % 2 == 0, c.quote
        assert engine.article(c.article_id).text[c.start:c.end] == c.quote


def test_under_what_condition(reader):
    engine, _ = reader
    answer = engine.ask("Under what condition does Zelensky say talks could happen?")
    assert not answer.abstained
    assert "until Russian troops leave the territory within Ukraine’s 1991 borders" in answer.answer
    assert answer.short_answer and answer.short_answer.startswith("until Russian troops leave")


def test_an_entity_described_not_named_is_found_then_used(reader):
    engine, _ = reader
    answer = engine.ask("How much profit did the company that bought Widget Co's robot unit report "
                        "for the first quarter?")
    assert not answer.abstained
    assert "Acme Robotics" in answer.resolved_question  # the name found first, then asked about
    assert {"business/deal.txt", "business/profit.txt"} <= {c.article_id for c in answer.citations}
    assert "$5.2m" in answer.answer and "$9.9m" not in answer.answer  # not the profit of the firm named


def test_a_contradicted_premise_loses_its_confidence(reader):
    """The article says the council banned it: "allow" is contradicted. With the weight fitted on
    the dev set (qa/tuning.py `contradicted`) that cuts confidence to under a third; whether it
    then abstains depends on the threshold (see BENCHMARKS.md for false premises measured)."""
    engine, _ = reader
    premise = engine.ask("Why did the Elmford council allow the summer music festival in Elmford Park?")
    honest = engine.ask("Why did the Elmford council ban the summer music festival in Elmford Park?")
    assert not honest.abstained and "complaints about noise" in honest.answer
    assert premise.confidence <= 0.35 * honest.confidence


def test_an_event_after_the_corpus_is_not_answered(reader):
    engine, _ = reader
    assert engine.ask("Who won the 2031 Rotterdam marathon?").abstained


def test_entities_are_stored_at_index_time(reader):
    engine, _ = reader
    spans = engine.manifest.entities(["sport/marathon.txt"])["sport/marathon.txt"]
    assert spans, "no entities stored"
    text = engine.article("sport/marathon.txt").text
    people = {text[s:e] for s, e, label in spans if label == "PERSON"}
    assert "Ruth Chepngetich" in people


def test_another_language_is_indexed_searchable_and_reported(reader):
    engine, report = reader
    assert report.warnings.get("not_english") == 1
    assert any(p.id == "de/muell.txt" and p.reason == "not_english" for p in report.problems)
    hits = engine.search("Müllabfuhr Gebühren", k=3)
    assert hits and hits[0].article_id == "de/muell.txt"
    assert engine.manifest.entities(["de/muell.txt"])["de/muell.txt"] == []  # no English tagger on German


def test_a_new_entity_model_retags_without_embedding_again(tmp_path, counting):
    corpus = tmp_path / "corpus"
    write_article(corpus, "a.txt", "Museum director", MUSEUM, "2024-03-05")
    Engine(Settings(index_dir=tmp_path / "idx", corpus_dir=corpus, ner_model="none"), embedder=counting).index()
    plain = Engine(Settings(index_dir=tmp_path / "idx", corpus_dir=corpus), embedder=counting)
    assert plain.manifest.entities(["a.txt"])["a.txt"] == []
    counting.embedded.clear()
    report = plain.index()
    assert report.tagged == 1 and counting.embedded == []
    assert any(label == "PERSON" for _, _, label in plain.manifest.entities(["a.txt"])["a.txt"])


def test_short_answer_in_json(reader):
    engine, _ = reader
    data = engine.ask("Who won the Rotterdam marathon in which Emily Carter came fourth?").to_dict()
    assert data["short_answer"] == "Ruth Chepngetich"
    assert re.search(r"\[1\]", data["answer"])
