"""000_base: the core tables (workspaces, consumers, services, routes, plugins).

It also creates the ``default`` workspace, with the fixed id
:data:`kongdao.workspaces.DEFAULT_WORKSPACE_ID` (Kong's migration gives it a random one; a fixed
id lets both databases seed it with a plain statement).

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
CREATE TABLE IF NOT EXISTS "workspaces" (
  "id" UUID,
  "name" TEXT,
  "comment" TEXT,
  "created_at" TIMESTAMP WITH TIME ZONE,
  "meta" JSONB,
  "config" JSONB,
  CONSTRAINT "workspaces_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "workspaces_name_key" UNIQUE ("name")
);
INSERT INTO "workspaces" ("id", "name", "created_at", "meta", "config") VALUES ('1a2c6b6e-0d3f-4c8e-9b51-6f0a7d4e2c10', 'default', DATE_TRUNC('second', CURRENT_TIMESTAMP), '{}', '{}') ON CONFLICT DO NOTHING;

CREATE TABLE IF NOT EXISTS "consumers" (
  "id" UUID,
  "created_at" TIMESTAMP WITH TIME ZONE,
  "username" TEXT,
  "custom_id" TEXT,
  "tags" TEXT[],
  "ws_id" UUID,
  CONSTRAINT "consumers_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "consumers_id_ws_id_key" UNIQUE ("id", "ws_id"),
  CONSTRAINT "consumers_username_key" UNIQUE ("ws_id", "username"),
  CONSTRAINT "consumers_custom_id_key" UNIQUE ("ws_id", "custom_id"),
  CONSTRAINT "consumers_ws_id_fkey" FOREIGN KEY ("ws_id") REFERENCES "workspaces" ("id") ON DELETE RESTRICT
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
  "ws_id" UUID,
  CONSTRAINT "services_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "services_id_ws_id_key" UNIQUE ("id", "ws_id"),
  CONSTRAINT "services_name_key" UNIQUE ("ws_id", "name"),
  CONSTRAINT "services_ws_id_fkey" FOREIGN KEY ("ws_id") REFERENCES "workspaces" ("id") ON DELETE RESTRICT
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
  "ws_id" UUID,
  CONSTRAINT "routes_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "routes_id_ws_id_key" UNIQUE ("id", "ws_id"),
  CONSTRAINT "routes_name_key" UNIQUE ("ws_id", "name"),
  CONSTRAINT "routes_service_id_fkey" FOREIGN KEY ("service_id", "ws_id") REFERENCES "services" ("id", "ws_id") ON DELETE RESTRICT,
  CONSTRAINT "routes_ws_id_fkey" FOREIGN KEY ("ws_id") REFERENCES "workspaces" ("id") ON DELETE RESTRICT
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
  "ws_id" UUID,
  CONSTRAINT "plugins_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "plugins_id_ws_id_key" UNIQUE ("id", "ws_id"),
  CONSTRAINT "plugins_route_id_fkey" FOREIGN KEY ("route_id", "ws_id") REFERENCES "routes" ("id", "ws_id") ON DELETE CASCADE,
  CONSTRAINT "plugins_service_id_fkey" FOREIGN KEY ("service_id", "ws_id") REFERENCES "services" ("id", "ws_id") ON DELETE CASCADE,
  CONSTRAINT "plugins_consumer_id_fkey" FOREIGN KEY ("consumer_id", "ws_id") REFERENCES "consumers" ("id", "ws_id") ON DELETE CASCADE,
  CONSTRAINT "plugins_cache_key_key" UNIQUE ("cache_key"),
  CONSTRAINT "plugins_ws_id_fkey" FOREIGN KEY ("ws_id") REFERENCES "workspaces" ("id") ON DELETE RESTRICT
);
CREATE INDEX IF NOT EXISTS "plugins_route_id_idx" ON "plugins" ("route_id", "id");
CREATE INDEX IF NOT EXISTS "plugins_service_id_idx" ON "plugins" ("service_id", "id");
CREATE INDEX IF NOT EXISTS "plugins_consumer_id_idx" ON "plugins" ("consumer_id", "id");
CREATE INDEX IF NOT EXISTS "plugins_tags_idx" ON "plugins" USING GIN ("tags");

"""

