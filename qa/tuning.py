"""Every weight and threshold of retrieval's rerank and of the reader, in one frozen object.

`bench/fit_reader.py` refits the ones marked (fitted) by grid search on
`bench/devset.jsonl` only and prints the values to paste here; the held-out set
is never used. Pass another `Tuning` to `Engine(..., tuning=...)` to experiment,
or to switch a feature off (the ablation in BENCHMARKS.md does exactly that).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Tuning:
    # retrieval rerank: idf coverage of the question, dense similarity, fusion rank, year match
    rerank_coverage: float = 0.45
    rerank_dense: float = 0.45
    rerank_fused: float = 0.10
    rerank_year: float = 0.05

    # one sentence: context coverage, answer type present (scaled by coverage), own coverage
    sentence_context: float = 0.45
    sentence_type: float = 0.25
    sentence_own: float = 0.15
    context_sentences: int = 3  # sentences before this one that count as its context

    # a candidate sentence: its fit, its passage's retrieval score, its typed answer (fitted)
    candidate_sentence: float = 0.8
    candidate_passage: float = 0.2
    candidate_answer: float = 0.2
    # a typed answer (an entity of the asked kind): near the question's terms, agreed on (fitted)
    answer_proximity: float = 1.0
    answer_agreement: float = 0.25
    answer_base: float = 0.15
    regex_type_share: float = 0.6  # the pattern-based type check, where the entities miss
    name_fallback: float = 0.5  # a capitalised name the entity model missed, as a who/which answer

    # meaning: the best sentences embedded and compared with the question
    meaning_candidates: int = 12
    meaning_weight: float = 0.3
    meaning_inherit: float = 0.8  # share of the meaning of the sentences just before an answer it takes on (fitted)

    # composing: a second or third sentence must score this share of the best one
    keep_ratio: float = 0.75
    other_article_ratio: float = 0.6  # ... or this share, when it is another article's and adds terms (fitted)
    max_answer_words: int = 60

    # confidence and abstention (fitted)
    confidence_fit: float = 0.4
    confidence_grounded: float = 0.4
    confidence_meaning: float = 0.2
    confidence_said: float = 0.2  # added when the best sentence holds the asked speaker's words (fitted)
    confidence_weak_type: float = 0.75  # the asked kind only where the question says it already
    confidence_untyped: float = 0.5  # nothing of the asked kind at all (fitted)
    name_absent: float = 0.6  # a name of the question is nowhere in the article read (fitted)
    predicate_floor: float = 0.5  # confidence kept when none of the predicate is near the answer (fitted)
    contradicted: float = 0.3  # the text next to the answer says the opposite of the question (fitted)
    abstain_below: float = 0.13

    # features that can be switched off (ablation)
    use_entities: bool = True
    use_speech: bool = True
    use_quote_whole: bool = True
    use_predicate: bool = True
    use_bridge: bool = True


DEFAULT = Tuning()
FEATURES = ("use_entities", "use_speech", "use_quote_whole", "use_predicate", "use_bridge")
