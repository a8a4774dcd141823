# odyc — every target sets up what it needs from scratch (only python3 is assumed).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup demo test lint typecheck pytest bench emulator clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/odyc examples/cat_window.ody

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy odyssey_dsl

# The second run repeats the parser, expansion and example tests with every fast path of
# the syntax layer turned off: Lark alone must give the same results.
pytest: $(STAMP)
	$(BIN)/python -m pytest -n 2 -q
	ODYC_NO_FAST_PATH=1 $(BIN)/python -m pytest -n 2 -q tests/test_parse.py \
		tests/test_expand.py tests/test_examples.py tests/test_syntax_tree.py

test: lint typecheck pytest

bench: $(STAMP)
	$(BIN)/python bench/bench_compile.py
	$(BIN)/python bench/bench_submit.py

emulator: $(STAMP)
	$(BIN)/odyc emulator

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis dist build
