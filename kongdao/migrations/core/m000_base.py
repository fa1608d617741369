"""000_base: the core tables (consumers, services, routes, plugins).

The SQL was printed by :func:`kongdao.connectors.postgres.ddl.create_table_sql` when this
migration was written and is kept verbatim: a migration never changes once released. Tables are
unqualified; the runner sets ``search_path`` to the configured schema.

The CQL was printed the same way by :func:`kongdao.connectors.cassandra.ddl.create_table_cql`
(main tables, unique-value lookup tables, child-index and tag tables; see
:mod:`kongdao.connectors.cassandra.model`). Tables are unqualified; the connector runs them in
the configured keyspace.
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

CASSANDRA = """
CREATE TABLE IF NOT EXISTS "consumers" (
  "id" uuid,
  "created_at" timestamp,
  "username" text,
  "custom_id" text,
  "tags" list<text>,
  "kongdao_version" uuid,
  "kongdao_live" boolean,
  "kongdao_empty" set<text>,
  PRIMARY KEY ("id")
);
CREATE TABLE IF NOT EXISTS "consumers_by_username" ("value" text PRIMARY KEY, "id" uuid);
CREATE TABLE IF NOT EXISTS "consumers_by_custom_id" ("value" text PRIMARY KEY, "id" uuid);
CREATE TABLE IF NOT EXISTS "consumers_by_tag" ("tag" text, "id" uuid, PRIMARY KEY ("tag", "id"));

CREATE TABLE IF NOT EXISTS "services" (
  "id" uuid,
  "created_at" timestamp,
  "updated_at" timestamp,
  "name" text,
  "retries" bigint,
  "protocol" text,
  "host" text,
  "port" bigint,
  "path" text,
  "connect_timeout" bigint,
  "write_timeout" bigint,
  "read_timeout" bigint,
  "tags" list<text>,
  "client_certificate_id" uuid,
  "tls_verify" boolean,
  "tls_verify_depth" bigint,
  "ca_certificates" list<text>,
  "enabled" boolean,
  "kongdao_version" uuid,
  "kongdao_live" boolean,
  "kongdao_empty" set<text>,
  PRIMARY KEY ("id")
);
CREATE TABLE IF NOT EXISTS "services_by_name" ("value" text PRIMARY KEY, "id" uuid);
CREATE TABLE IF NOT EXISTS "services_by_client_certificate" ("client_certificate_id" uuid, "id" uuid, PRIMARY KEY ("client_certificate_id", "id"));
CREATE TABLE IF NOT EXISTS "services_by_tag" ("tag" text, "id" uuid, PRIMARY KEY ("tag", "id"));

CREATE TABLE IF NOT EXISTS "routes" (
  "id" uuid,
  "created_at" timestamp,
  "updated_at" timestamp,
  "name" text,
  "protocols" list<text>,
  "methods" list<text>,
  "hosts" list<text>,
  "paths" list<text>,
  "headers" text,
  "https_redirect_status_code" bigint,
  "regex_priority" bigint,
  "strip_path" boolean,
  "path_handling" text,
  "preserve_host" boolean,
  "request_buffering" boolean,
  "response_buffering" boolean,
  "snis" list<text>,
  "sources" text,
  "destinations" text,
  "tags" list<text>,
  "service_id" uuid,
  "kongdao_version" uuid,
  "kongdao_live" boolean,
  "kongdao_empty" set<text>,
  PRIMARY KEY ("id")
);
CREATE TABLE IF NOT EXISTS "routes_by_name" ("value" text PRIMARY KEY, "id" uuid);
CREATE TABLE IF NOT EXISTS "routes_by_service" ("service_id" uuid, "id" uuid, PRIMARY KEY ("service_id", "id"));
CREATE TABLE IF NOT EXISTS "routes_by_tag" ("tag" text, "id" uuid, PRIMARY KEY ("tag", "id"));

CREATE TABLE IF NOT EXISTS "plugins" (
  "id" uuid,
  "name" text,
  "created_at" timestamp,
  "route_id" uuid,
  "service_id" uuid,
  "consumer_id" uuid,
  "config" text,
  "protocols" list<text>,
  "enabled" boolean,
  "tags" list<text>,
  "kongdao_version" uuid,
  "kongdao_live" boolean,
  "kongdao_empty" set<text>,
  "cache_key" text,
  PRIMARY KEY ("id")
);
CREATE TABLE IF NOT EXISTS "plugins_by_cache_key" ("value" text PRIMARY KEY, "id" uuid);
CREATE TABLE IF NOT EXISTS "plugins_by_route" ("route_id" uuid, "id" uuid, PRIMARY KEY ("route_id", "id"));
CREATE TABLE IF NOT EXISTS "plugins_by_service" ("service_id" uuid, "id" uuid, PRIMARY KEY ("service_id", "id"));
CREATE TABLE IF NOT EXISTS "plugins_by_consumer" ("consumer_id" uuid, "id" uuid, PRIMARY KEY ("consumer_id", "id"));
CREATE TABLE IF NOT EXISTS "plugins_by_tag" ("tag" text, "id" uuid, PRIMARY KEY ("tag", "id"));
"""

MIGRATION = Migration(name="000_base", postgres=Step(up=POSTGRES), cassandra=Step(up=CASSANDRA))
