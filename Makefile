# Two entry points (see README): `make run` and `make test`. Each sets itself up.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
QUESTION ?= What did Vedant Patel say about negotiations?

.PHONY: setup setup-test run answer test bench clean

setup: $(VENV)/.installed
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

setup-test: $(VENV)/.installed-test
	@scripts/ensure-chromium

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

# Index seeds/ (or QA_CORPUS_DIR), answer one question, then open the chat on localhost.
run: setup
	$(BIN)/qa index
	$(BIN)/qa ask "$(QUESTION)"
	$(BIN)/qa ui

# The same without the chat (for scripts and smoke checks).
answer: setup
	$(BIN)/qa index
	$(BIN)/qa ask "$(QUESTION)"

test: setup-test
	$(BIN)/python -m pytest

bench: setup
	$(BIN)/python bench/index_bench.py
	$(BIN)/python bench/quality_bench.py
	$(BIN)/python bench/claim_check_bench.py --report bench/heldout.jsonl

clean:
	rm -rf $(VENV) .qa
