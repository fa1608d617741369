"""The ``session`` plugin's migrations (its ``schema_meta`` subsystem ``session``).

``000_base_session`` creates the ``sessions`` table. The SQL and CQL were printed by
:func:`kongdao.connectors.postgres.ddl.create_table_sql` and
:func:`kongdao.connectors.cassandra.ddl.create_table_cql` when the migration was written, and
are kept verbatim: a released migration never changes.

The table is where Kong's ``000_base_session`` and ``001_add_ttl_index`` end. Kong's index
on ``expires`` is left out: no DAO method reads by it.
"""

from __future__ import annotations

from typing import Final

from kongdao.migrations import Migration, Step

__all__ = ["MIGRATIONS"]

POSTGRES: Final = """
CREATE TABLE IF NOT EXISTS "sessions" (
  "id" UUID,
  "session_id" TEXT,
  "expires" BIGINT,
  "data" TEXT,
  "created_at" TIMESTAMP WITH TIME ZONE,
  "ttl" TIMESTAMP WITH TIME ZONE,
  CONSTRAINT "sessions_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "sessions_session_id_key" UNIQUE ("session_id")
);
CREATE INDEX IF NOT EXISTS "sessions_ttl_idx" ON "sessions" ("ttl");
"""

CASSANDRA: Final = """
CREATE TABLE IF NOT EXISTS "sessions" (
  "id" uuid,
  "session_id" text,
  "expires" bigint,
  "data" text,
  "created_at" timestamp,
  "kongdao_version" uuid,
  "kongdao_live" boolean,
  PRIMARY KEY ("id")
);
CREATE TABLE IF NOT EXISTS "sessions_by_session_id" ("value" text PRIMARY KEY, "id" uuid);
"""

MIGRATIONS: Final = (
    Migration("000_base_session", postgres=Step(up=POSTGRES), cassandra=Step(up=CASSANDRA)),
)
"""The migrations, in order."""
