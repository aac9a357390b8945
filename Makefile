# Two entry points (see README): `make run` and `make test`. Each sets itself up.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
QUESTION ?= What did Vedant Patel say about negotiations?

.PHONY: setup setup-test run test bench clean

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

# Index seeds/ (or QA_CORPUS_DIR) and answer one question.
run: setup
	$(BIN)/qa index
	$(BIN)/qa ask "$(QUESTION)"

test: setup-test
	$(BIN)/python -m pytest

bench: setup
	$(BIN)/python bench/index_bench.py

clean:
	rm -rf $(VENV) .qa
