"""Which questions are split into two, and how."""

from qa.decompose import split_question


def test_two_clauses_are_two_questions():
    assert split_question("What did the Halifax report for December, and what figure did the Nationwide give?") == [
        "What did the Halifax report for December?", "what figure did the Nationwide give?"]


def test_each_of_two_names_is_asked_about_separately():
    assert split_question("How much did General Motors and Ford each earn in 2004?") == [
        "How much did General Motors earn in 2004?", "How much did Ford earn in 2004?"]


def test_ordinary_questions_stay_whole():
    for q in ["Who won the cup final, according to the BBC?", "What did Marks and Spencer report?",
              "When will parliament debate the budget?"]:
        assert split_question(q) == [q]
