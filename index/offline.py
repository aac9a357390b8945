"""Make every library we use work without a network.

Imported first by the `index` package: it only sets environment variables and
search paths, so it costs nothing and imports nothing heavy.
"""

from __future__ import annotations

import os
from importlib.util import find_spec
from pathlib import Path


def _llama_static() -> Path | None:
    spec = find_spec("llama_index.core")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0]) / "_static"


def configure_offline() -> None:
    static = _llama_static()
    if static is not None:
        # tiktoken downloads its BPE files unless this points at a cache;
        # llama-index-core ships cl100k_base and o200k_base there.
        os.environ.setdefault("TIKTOKEN_CACHE_DIR", str(static / "tiktoken_cache"))
        os.environ.setdefault("NLTK_DATA", str(static / "nltk_cache"))
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")


def nltk_data_dir() -> Path:
    static = _llama_static()
    if static is None:
        raise RuntimeError("llama-index-core is not installed")
    return static / "nltk_cache"