CASSANDRA = """
CREATE TABLE IF NOT EXISTS "workspaces" (
  "id" uuid,
  "name" text,
  "comment" text,
  "created_at" timestamp,
  "meta" text,
  "config" text,
  "kongdao_version" uuid,
  "kongdao_live" boolean,
  PRIMARY KEY ("id")
);
CREATE TABLE IF NOT EXISTS "workspaces_by_name" ("value" text PRIMARY KEY, "id" uuid);
INSERT INTO "workspaces" ("id", "name", "created_at", "meta", "config", "kongdao_version", "kongdao_live") VALUES (1a2c6b6e-0d3f-4c8e-9b51-6f0a7d4e2c10, 'default', dateOf(now()), '{}', '{}', 1a2c6b6e-0d3f-4c8e-9b51-6f0a7d4e2c10, true) IF NOT EXISTS;
INSERT INTO "workspaces_by_name" ("value", "id") VALUES ('default', 1a2c6b6e-0d3f-4c8e-9b51-6f0a7d4e2c10) IF NOT EXISTS;

CREATE TABLE IF NOT EXISTS "consumers" (
  "id" uuid,
  "created_at" timestamp,
  "username" text,
  "custom_id" text,
  "tags" list<text>,
  "ws_id" uuid,
  "kongdao_version" uuid,
  "kongdao_live" boolean,
  "kongdao_empty" set<text>,
  PRIMARY KEY ("id")
);
CREATE TABLE IF NOT EXISTS "consumers_by_username" ("value" text PRIMARY KEY, "id" uuid);
CREATE TABLE IF NOT EXISTS "consumers_by_custom_id" ("value" text PRIMARY KEY, "id" uuid);
CREATE TABLE IF NOT EXISTS "consumers_by_ws" ("ws_id" uuid, "id" uuid, PRIMARY KEY ("ws_id", "id"));
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
  "ws_id" uuid,
  "kongdao_version" uuid,
  "kongdao_live" boolean,
  "kongdao_empty" set<text>,
  PRIMARY KEY ("id")
);
CREATE TABLE IF NOT EXISTS "services_by_name" ("value" text PRIMARY KEY, "id" uuid);
CREATE TABLE IF NOT EXISTS "services_by_client_certificate" ("client_certificate_id" uuid, "id" uuid, PRIMARY KEY ("client_certificate_id", "id"));
CREATE TABLE IF NOT EXISTS "services_by_ws" ("ws_id" uuid, "id" uuid, PRIMARY KEY ("ws_id", "id"));
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
  "ws_id" uuid,
  "kongdao_version" uuid,
  "kongdao_live" boolean,
  "kongdao_empty" set<text>,
  PRIMARY KEY ("id")
);
CREATE TABLE IF NOT EXISTS "routes_by_name" ("value" text PRIMARY KEY, "id" uuid);
CREATE TABLE IF NOT EXISTS "routes_by_service" ("service_id" uuid, "id" uuid, PRIMARY KEY ("service_id", "id"));
CREATE TABLE IF NOT EXISTS "routes_by_ws" ("ws_id" uuid, "id" uuid, PRIMARY KEY ("ws_id", "id"));
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
  "ws_id" uuid,
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
CREATE TABLE IF NOT EXISTS "plugins_by_ws" ("ws_id" uuid, "id" uuid, PRIMARY KEY ("ws_id", "id"));
CREATE TABLE IF NOT EXISTS "plugins_by_tag" ("tag" text, "id" uuid, PRIMARY KEY ("tag", "id"));
"""

MIGRATION = Migration(name="000_base", postgres=Step(up=POSTGRES), cassandra=Step(up=CASSANDRA))
