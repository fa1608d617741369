# kongdao: the single entry point for development and CI. `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.stamp-dev
PYTEST_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help setup lint typecheck test test-unit demo clean

help: ## list the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  %-16s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

setup: $(STAMP) ## create the virtualenv in .venv and install kongdao with its dev extras

lint: $(STAMP) ## ruff (lint + format check) and mypy --strict on kongdao/
	$(VENV)/bin/ruff check kongdao tests benchmarks
	$(VENV)/bin/ruff format --check kongdao tests benchmarks
	$(VENV)/bin/mypy

typecheck: $(STAMP) ## mypy --strict on kongdao/ only
	$(VENV)/bin/mypy

test-unit: $(STAMP) ## the tests that need no database
	$(PY) -m pytest tests/unit $(PYTEST_ARGS)

test: lint postgres-up ## lint, types and the whole test suite (against the real databases)
	$(PY) -m pytest $(PYTEST_ARGS)

demo: $(STAMP) postgres-up ## a walk-through of kongdao on the local PostgreSQL (prints each step)
	$(PY) -m kongdao.demo

clean: ## remove the virtualenv and caches
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis build dist *.egg-info
	find . -name __pycache__ -type d -prune -exec rm -rf {} +

# Real database servers for tests and benchmarks (Cassandra is started by the project itself).
-include compose/cassandra.mk
