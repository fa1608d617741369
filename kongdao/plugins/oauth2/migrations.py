"""The ``oauth2`` plugin's migrations (its ``schema_meta`` subsystem ``oauth2``).

``000_base_oauth2`` creates the ``oauth2_credentials``, ``oauth2_authorization_codes`` and
``oauth2_tokens`` tables. The SQL and CQL were printed by
:func:`kongdao.connectors.postgres.ddl.create_table_sql` and
:func:`kongdao.connectors.cassandra.ddl.create_table_cql` when the migration was written, and
are kept verbatim: a released migration never changes.

The tables are where Kong's ``000_base_oauth2`` to ``005_210_to_211`` end, with their
``ws_id``. Left out: Kong's indexes on ``client_secret`` and
``authenticated_userid`` (no DAO method reads by them), and, on Cassandra, the
``default_time_to_live = 300`` of ``oauth2_authorization_codes`` (the printer writes no table
options; the plugin gives every code its ttl).
"""

from __future__ import annotations

from typing import Final

from kongdao.migrations import Migration, Step

__all__ = ["MIGRATIONS"]

POSTGRES: Final = """
CREATE TABLE IF NOT EXISTS "oauth2_credentials" (
  "id" UUID,
  "created_at" TIMESTAMP WITH TIME ZONE,
  "consumer_id" UUID,
  "name" TEXT,
  "client_id" TEXT,
  "client_secret" TEXT,
  "hash_secret" BOOLEAN,
  "redirect_uris" TEXT[],
  "tags" TEXT[],
  "client_type" TEXT,
  "ws_id" UUID,
  CONSTRAINT "oauth2_credentials_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "oauth2_credentials_id_ws_id_key" UNIQUE ("id", "ws_id"),
  CONSTRAINT "oauth2_credentials_consumer_id_fkey" FOREIGN KEY ("consumer_id", "ws_id") REFERENCES "consumers" ("id", "ws_id") ON DELETE CASCADE,
  CONSTRAINT "oauth2_credentials_client_id_key" UNIQUE ("ws_id", "client_id"),
  CONSTRAINT "oauth2_credentials_ws_id_fkey" FOREIGN KEY ("ws_id") REFERENCES "workspaces" ("id") ON DELETE RESTRICT
);
CREATE INDEX IF NOT EXISTS "oauth2_credentials_consumer_id_idx" ON "oauth2_credentials" ("consumer_id", "id");
CREATE INDEX IF NOT EXISTS "oauth2_credentials_tags_idx" ON "oauth2_credentials" USING GIN ("tags");
CREATE TABLE IF NOT EXISTS "oauth2_authorization_codes" (
  "id" UUID,
  "created_at" TIMESTAMP WITH TIME ZONE,
  "service_id" UUID,
  "credential_id" UUID,
  "code" TEXT,
  "authenticated_userid" TEXT,
  "scope" TEXT,
  "challenge" TEXT,
  "challenge_method" TEXT,
  "ws_id" UUID,
  "ttl" TIMESTAMP WITH TIME ZONE,
  CONSTRAINT "oauth2_authorization_codes_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "oauth2_authorization_codes_id_ws_id_key" UNIQUE ("id", "ws_id"),
  CONSTRAINT "oauth2_authorization_codes_service_id_fkey" FOREIGN KEY ("service_id", "ws_id") REFERENCES "services" ("id", "ws_id") ON DELETE CASCADE,
  CONSTRAINT "oauth2_authorization_codes_credential_id_fkey" FOREIGN KEY ("credential_id", "ws_id") REFERENCES "oauth2_credentials" ("id", "ws_id") ON DELETE CASCADE,
  CONSTRAINT "oauth2_authorization_codes_code_key" UNIQUE ("ws_id", "code"),
  CONSTRAINT "oauth2_authorization_codes_ws_id_fkey" FOREIGN KEY ("ws_id") REFERENCES "workspaces" ("id") ON DELETE RESTRICT
);
CREATE INDEX IF NOT EXISTS "oauth2_authorization_codes_service_id_idx" ON "oauth2_authorization_codes" ("service_id", "id");
CREATE INDEX IF NOT EXISTS "oauth2_authorization_codes_credential_id_idx" ON "oauth2_authorization_codes" ("credential_id", "id");
CREATE INDEX IF NOT EXISTS "oauth2_authorization_codes_ttl_idx" ON "oauth2_authorization_codes" ("ttl");
CREATE TABLE IF NOT EXISTS "oauth2_tokens" (
  "id" UUID,
  "created_at" TIMESTAMP WITH TIME ZONE,
  "service_id" UUID,
  "credential_id" UUID,
  "token_type" TEXT,
  "expires_in" BIGINT,
  "access_token" TEXT,
  "refresh_token" TEXT,
  "authenticated_userid" TEXT,
  "scope" TEXT,
  "ws_id" UUID,
  "ttl" TIMESTAMP WITH TIME ZONE,
  CONSTRAINT "oauth2_tokens_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "oauth2_tokens_id_ws_id_key" UNIQUE ("id", "ws_id"),
  CONSTRAINT "oauth2_tokens_service_id_fkey" FOREIGN KEY ("service_id", "ws_id") REFERENCES "services" ("id", "ws_id") ON DELETE CASCADE,
  CONSTRAINT "oauth2_tokens_credential_id_fkey" FOREIGN KEY ("credential_id", "ws_id") REFERENCES "oauth2_credentials" ("id", "ws_id") ON DELETE CASCADE,
  CONSTRAINT "oauth2_tokens_access_token_key" UNIQUE ("ws_id", "access_token"),
  CONSTRAINT "oauth2_tokens_refresh_token_key" UNIQUE ("ws_id", "refresh_token"),
  CONSTRAINT "oauth2_tokens_ws_id_fkey" FOREIGN KEY ("ws_id") REFERENCES "workspaces" ("id") ON DELETE RESTRICT
);
CREATE INDEX IF NOT EXISTS "oauth2_tokens_service_id_idx" ON "oauth2_tokens" ("service_id", "id");
CREATE INDEX IF NOT EXISTS "oauth2_tokens_credential_id_idx" ON "oauth2_tokens" ("credential_id", "id");
CREATE INDEX IF NOT EXISTS "oauth2_tokens_ttl_idx" ON "oauth2_tokens" ("ttl");
"""

