"""The ``jwt`` plugin's migrations (its ``schema_meta`` subsystem ``jwt``).

``000_base_jwt`` creates the ``jwt_secrets`` table. The SQL and CQL were printed by
:func:`kongdao.connectors.postgres.ddl.create_table_sql` and
:func:`kongdao.connectors.cassandra.ddl.create_table_cql` when the migration was written, and
are kept verbatim: a released migration never changes.

The table is where Kong's ``000_base_jwt``, ``002_130_to_140`` and ``003_200_to_210`` end
(with ``ws_id``, as Kong's ``003_200_to_210`` adds it). Kong's index on ``secret`` is left out: no
DAO method reads by it.
"""

from __future__ import annotations

from typing import Final

from kongdao.migrations import Migration, Step

__all__ = ["MIGRATIONS"]

POSTGRES: Final = """
CREATE TABLE IF NOT EXISTS "jwt_secrets" (
  "id" UUID,
  "created_at" TIMESTAMP WITH TIME ZONE,
  "consumer_id" UUID,
  "key" TEXT,
  "secret" TEXT,
  "rsa_public_key" TEXT,
  "algorithm" TEXT,
  "tags" TEXT[],
  "ws_id" UUID,
  CONSTRAINT "jwt_secrets_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "jwt_secrets_id_ws_id_key" UNIQUE ("id", "ws_id"),
  CONSTRAINT "jwt_secrets_consumer_id_fkey" FOREIGN KEY ("consumer_id", "ws_id") REFERENCES "consumers" ("id", "ws_id") ON DELETE CASCADE,
  CONSTRAINT "jwt_secrets_key_key" UNIQUE ("ws_id", "key"),
  CONSTRAINT "jwt_secrets_ws_id_fkey" FOREIGN KEY ("ws_id") REFERENCES "workspaces" ("id") ON DELETE RESTRICT
);
CREATE INDEX IF NOT EXISTS "jwt_secrets_consumer_id_idx" ON "jwt_secrets" ("consumer_id", "id");
CREATE INDEX IF NOT EXISTS "jwt_secrets_tags_idx" ON "jwt_secrets" USING GIN ("tags");
"""

CASSANDRA: Final = """
CREATE TABLE IF NOT EXISTS "jwt_secrets" (
  "id" uuid,
  "created_at" timestamp,
  "consumer_id" uuid,
  "key" text,
  "secret" text,
  "rsa_public_key" text,
  "algorithm" text,
  "tags" list<text>,
  "ws_id" uuid,
  "kongdao_version" uuid,
  "kongdao_live" boolean,
  "kongdao_empty" set<text>,
  PRIMARY KEY ("id")
);
CREATE TABLE IF NOT EXISTS "jwt_secrets_by_key" ("value" text PRIMARY KEY, "id" uuid);
CREATE TABLE IF NOT EXISTS "jwt_secrets_by_consumer" ("consumer_id" uuid, "id" uuid, PRIMARY KEY ("consumer_id", "id"));
CREATE TABLE IF NOT EXISTS "jwt_secrets_by_ws" ("ws_id" uuid, "id" uuid, PRIMARY KEY ("ws_id", "id"));
CREATE TABLE IF NOT EXISTS "jwt_secrets_by_tag" ("tag" text, "id" uuid, PRIMARY KEY ("tag", "id"));
"""

MIGRATIONS: Final = (
    Migration("000_base_jwt", postgres=Step(up=POSTGRES), cassandra=Step(up=CASSANDRA)),
)
"""The migrations, in order."""
