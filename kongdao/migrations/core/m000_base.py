"""000_base: the core tables (consumers, services, routes, plugins).

The SQL was printed by :func:`kongdao.connectors.postgres.ddl.create_table_sql` when this
migration was written and is kept verbatim: a migration never changes once released. Tables are
unqualified; the runner sets ``search_path`` to the configured schema.
"""

from __future__ import annotations

from kongdao.migrations import Migration, Step

POSTGRES = """
CREATE TABLE IF NOT EXISTS "consumers" (
  "id" UUID,
  "created_at" TIMESTAMP WITH TIME ZONE,
  "username" TEXT,
  "custom_id" TEXT,
  "tags" TEXT[],
  CONSTRAINT "consumers_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "consumers_username_key" UNIQUE ("username"),
  CONSTRAINT "consumers_custom_id_key" UNIQUE ("custom_id")
);
CREATE INDEX IF NOT EXISTS "consumers_tags_idx" ON "consumers" USING GIN ("tags");

CREATE TABLE IF NOT EXISTS "services" (
  "id" UUID,
  "created_at" TIMESTAMP WITH TIME ZONE,
  "updated_at" TIMESTAMP WITH TIME ZONE,
  "name" TEXT,
  "retries" BIGINT,
  "protocol" TEXT,
  "host" TEXT,
  "port" BIGINT,
  "path" TEXT,
  "connect_timeout" BIGINT,
  "write_timeout" BIGINT,
  "read_timeout" BIGINT,
  "tags" TEXT[],
  "client_certificate_id" UUID,
  "tls_verify" BOOLEAN,
  "tls_verify_depth" BIGINT,
  "ca_certificates" TEXT[],
  "enabled" BOOLEAN,
  CONSTRAINT "services_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "services_name_key" UNIQUE ("name")
);

CREATE INDEX IF NOT EXISTS "services_tags_idx" ON "services" USING GIN ("tags");

CREATE TABLE IF NOT EXISTS "routes" (
  "id" UUID,
  "created_at" TIMESTAMP WITH TIME ZONE,
  "updated_at" TIMESTAMP WITH TIME ZONE,
  "name" TEXT,
  "protocols" TEXT[],
  "methods" TEXT[],
  "hosts" TEXT[],
  "paths" TEXT[],
  "headers" JSONB,
  "https_redirect_status_code" BIGINT,
  "regex_priority" BIGINT,
  "strip_path" BOOLEAN,
  "path_handling" TEXT,
  "preserve_host" BOOLEAN,
  "request_buffering" BOOLEAN,
  "response_buffering" BOOLEAN,
  "snis" TEXT[],
  "sources" JSONB,
  "destinations" JSONB,
  "tags" TEXT[],
  "service_id" UUID,
  CONSTRAINT "routes_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "routes_name_key" UNIQUE ("name"),
  CONSTRAINT "routes_service_id_fkey" FOREIGN KEY ("service_id") REFERENCES "services" ("id") ON DELETE RESTRICT
);
CREATE INDEX IF NOT EXISTS "routes_service_id_idx" ON "routes" ("service_id", "id");
CREATE INDEX IF NOT EXISTS "routes_tags_idx" ON "routes" USING GIN ("tags");

CREATE TABLE IF NOT EXISTS "plugins" (
  "id" UUID,
  "name" TEXT,
  "created_at" TIMESTAMP WITH TIME ZONE,
  "route_id" UUID,
  "service_id" UUID,
  "consumer_id" UUID,
  "config" JSONB,
  "protocols" TEXT[],
  "enabled" BOOLEAN,
  "tags" TEXT[],
  "cache_key" TEXT,
  CONSTRAINT "plugins_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "plugins_route_id_fkey" FOREIGN KEY ("route_id") REFERENCES "routes" ("id") ON DELETE CASCADE,
  CONSTRAINT "plugins_service_id_fkey" FOREIGN KEY ("service_id") REFERENCES "services" ("id") ON DELETE CASCADE,
  CONSTRAINT "plugins_consumer_id_fkey" FOREIGN KEY ("consumer_id") REFERENCES "consumers" ("id") ON DELETE CASCADE,
  CONSTRAINT "plugins_cache_key_key" UNIQUE ("cache_key")
);
CREATE INDEX IF NOT EXISTS "plugins_route_id_idx" ON "plugins" ("route_id", "id");
CREATE INDEX IF NOT EXISTS "plugins_service_id_idx" ON "plugins" ("service_id", "id");
CREATE INDEX IF NOT EXISTS "plugins_consumer_id_idx" ON "plugins" ("consumer_id", "id");
CREATE INDEX IF NOT EXISTS "plugins_tags_idx" ON "plugins" USING GIN ("tags");

"""

MIGRATION = Migration(name="000_base", postgres=Step(up=POSTGRES))
