"""The ``acl`` plugin's migrations (its ``schema_meta`` subsystem ``acl``).

``000_base_acl`` creates the ``acls`` table. The SQL and CQL were printed by
:func:`kongdao.connectors.postgres.ddl.create_table_sql` and
:func:`kongdao.connectors.cassandra.ddl.create_table_cql` when the migration was written, and
are kept verbatim: a released migration never changes.
"""

from __future__ import annotations

from typing import Final

from kongdao.migrations import Migration, Step

__all__ = ["MIGRATIONS"]

POSTGRES: Final = """
CREATE TABLE IF NOT EXISTS "acls" (
  "id" UUID,
  "created_at" TIMESTAMP WITH TIME ZONE,
  "consumer_id" UUID,
  "group" TEXT,
  "tags" TEXT[],
  "cache_key" TEXT,
  "ws_id" UUID,
  CONSTRAINT "acls_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "acls_id_ws_id_key" UNIQUE ("id", "ws_id"),
  CONSTRAINT "acls_consumer_id_fkey" FOREIGN KEY ("consumer_id", "ws_id") REFERENCES "consumers" ("id", "ws_id") ON DELETE CASCADE,
  CONSTRAINT "acls_cache_key_key" UNIQUE ("cache_key"),
  CONSTRAINT "acls_ws_id_fkey" FOREIGN KEY ("ws_id") REFERENCES "workspaces" ("id") ON DELETE RESTRICT
);
CREATE INDEX IF NOT EXISTS "acls_consumer_id_idx" ON "acls" ("consumer_id", "id");
CREATE INDEX IF NOT EXISTS "acls_tags_idx" ON "acls" USING GIN ("tags");
"""

CASSANDRA: Final = """
CREATE TABLE IF NOT EXISTS "acls" (
  "id" uuid,
  "created_at" timestamp,
  "consumer_id" uuid,
  "group" text,
  "tags" list<text>,
  "ws_id" uuid,
  "kongdao_version" uuid,
  "kongdao_live" boolean,
  "kongdao_empty" set<text>,
  "cache_key" text,
  PRIMARY KEY ("id")
);
CREATE TABLE IF NOT EXISTS "acls_by_cache_key" ("value" text PRIMARY KEY, "id" uuid);
CREATE TABLE IF NOT EXISTS "acls_by_consumer" ("consumer_id" uuid, "id" uuid, PRIMARY KEY ("consumer_id", "id"));
CREATE TABLE IF NOT EXISTS "acls_by_ws" ("ws_id" uuid, "id" uuid, PRIMARY KEY ("ws_id", "id"));
CREATE TABLE IF NOT EXISTS "acls_by_tag" ("tag" text, "id" uuid, PRIMARY KEY ("tag", "id"));
"""

MIGRATIONS: Final = (
    Migration("000_base_acl", postgres=Step(up=POSTGRES), cassandra=Step(up=CASSANDRA)),
)
"""The migrations, in order."""
