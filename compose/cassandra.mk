# Database servers for the tests and benchmarks; included by the top-level Makefile.
# There is no Docker engine on the project's machines (nor in CI), so nothing here uses compose:
# Cassandra is downloaded once and run by compose/cassandra/cassandra.sh, and PostgreSQL is the
# machine's own server. Every target is idempotent: call it as often as you like.
# See compose/README.md for the environment variables (KONGDAO_DSN, KONGDAO_CASSANDRA_*).

CASSANDRA_SH := bash compose/cassandra/cassandra.sh

.PHONY: services services-down postgres-up cassandra-up cassandra-down cassandra-status cassandra-logs

services: postgres-up cassandra-up ## start every database server the tests need (PostgreSQL, Cassandra)

services-down: cassandra-down ## stop the servers that `make services` started (the machine's PostgreSQL keeps running)

# With KONGDAO_DSN set the tests use that server and nothing is checked here. Otherwise the tests
# expect PostgreSQL on 127.0.0.1:5432: if it does not answer and the machine has a Debian-style
# cluster (/etc/postgresql/<version>/main), start it; `--skip-systemctl-redirect` because there is
# no systemd on these machines. pg_ctlcluster waits for the start, the loop covers recovery time.
postgres-up: ## make sure PostgreSQL answers on 127.0.0.1:5432 (starts the local cluster if it is down)
	@if [ -n "$${KONGDAO_DSN:-}" ]; then \
	  echo "postgres: KONGDAO_DSN is set; the tests use that server"; \
	elif ! command -v pg_isready >/dev/null 2>&1; then \
	  echo "postgres: error: pg_isready is missing; install PostgreSQL (Debian: apt-get install postgresql) or set KONGDAO_DSN to an existing server." >&2; \
	  exit 1; \
	elif pg_isready -q -h 127.0.0.1 -p 5432; then \
	  echo "postgres: ready on 127.0.0.1:5432"; \
	elif command -v pg_ctlcluster >/dev/null 2>&1 && [ -n "$$(ls /etc/postgresql 2>/dev/null)" ]; then \
	  version=$$(ls /etc/postgresql | sort -V | tail -n 1); \
	  echo "postgres: nothing answers on 127.0.0.1:5432; starting cluster $$version/main"; \
	  pg_ctlcluster --skip-systemctl-redirect "$$version" main start || true; \
	  for _ in $$(seq 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done; \
	  if ! pg_isready -q -h 127.0.0.1 -p 5432; then \
	    echo "postgres: error: cluster $$version/main did not answer on 127.0.0.1:5432 within 30 s; see /var/log/postgresql/." >&2; \
	    exit 1; \
	  fi; \
	  echo "postgres: ready on 127.0.0.1:5432"; \
	else \
	  echo "postgres: error: nothing answers on 127.0.0.1:5432 and there is no local cluster to start; install PostgreSQL (Debian: apt-get install postgresql) or set KONGDAO_DSN to an existing server." >&2; \
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
