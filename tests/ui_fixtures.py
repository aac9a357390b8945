"""Shared pieces of the UI tests: a small real index and a running app on a free port."""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from index.settings import Settings
from qa.engine import Engine
from tests.conftest import ROOT, write_article

SEEDS = ROOT / "seeds"

# Gradio 6.31's queue trips pandas 3 deprecation warnings on every request: not ours to fix.
QUIET_GRADIO = [
    pytest.mark.filterwarnings("ignore:.*no_silent_downcasting"),
    pytest.mark.filterwarnings("ignore:The copy keyword is deprecated"),
]

# Small articles with facts that no other article shares, each with its own date.
EXTRA_ARTICLES = [
    ("harbour.txt", "Valmora harbour reopens after storm repairs", "2021-03-15",
     "The harbour master, Ilse Brandt, said the port of Valmora would reopen on Monday after "
     "storm repairs costing four million euros.\n\nFishing boats had been moored in the "
     "neighbouring town of Osterby for six weeks while the breakwater was rebuilt."),
    ("library.txt", "Dunmore library extends its opening hours", "2022-06-01",
     "Librarian Tomas Okafor said the central library in Dunmore will stay open until ten in "
     "the evening on weekdays from July.\n\nThe council approved the longer hours after a "
     "survey of students who wanted a quiet place to study."),
    ("orchard.txt", "Kettlewell orchards pick a record apple harvest", "2024-09-20",
     "Farmer Maria Lindqvist said the Kettlewell orchards picked a record twelve thousand "
     "tonnes of apples this autumn.\n\nA warm spring and late rain were behind the harvest, "
     "she told the regional farming cooperative."),
]


def build_corpus(folder: Path, articles=EXTRA_ARTICLES, seeds: bool = True) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    if seeds:
        for path in SEEDS.iterdir():
            if path.is_file():
                shutil.copy(path, folder / path.name)
    for name, headline, date, body in articles:
        write_article(folder, name, headline, body, date)
    return folder


def indexed_engine(tmp: Path, embedder, articles=EXTRA_ARTICLES, seeds: bool = True) -> Engine:
    corpus = build_corpus(tmp / "corpus", articles, seeds)
    engine = Engine(Settings(index_dir=tmp / "idx", corpus_dir=corpus, ui_auth=None), embedder=embedder)
    engine.index()
    return engine


@contextlib.contextmanager
def running_app(engine: Engine) -> Iterator[object]:
    """The real app on a free localhost port, closed afterwards."""
    from ui.app import launch

    app = launch(engine, host="127.0.0.1", port=0, block=False)
    try:
        yield app
    finally:
        app.close()
