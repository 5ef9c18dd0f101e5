# One command sets up and runs the daemon; one sets up and runs the tests.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
CONFIG ?= config/default.yaml

# Parallel test processes (pytest-xdist); 0 runs the suite in one process, in file order.
PYTEST_WORKERS ?= 4

.PHONY: run test test-prerequisites check lint install clean bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## make run: the daemon on the embedded SQLite default (migrations are applied at start)
run: $(STAMP)
	mkdir -p data
	$(BIN)/csto-monitor --config $(CONFIG) db upgrade
	$(BIN)/csto-monitor --config $(CONFIG) run

## make test: what the suite needs (tests/prerequisites.sh), then the whole suite in
## parallel (SQLite, and PostgreSQL on 127.0.0.1:5432)
test: test-prerequisites $(STAMP)
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadgroup --durations=15 $(PYTEST_ARGS)

## Chromium, docker-compose (apt-get as root) and a running PostgreSQL, before any test
test-prerequisites:
	@bash tests/prerequisites.sh

## make bench: every benchmark (about 10 min), written to docs/benchmarks.md
bench: $(STAMP)
	$(BIN)/python -m bench --markdown docs/benchmarks.md

## make lint: ruff and mypy
lint: $(STAMP)
	$(BIN)/ruff check --no-cache core scraper monitor notifier csto_monitor tests bench
	$(BIN)/mypy

clean:
	rm -rf $(VENV) .bench .pytest_cache .mypy_cache .ruff_cache
