# kongdao: the single entry point for development and CI. `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.stamp-dev
PYTEST_ARGS ?=
# Runs a command with a PostgreSQL: the server on 127.0.0.1:5432 (or $KONGDAO_TEST_PG_DSN), else
# kongdao's embedded one, started for the command and stopped after it (kongdao/testing/postgres.py).
WITH_PG := $(PY) -m kongdao.testing.postgres run --

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

lint: $(STAMP) gen-check ## ruff (lint + format check), mypy --strict on kongdao/, generated code up to date
	$(VENV)/bin/ruff check kongdao tests benchmarks
	$(VENV)/bin/ruff format --check kongdao tests benchmarks
	$(VENV)/bin/mypy

typecheck: $(STAMP) ## mypy --strict on kongdao/ only
	$(VENV)/bin/mypy

.PHONY: gen gen-check
gen: $(STAMP) ## regenerate the typed DAO classes (kongdao/dao/typed.py, kongdao/sync/typed.py)
	$(PY) -m kongdao._codegen

gen-check: $(STAMP) ## fail when the committed generated DAO classes differ from a fresh generation
	$(PY) -m kongdao._codegen --check

test-unit: $(STAMP) ## the tests that need no database
	$(PY) -m pytest tests/unit $(PYTEST_ARGS)

test: lint postgres-up cassandra-up ## lint, types and the whole test suite (against the real databases)
	$(WITH_PG) $(PY) -m pytest $(PYTEST_ARGS)

# The slow reliability suite (docs/reliability.md): private PostgreSQL and Cassandra servers
# restarted under load, the fuzz tests with many more examples, then the soak of both databases.
# CI need not run it. SOAK_ARGS passes options to `python -m benchmarks.soak`.
SOAK_ARGS ?= --seconds 90 --processes 3

.PHONY: test-reliability soak
test-reliability: $(STAMP) postgres-up cassandra-up ## restarts under load, long fuzzing, then a 90-second soak of each database (~10 min)
	KONGDAO_FUZZ_PROFILE=fuzz-long $(WITH_PG) $(PY) -m pytest tests/reliability --reliability $(PYTEST_ARGS)
	$(WITH_PG) $(PY) -m benchmarks.soak $(SOAK_ARGS)

soak: $(STAMP) postgres-up cassandra-up ## only the soak: mixed operations from several processes, then invariants checked
	$(WITH_PG) $(PY) -m benchmarks.soak $(SOAK_ARGS)

# Scale-out (README "Running on a cluster"): a PostgreSQL primary + streaming replica and a
# 3-node Cassandra ring, all real processes, started and stopped by compose/scale.sh.
.PHONY: test-scale
test-scale: $(STAMP) ## PostgreSQL primary + replica and a 3-node Cassandra ring: the behaviour suite on each, then failures under load (8-12 min)
	PY=$(PY) PYTEST_ARGS="$(PYTEST_ARGS)" bash compose/scale.sh

DEMO_BENCH := --quick --only select_pk,select_by_cache_key,insert_service -c 32 --rounds 1 --services 1000 --no-chart --out .cache/demo-bench

demo: $(STAMP) postgres-up cassandra-up ## walk-through on PostgreSQL and Cassandra (each step printed), then a short benchmark table
	$(WITH_PG) $(PY) -m kongdao.demo
	$(WITH_PG) $(PY) -m benchmarks $(DEMO_BENCH)

# Benchmarks: kongdao vs the raw drivers, interleaved, on both databases (benchmarks/README.md).
# BENCH_ARGS passes options to `python -m benchmarks` (e.g. BENCH_ARGS="--databases postgres").
# `make bench` saves its run as the baseline when there is none yet; SAVE_BASELINE=1 replaces it.
BENCH_STAMP := $(VENV)/.stamp-bench
BENCH_ARGS ?=
BENCH_COMPARE_ARGS ?=

$(BENCH_STAMP): $(STAMP)
	$(PY) -m pip install --quiet -e '.[dev,bench]'
	@touch $(BENCH_STAMP)

.PHONY: bench bench-quick bench-compare bench-scale
bench: $(BENCH_STAMP) services ## full benchmark suite (PostgreSQL + Cassandra): table, JSON and chart in benchmarks/results/
	$(WITH_PG) $(PY) -m benchmarks --full $(if $(SAVE_BASELINE),--save-baseline,--save-baseline-if-missing) $(BENCH_ARGS)

bench-quick: $(BENCH_STAMP) services ## the benchmark suite in quick mode (under 2 minutes)
	$(WITH_PG) $(PY) -m benchmarks --quick $(BENCH_ARGS)

# The suite on one server and on a cluster (benchmarks/scale.py): PostgreSQL primary alone vs
# primary + replica, the single Cassandra node vs the 3-node ring. BENCH_SCALE_ARGS: options.
BENCH_SCALE_ARGS ?=
bench-scale: $(BENCH_STAMP) cassandra-up ## what replication costs: one server vs primary + replica, one node vs a 3-node ring (~6 min)
	@bash -c 'trap "bash compose/cassandra/ring.sh down >/dev/null 2>&1; $(PY) -m kongdao.testing.replica down >/dev/null 2>&1" EXIT; \
	  $(PY) -m kongdao.testing.replica up && bash compose/cassandra/ring.sh up && \
	  $(PY) -m benchmarks.scale $(BENCH_SCALE_ARGS)'

bench-compare: $(STAMP) ## compare the latest benchmark run with the saved baseline; fails on a >15% slowdown
	$(PY) -m benchmarks.compare $(BENCH_COMPARE_ARGS)

clean: ## remove the virtualenv and caches
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis build dist *.egg-info .cache/postgres
	find . -name __pycache__ -type d -prune -exec rm -rf {} +

# Real database servers for tests and benchmarks (Cassandra is started by the project itself).
-include compose/cassandra.mk

.PHONY: services-docker services-docker-down
services-docker: ## PostgreSQL 16 + Cassandra 3.11 in Docker (compose/docker-compose.yml); SCYLLA=1 adds ScyllaDB on 9043
	docker compose -p kongdao -f compose/docker-compose.yml $(if $(SCYLLA),--profile scylla) up -d --wait

services-docker-down: ## stop the Docker services (named volumes are kept)
	docker compose -p kongdao -f compose/docker-compose.yml --profile scylla down
