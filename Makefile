# The README's two commands: `make run` and `make test`. Everything installs into .venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-fast check bench format clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Re-install only when the project's dependencies change. The first install compiles llama.cpp (~5 min).
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/samantha

test: $(STAMP)
	$(BIN)/python -m pytest -m "slow or not slow" -q

test-fast: $(STAMP)
	$(BIN)/python -m pytest -q

check: $(STAMP)
	$(BIN)/ruff check samantha tests
	$(BIN)/ruff format --check samantha tests
	$(BIN)/mypy
	$(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff format samantha tests
	$(BIN)/ruff check --fix samantha tests

bench: $(STAMP)
	$(BIN)/python -m samantha.bench

clean:
	rm -rf $(VENV) build dist *.egg-info
