# odyc — every target sets up what it needs from scratch (only python3 is assumed).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup demo test lint fmt-check typecheck pytest bench emulator clean vscode-deps vsix

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

# Every example is kept in the formatter's style (compiling them still gives the goldens).
fmt-check: $(STAMP)
	$(BIN)/odyc fmt --check examples/

typecheck: $(STAMP)
	$(BIN)/mypy odyssey_dsl

# The second run repeats the parser, expansion and example tests with every fast path of
# the syntax layer turned off: Lark alone must give the same results.
pytest: $(STAMP) vscode-deps
	$(BIN)/python -m pytest -n 2 -q
	ODYC_NO_FAST_PATH=1 $(BIN)/python -m pytest -n 2 -q tests/test_parse.py \
		tests/test_expand.py tests/test_examples.py tests/test_syntax_tree.py tests/test_syntax_errors.py

test: lint fmt-check typecheck pytest

bench: $(STAMP)
	$(BIN)/python bench/bench_compile.py
	$(BIN)/python bench/bench_submit.py
	$(BIN)/python bench/bench_fmt.py

emulator: $(STAMP)
	$(BIN)/odyc emulator

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis dist build
	rm -rf $(VSCODE)/node_modules $(VSCODE)/out

# The VS Code extension (editors/vscode). Its npm dependencies come from its lock file and are
# installed again only when package.json or package-lock.json changes (npm's own
# node_modules/.package-lock.json is the stamp, as in tests/vscode_support.py). Without npm,
# this step says so and the extension's tests skip themselves.
VSCODE := editors/vscode
VSCODE_DEPS := $(VSCODE)/node_modules/.package-lock.json

vscode-deps:
	@if command -v npm >/dev/null 2>&1; then \
		$(MAKE) --no-print-directory $(VSCODE_DEPS); \
	else \
		echo "npm not found: the VS Code extension's tests will be skipped"; \
	fi

$(VSCODE_DEPS): $(VSCODE)/package.json $(VSCODE)/package-lock.json
	cd $(VSCODE) && npm ci --no-audit --no-fund
	touch $@

vsix: $(VSCODE_DEPS)
	mkdir -p dist
	cd $(VSCODE) && npm run --silent package -- --out ../../dist/ody.vsix
	@echo "built dist/ody.vsix; install it with: code --install-extension dist/ody.vsix"
