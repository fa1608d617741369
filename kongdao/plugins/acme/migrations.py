"""The ``acme`` plugin's migrations (its ``schema_meta`` subsystem ``acme``).

``000_base_acme`` creates the ``acme_storage`` table. The SQL and CQL were printed by
:func:`kongdao.connectors.postgres.ddl.create_table_sql` and
:func:`kongdao.connectors.cassandra.ddl.create_table_cql` when the migration was written, and
are kept verbatim: a released migration never changes.

The table is Kong's ``000_base_acme``.
"""

from __future__ import annotations

from typing import Final

from kongdao.migrations import Migration, Step

__all__ = ["MIGRATIONS"]

POSTGRES: Final = """
CREATE TABLE IF NOT EXISTS "acme_storage" (
  "id" UUID,
  "key" TEXT,
  "value" TEXT,
  "created_at" TIMESTAMP WITH TIME ZONE,
  "ttl" TIMESTAMP WITH TIME ZONE,
  CONSTRAINT "acme_storage_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "acme_storage_key_key" UNIQUE ("key")
);
CREATE INDEX IF NOT EXISTS "acme_storage_ttl_idx" ON "acme_storage" ("ttl");
"""

CASSANDRA: Final = """
CREATE TABLE IF NOT EXISTS "acme_storage" (
  "id" uuid,
  "key" text,
  "value" text,
  "created_at" timestamp,
  "kongdao_version" uuid,
  "kongdao_live" boolean,
  PRIMARY KEY ("id")
);
CREATE TABLE IF NOT EXISTS "acme_storage_by_key" ("value" text PRIMARY KEY, "id" uuid);
"""

MIGRATIONS: Final = (
    Migration("000_base_acme", postgres=Step(up=POSTGRES), cassandra=Step(up=CASSANDRA)),
)
"""The migrations, in order."""
