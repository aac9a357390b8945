"""spaCy's parser for questions (tagger and dependencies; the index already holds entities).

Loaded on first use and kept: about 0.3 s once, then a few milliseconds a question.
Without the model installed every caller gets None and carries on without it.
"""

from __future__ import annotations

from functools import lru_cache

from index.entities import DEFAULT_NER_MODEL

# verbs that carry no claim of their own in a question
_LIGHT_VERBS = {"say", "tell", "do", "be", "have", "make", "take", "get", "go", "come", "happen", "think",
                "according", "report", "describe", "give", "use", "know", "want", "need", "expect"}


@lru_cache(maxsize=1)
def _nlp():
    try:
        import spacy

        return spacy.load(DEFAULT_NER_MODEL, exclude=["ner", "lemmatizer"])
    except (ImportError, OSError):
        return None


@lru_cache(maxsize=512)
def parse(question: str):
    nlp = _nlp()
    return nlp(question) if nlp is not None else None


def claim_verbs(question: str) -> tuple[str, ...]:
    """The question's content verbs as it words them ("allow" in "Why did X allow Y?"): what it
    claims happened. Auxiliaries and verbs of saying are left out."""
    doc = parse(question)
    if doc is None:
        return ()
    return tuple(t.text.lower() for t in doc
                 if t.pos_ == "VERB" and t.dep_ not in ("aux", "auxpass") and t.lower_ not in _LIGHT_VERBS
                 and t.text.lower() not in {"said", "told", "did", "made", "got", "went"})
