# One command sets up and runs the daemon; one sets up and runs the tests.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
RUN_STAMP := $(VENV)/.installed-runtime
CONFIG ?= config/default.yaml

# Parallel test processes (pytest-xdist); 0 runs the suite in one process, in file order.
PYTEST_WORKERS ?= 4

.PHONY: run test test-prerequisites check lint install lock clean bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Installs come from the lock (uv.lock, exported with hashes to requirements/*.txt): every
# transitive version is the one tested, and a file whose hash differs is refused. The
# project itself goes in after, without dependencies (they are all in the lock).
$(RUN_STAMP): $(BIN)/python pyproject.toml requirements/runtime.txt
	$(BIN)/pip install --quiet --require-hashes -r requirements/runtime.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(RUN_STAMP)

## the runtime lock plus the dev extra (tests, linters, uv)
$(STAMP): $(BIN)/python pyproject.toml requirements/dev.txt
	$(BIN)/pip install --quiet --require-hashes -r requirements/dev.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP) $(RUN_STAMP)

install: $(STAMP)

## make run: the daemon on the embedded SQLite default (migrations are applied at start)
run: $(RUN_STAMP)
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

## make lock: after changing dependencies in pyproject.toml, resolve them again into uv.lock
## and export it with hashes (tests/test_lock.py fails while these disagree)
lock: $(STAMP)
	$(BIN)/uv lock
	$(BIN)/uv export --frozen --quiet --format requirements-txt --no-emit-project \
	  -o requirements/runtime.txt
	$(BIN)/uv export --frozen --quiet --format requirements-txt --no-emit-project --extra dev \
	  -o requirements/dev.txt

clean:
	rm -rf $(VENV) .bench .pytest_cache .mypy_cache .ruff_cache
