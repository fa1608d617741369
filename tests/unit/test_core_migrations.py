"""The core migrations hold the DDL of the core entities, as the connectors print it today.

A migration never changes once released; these tests catch an entity or a DDL printer that
drifted from what the migrations create (a drift needs a new migration).
"""

from __future__ import annotations

import kongdao
from kongdao.connectors.cassandra.ddl import create_table_cql
from kongdao.connectors.cassandra.migrate import split_statements
from kongdao.connectors.postgres.ddl import create_table_sql
from kongdao.migrations.core import CORE, m000_base, m001_certificates_upstreams

SCHEMAS = kongdao.connect("postgresql://nobody@127.0.0.1:1/none", plugins=["off"])._db.schemas
BASE = ("consumers", "services", "routes", "plugins")
TLS = ("certificates", "ca_certificates", "snis", "upstreams", "targets")


def statements(sql: str) -> list[str]:
    return [" ".join(s.split()) for s in sql.split(";") if s.strip()]


def test_core_runs_its_migrations_in_order() -> None:
    assert [m.name for m in CORE.migrations] == ["000_base", "001_certificates_upstreams"]


def test_001_creates_the_tables_of_the_tls_and_upstream_entities() -> None:
    printed = "\n".join(create_table_sql(SCHEMAS[n], SCHEMAS) for n in TLS)
    migration = statements(m001_certificates_upstreams.POSTGRES)
    assert migration[: len(statements(printed))] == statements(printed)
    cql = "\n".join(create_table_cql(SCHEMAS[n], SCHEMAS) for n in TLS)
    assert split_statements(m001_certificates_upstreams.CASSANDRA) == split_statements(cql)


def test_000_and_001_together_give_services_their_certificate_foreign_key() -> None:
    # 000_base predates certificates: its services table lacks the constraint 001 adds
    services = statements(create_table_sql(SCHEMAS["services"], SCHEMAS))
    base = statements(m000_base.POSTGRES)
    fk = '"services_client_certificate_id_fkey" FOREIGN KEY ("client_certificate_id", "ws_id")'
    assert fk not in m000_base.POSTGRES
    assert fk in m001_certificates_upstreams.POSTGRES
    index = next(s for s in services if "services_client_certificate_id_idx" in s)
    assert index in statements(m001_certificates_upstreams.POSTGRES)
    for name in BASE:
        if name == "services":
            continue
        for statement in statements(create_table_sql(SCHEMAS[name], SCHEMAS)):
            assert statement in base, statement