CASSANDRA: Final = """
CREATE TABLE IF NOT EXISTS "oauth2_credentials" (
  "id" uuid,
  "created_at" timestamp,
  "consumer_id" uuid,
  "name" text,
  "client_id" text,
  "client_secret" text,
  "hash_secret" boolean,
  "redirect_uris" list<text>,
  "tags" list<text>,
  "client_type" text,
  "ws_id" uuid,
  "kongdao_version" uuid,
  "kongdao_live" boolean,
  "kongdao_empty" set<text>,
  PRIMARY KEY ("id")
);
CREATE TABLE IF NOT EXISTS "oauth2_credentials_by_client_id" ("value" text PRIMARY KEY, "id" uuid);
CREATE TABLE IF NOT EXISTS "oauth2_credentials_by_consumer" ("consumer_id" uuid, "id" uuid, PRIMARY KEY ("consumer_id", "id"));
CREATE TABLE IF NOT EXISTS "oauth2_credentials_by_ws" ("ws_id" uuid, "id" uuid, PRIMARY KEY ("ws_id", "id"));
CREATE TABLE IF NOT EXISTS "oauth2_credentials_by_tag" ("tag" text, "id" uuid, PRIMARY KEY ("tag", "id"));
CREATE TABLE IF NOT EXISTS "oauth2_authorization_codes" (
  "id" uuid,
  "created_at" timestamp,
  "service_id" uuid,
  "credential_id" uuid,
  "code" text,
  "authenticated_userid" text,
  "scope" text,
  "challenge" text,
  "challenge_method" text,
  "ws_id" uuid,
  "kongdao_version" uuid,
  "kongdao_live" boolean,
  PRIMARY KEY ("id")
);
CREATE TABLE IF NOT EXISTS "oauth2_authorization_codes_by_code" ("value" text PRIMARY KEY, "id" uuid);
CREATE TABLE IF NOT EXISTS "oauth2_authorization_codes_by_service" ("service_id" uuid, "id" uuid, PRIMARY KEY ("service_id", "id"));
CREATE TABLE IF NOT EXISTS "oauth2_authorization_codes_by_credential" ("credential_id" uuid, "id" uuid, PRIMARY KEY ("credential_id", "id"));
CREATE TABLE IF NOT EXISTS "oauth2_authorization_codes_by_ws" ("ws_id" uuid, "id" uuid, PRIMARY KEY ("ws_id", "id"));
CREATE TABLE IF NOT EXISTS "oauth2_tokens" (
  "id" uuid,
  "created_at" timestamp,
  "service_id" uuid,
  "credential_id" uuid,
  "token_type" text,
  "expires_in" bigint,
  "access_token" text,
  "refresh_token" text,
  "authenticated_userid" text,
  "scope" text,
  "ws_id" uuid,
  "kongdao_version" uuid,
  "kongdao_live" boolean,
  PRIMARY KEY ("id")
);
CREATE TABLE IF NOT EXISTS "oauth2_tokens_by_access_token" ("value" text PRIMARY KEY, "id" uuid);
CREATE TABLE IF NOT EXISTS "oauth2_tokens_by_refresh_token" ("value" text PRIMARY KEY, "id" uuid);
CREATE TABLE IF NOT EXISTS "oauth2_tokens_by_service" ("service_id" uuid, "id" uuid, PRIMARY KEY ("service_id", "id"));
CREATE TABLE IF NOT EXISTS "oauth2_tokens_by_credential" ("credential_id" uuid, "id" uuid, PRIMARY KEY ("credential_id", "id"));
CREATE TABLE IF NOT EXISTS "oauth2_tokens_by_ws" ("ws_id" uuid, "id" uuid, PRIMARY KEY ("ws_id", "id"));
"""

MIGRATIONS: Final = (
    Migration("000_base_oauth2", postgres=Step(up=POSTGRES), cassandra=Step(up=CASSANDRA)),
)
"""The migrations, in order."""
