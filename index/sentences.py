"""Sentence boundaries that survive 'Mr.', 'U.S.', 'D.C.' and quotes.

Uses NLTK's trained English Punkt model bundled with llama-index-core (offline);
llama-index's own default splitter is untrained and breaks after 'Mr.'.
"""

from __future__ import annotations

from functools import lru_cache

from index.offline import nltk_data_dir


@lru_cache(maxsize=1)
def punkt():
    import nltk
    from nltk.tokenize import PunktTokenizer

    folder = str(nltk_data_dir())
    if folder not in nltk.data.path:
        nltk.data.path.insert(0, folder)
    return PunktTokenizer("english")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence; text[start:end] is the sentence, unstripped of nothing."""
    spans: list[tuple[int, int]] = []
    offset = 0
    for paragraph in text.split("\n"):
        if paragraph.strip():
            spans.extend((offset + s, offset + e) for s, e in punkt().span_tokenize(paragraph))
        offset += len(paragraph) + 1
    return spans


def split_keeping_whitespace(text: str) -> list[str]:
    """Sentences whose concatenation is exactly `text` (for llama-index's SentenceSplitter)."""
    from llama_index.core.node_parser.text.utils import split_by_sentence_tokenizer_internal

    return split_by_sentence_tokenizer_internal(text, punkt())
