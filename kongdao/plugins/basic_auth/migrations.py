"""The ``basic-auth`` plugin's migrations (its ``schema_meta`` subsystem ``basic-auth``).

``000_base_basic_auth`` creates the ``basicauth_credentials`` table. The SQL and CQL were printed by
:func:`kongdao.connectors.postgres.ddl.create_table_sql` and
:func:`kongdao.connectors.cassandra.ddl.create_table_cql` when the migration was written, and
are kept verbatim: a released migration never changes.
"""

from __future__ import annotations

from typing import Final

from kongdao.migrations import Migration, Step

__all__ = ["MIGRATIONS"]

POSTGRES: Final = """
CREATE TABLE IF NOT EXISTS "basicauth_credentials" (
  "id" UUID,
  "created_at" TIMESTAMP WITH TIME ZONE,
  "consumer_id" UUID,
  "username" TEXT,
  "password" TEXT,
  "tags" TEXT[],
  "ws_id" UUID,
  CONSTRAINT "basicauth_credentials_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "basicauth_credentials_id_ws_id_key" UNIQUE ("id", "ws_id"),
  CONSTRAINT "basicauth_credentials_consumer_id_fkey" FOREIGN KEY ("consumer_id", "ws_id") REFERENCES "consumers" ("id", "ws_id") ON DELETE CASCADE,
  CONSTRAINT "basicauth_credentials_username_key" UNIQUE ("ws_id", "username"),
  CONSTRAINT "basicauth_credentials_ws_id_fkey" FOREIGN KEY ("ws_id") REFERENCES "workspaces" ("id") ON DELETE RESTRICT
);
CREATE INDEX IF NOT EXISTS "basicauth_credentials_consumer_id_idx" ON "basicauth_credentials" ("consumer_id", "id");
CREATE INDEX IF NOT EXISTS "basicauth_credentials_tags_idx" ON "basicauth_credentials" USING GIN ("tags");
"""

CASSANDRA: Final = """
CREATE TABLE IF NOT EXISTS "basicauth_credentials" (
  "id" uuid,
  "created_at" timestamp,
  "consumer_id" uuid,
  "username" text,
  "password" text,
  "tags" list<text>,
  "ws_id" uuid,
  "kongdao_version" uuid,
  "kongdao_live" boolean,
  "kongdao_empty" set<text>,
  PRIMARY KEY ("id")
);
CREATE TABLE IF NOT EXISTS "basicauth_credentials_by_username" ("value" text PRIMARY KEY, "id" uuid);
CREATE TABLE IF NOT EXISTS "basicauth_credentials_by_consumer" ("consumer_id" uuid, "id" uuid, PRIMARY KEY ("consumer_id", "id"));
CREATE TABLE IF NOT EXISTS "basicauth_credentials_by_ws" ("ws_id" uuid, "id" uuid, PRIMARY KEY ("ws_id", "id"));
CREATE TABLE IF NOT EXISTS "basicauth_credentials_by_tag" ("tag" text, "id" uuid, PRIMARY KEY ("tag", "id"));
"""

MIGRATIONS: Final = (
    Migration("000_base_basic_auth", postgres=Step(up=POSTGRES), cassandra=Step(up=CASSANDRA)),
)
"""The migrations, in order."""
