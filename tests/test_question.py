"""What the reader reads from a question, and the small pieces that combine answers."""

from __future__ import annotations

import pytest

from qa.answer import merge
from qa.conversation import is_follow_up, resolve
from qa.decompose import split_question
from qa.question import analyse
from qa.speech import attributed, speaker
from qa.typed import TypedAnswer, fresh_entities, local_weights, proximity, wanted_labels
from qa.types import Answer, Citation, Passage


@pytest.mark.parametrize("question,kind", [
    ("Who won the Rotterdam marathon?", "who"),
    ("Which company bought IBM's PC unit?", "who"),
    ("Nissan has named which lifetime employee as chief operating officer?", "who"),
    ("Imelda Staunton lost the best actress Oscar to whom?", "who"),
    ("When was the aviation White Paper published?", "when"),
    ("In which year did Ireland last win a Grand Slam?", "when"),
    ("Where did Lakshmi Mittal speak to investors?", "where"),
    ("Which city will host the summit?", "where"),
    ("How much did Google pay for the firm?", "how_much"),
    ("By what percentage did profits rise?", "how_much"),
    ("How many jobs will go?", "how_much"),
    ("Which film won best picture?", "which"),
    ("Why did the minister resign?", "why"),
    ("Under what condition does Zelensky say talks could happen?", "condition"),
    ("What must happen before he ends his hunger strike?", "condition"),
    ("What did the report say?", "what"),
])
def test_question_type(question, kind):
    assert analyse(question).type == kind


def test_condition_scaffold_is_not_a_search_term():
    info = analyse("Under what condition does Zelensky say talks could happen?")
    assert "condit" not in info.terms and "under" not in info.terms
    assert {"zelenski", "talk"} <= set(info.terms)


def test_predicate_is_what_the_question_says_of_its_names():
    info = analyse("Why did the Elmford council allow the summer festival?")
    assert "allow" in info.predicate and "festiv" in info.predicate
    assert "elmford" not in info.predicate  # a name locates the article; it is not the claim


@pytest.mark.parametrize("question,expected", [
    ("What did Vedant Patel say about negotiations?", ("Vedant Patel", "negotiations")),
    ("What did Ofsted chief David Bell say about faith schools?", ("Ofsted chief David Bell", "faith schools")),
    ("How did Gordon Brown describe the budget?", ("Gordon Brown", "the budget")),
    ("Who won the Rotterdam marathon?", None),
])
def test_speaker_of_a_who_said_what_question(question, expected):
    assert speaker(question) == expected


def test_attribution_follows_the_speaker_not_a_name_in_a_relative_clause():
    other = 'Her director Leigh, who beat Martin Scorsese to the award, told the audience: "We are surprised."'
    own = "Martin Scorsese, whose movie won best film, said being honoured in the UK meant a lot to him."
    quoted = '"We are a nation of lazy so-and-sos," David Noone from Intervoice said.'
    assert attributed(other, [], "Martin Scorsese") < 0.5
    assert attributed(own, [], "Martin Scorsese") == 1.0
    assert attributed(quoted, [], "David Noone") == 1.0
    follow_on = 'He added: "British cinema gives me energy."'
    assert attributed(follow_on, [own], "Martin Scorsese") == 0.7
    assert attributed("The weather was fine.", [own], "Martin Scorsese") == 0.0


def test_follow_up_detection():
    assert not is_follow_up("Who is Zelensky?")  # names its own subject
    assert is_follow_up("And what did he say?")
    assert is_follow_up("What about Russia?")
    assert is_follow_up("When?")
    history = [{"role": "user", "content": "What did Vedant Patel say about negotiations?"},
               {"role": "assistant", "content": "Talks are up to Ukraine [1]"}]
    assert resolve("Who is Zelensky?", history) == ""
    assert resolve("And what did Zelensky say?", history) == "What did Vedant Patel say about negotiations?"


@pytest.mark.parametrize("question,parts", [
    ("How much did Marks & Spencer and Tesco each make in profit?",
     ["How much did Marks & Spencer make in profit?", "How much did Tesco make in profit?"]),
    ("How much did General Motors and Ford each earn in 2004?",
     ["How much did General Motors earn in 2004?", "How much did Ford earn in 2004?"]),
    ("What did the Halifax report, and what figure did the Nationwide give?",
     ["What did the Halifax report?", "what figure did the Nationwide give?"]),
    ("How much did Procter & Gamble pay for Gillette?", ["How much did Procter & Gamble pay for Gillette?"]),
])
def test_two_part_splitting_keeps_names_whole(question, parts):
    assert split_question(question) == parts


def _passage(n: int, article: str) -> Passage:
    return Passage(n, 1.0 / n, article, f"Headline {article}", None, article, f"Text {n}", 0, 6, f"{article}#{n}")


def test_merge_keeps_every_passage_of_uneven_lists():
    quote = Citation(1, "a", "Headline a", None, "a", "Text 1", 0, 6)
    first = Answer("q1", "Text 1 [1]", False, [quote], [_passage(1, "a")], "q1", 0.5)
    second = Answer("q2", "Text 2 [1]", False, [quote], [_passage(n, f"b{n}") for n in (1, 2, 3)], "q2", 0.4)
    merged = merge("q", [first, second], k=5)
    assert merged.passages, "no passages"
    assert [p.article_id for p in merged.passages] == ["a", "b1", "b2", "b3"]
    assert [c.n for c in merged.citations] == [1, 2]
    assert merged.answer == "Text 1 [1] Text 2 [2]"


def test_fresh_entities_of_the_asked_kind():
    text = "British runner Emily Carter came fourth, and the race was won by Ruth Chepngetich."
    spans = [(text.index(n), text.index(n) + len(n), label)
             for n, label in [("British", "NORP"), ("Emily Carter", "PERSON"), ("Ruth Chepngetich", "PERSON")]]
    question = "Who won the race in which Emily Carter came fourth?"
    found = {a.text: a.weight for a in fresh_entities(spans, text, 0, question, wanted_labels("who", question))}
    assert "Emily Carter" not in found  # the question names her already
    assert found["Ruth Chepngetich"] > found.get("British", 0.0)
    assert fresh_entities(spans, text, 200, question, wanted_labels("who", question)) == []  # not in this sentence


def test_proximity_prefers_the_answer_next_to_the_rare_question_term():
    class FlatIdf:
        def __call__(self, term):
            return 1.0

    text = ("Actors voice the pig and the goose in the film, which was shot over two long summers on a farm in "
            "the north of the country. It will be directed by Gary Winick, the studio said.")
    # as in an article about the film: nearly every sentence names the film and its voices
    sentences = [{"voic", "film", "pig"}, {"voic", "film", "goos"}, {"voic", "film"}, {"voic", "film", "star"},
                 {"voic", "film", "sheep"}, {"direct", "film"}]
    weights = local_weights({"direct", "film", "voic"}, sentences, FlatIdf())
    assert weights["direct"] > weights["film"]  # in one sentence of three, against all three
    winick = TypedAnswer("Gary Winick", "PERSON", text.index("Gary"), text.index("Gary") + 11, 1.0)
    pig = TypedAnswer("pig", "PERSON", text.index("pig"), text.index("pig") + 3, 1.0)
    assert proximity(winick, text, 0, weights) > proximity(pig, text, 0, weights)
