# The two commands: `make run` serves the platform with demo data on SQLite;
# `make test` lints and runs the whole suite. Both set everything up first.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := nets_app
# PostgreSQL for the database tests (trust auth on this machine; CI points it here too).
export TEST_POSTGRES_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
PYTEST_ARGS ?=

.PHONY: run test install install-dev lint format bench load clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-run: setup.cfg pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: setup.cfg pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed-run

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.installed-run node_modules/.installed

install-dev: $(VENV)/.installed-dev node_modules/.installed
	bash scripts/ensure-system.sh

run: install
	$(BIN)/flask nets setup
	$(BIN)/flask run --host 127.0.0.1 --port 5000

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/mypy psychometrics

format: $(VENV)/.installed-dev
	$(BIN)/ruff format .

test: install-dev
	$(BIN)/ruff check .
	$(BIN)/mypy psychometrics
	$(BIN)/pytest -n 2 $(PYTEST_ARGS)

bench: install-dev
	@echo "See BENCHMARKS.md for each benchmark's command."

clean:
	rm -rf $(VENV) node_modules instance/*.sqlite3 .pytest_cache
