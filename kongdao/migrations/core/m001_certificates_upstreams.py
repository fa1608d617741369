"""001_certificates_upstreams: certificates, CA certificates, SNIs, upstreams and targets.

The SQL and CQL were printed by :func:`kongdao.connectors.postgres.ddl.create_table_sql` and
:func:`kongdao.connectors.cassandra.ddl.create_table_cql` when this migration was written and
are kept verbatim. On PostgreSQL, services' ``client_certificate`` gets the foreign key that
``000_base`` could not declare before ``certificates`` existed (re-entrant: an existing
constraint is kept), and a target is unique per upstream (the targets DAO checks it under a lock
as well, which is what Cassandra relies on). On Cassandra foreign keys are checked by the
strategy.
"""

from __future__ import annotations

from kongdao.migrations import Migration, Step

POSTGRES = """
CREATE TABLE IF NOT EXISTS "certificates" (
  "id" UUID,
  "created_at" TIMESTAMP WITH TIME ZONE,
  "cert" TEXT,
  "key" TEXT,
  "cert_alt" TEXT,
  "key_alt" TEXT,
  "tags" TEXT[],
  "ws_id" UUID,
  CONSTRAINT "certificates_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "certificates_id_ws_id_key" UNIQUE ("id", "ws_id"),
  CONSTRAINT "certificates_ws_id_fkey" FOREIGN KEY ("ws_id") REFERENCES "workspaces" ("id") ON DELETE RESTRICT
);
CREATE INDEX IF NOT EXISTS "certificates_tags_idx" ON "certificates" USING GIN ("tags");

CREATE TABLE IF NOT EXISTS "ca_certificates" (
  "id" UUID,
  "created_at" TIMESTAMP WITH TIME ZONE,
  "cert" TEXT,
  "cert_digest" TEXT,
  "tags" TEXT[],
  CONSTRAINT "ca_certificates_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "ca_certificates_cert_digest_key" UNIQUE ("cert_digest")
);
CREATE INDEX IF NOT EXISTS "ca_certificates_tags_idx" ON "ca_certificates" USING GIN ("tags");

CREATE TABLE IF NOT EXISTS "snis" (
  "id" UUID,
  "name" TEXT,
  "created_at" TIMESTAMP WITH TIME ZONE,
  "tags" TEXT[],
  "certificate_id" UUID,
  "ws_id" UUID,
  CONSTRAINT "snis_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "snis_id_ws_id_key" UNIQUE ("id", "ws_id"),
  CONSTRAINT "snis_name_key" UNIQUE ("name"),
  CONSTRAINT "snis_certificate_id_fkey" FOREIGN KEY ("certificate_id", "ws_id") REFERENCES "certificates" ("id", "ws_id") ON DELETE RESTRICT,
  CONSTRAINT "snis_ws_id_fkey" FOREIGN KEY ("ws_id") REFERENCES "workspaces" ("id") ON DELETE RESTRICT
);
CREATE INDEX IF NOT EXISTS "snis_certificate_id_idx" ON "snis" ("certificate_id", "id");
CREATE INDEX IF NOT EXISTS "snis_tags_idx" ON "snis" USING GIN ("tags");

CREATE TABLE IF NOT EXISTS "upstreams" (
  "id" UUID,
  "created_at" TIMESTAMP WITH TIME ZONE,
  "name" TEXT,
  "algorithm" TEXT,
  "hash_on" TEXT,
  "hash_fallback" TEXT,
  "hash_on_header" TEXT,
  "hash_fallback_header" TEXT,
  "hash_on_cookie" TEXT,
  "hash_on_cookie_path" TEXT,
  "slots" BIGINT,
  "healthchecks" JSONB,
  "tags" TEXT[],
  "host_header" TEXT,
  "client_certificate_id" UUID,
  "ws_id" UUID,
  CONSTRAINT "upstreams_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "upstreams_id_ws_id_key" UNIQUE ("id", "ws_id"),
  CONSTRAINT "upstreams_name_key" UNIQUE ("ws_id", "name"),
  CONSTRAINT "upstreams_client_certificate_id_fkey" FOREIGN KEY ("client_certificate_id", "ws_id") REFERENCES "certificates" ("id", "ws_id") ON DELETE RESTRICT,
  CONSTRAINT "upstreams_ws_id_fkey" FOREIGN KEY ("ws_id") REFERENCES "workspaces" ("id") ON DELETE RESTRICT
);
CREATE INDEX IF NOT EXISTS "upstreams_client_certificate_id_idx" ON "upstreams" ("client_certificate_id", "id");
CREATE INDEX IF NOT EXISTS "upstreams_tags_idx" ON "upstreams" USING GIN ("tags");

CREATE TABLE IF NOT EXISTS "targets" (
  "id" UUID,
  "created_at" TIMESTAMP WITH TIME ZONE,
  "upstream_id" UUID,
  "target" TEXT,
  "weight" BIGINT,
  "tags" TEXT[],
  "ws_id" UUID,
  CONSTRAINT "targets_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "targets_id_ws_id_key" UNIQUE ("id", "ws_id"),
  CONSTRAINT "targets_upstream_id_fkey" FOREIGN KEY ("upstream_id", "ws_id") REFERENCES "upstreams" ("id", "ws_id") ON DELETE CASCADE,
  CONSTRAINT "targets_ws_id_fkey" FOREIGN KEY ("ws_id") REFERENCES "workspaces" ("id") ON DELETE RESTRICT
);
CREATE INDEX IF NOT EXISTS "targets_upstream_id_idx" ON "targets" ("upstream_id", "id");
CREATE INDEX IF NOT EXISTS "targets_tags_idx" ON "targets" USING GIN ("tags");

DO $$
BEGIN
  ALTER TABLE "services" ADD CONSTRAINT "services_client_certificate_id_fkey" FOREIGN KEY ("client_certificate_id", "ws_id") REFERENCES "certificates" ("id", "ws_id") ON DELETE RESTRICT;
EXCEPTION WHEN duplicate_object THEN
  NULL;
END $$;
CREATE INDEX IF NOT EXISTS "services_client_certificate_id_idx" ON "services" ("client_certificate_id", "id");
CREATE UNIQUE INDEX IF NOT EXISTS "targets_target_key" ON "targets" ("upstream_id", "target");
"""

CASSANDRA = """
CREATE TABLE IF NOT EXISTS "certificates" (
  "id" uuid,
  "created_at" timestamp,
  "cert" text,
  "key" text,
  "cert_alt" text,
  "key_alt" text,
  "tags" list<text>,
  "ws_id" uuid,
  "kongdao_version" uuid,
  "kongdao_live" boolean,
  "kongdao_empty" set<text>,
  PRIMARY KEY ("id")
);
CREATE TABLE IF NOT EXISTS "certificates_by_ws" ("ws_id" uuid, "id" uuid, PRIMARY KEY ("ws_id", "id"));
CREATE TABLE IF NOT EXISTS "certificates_by_tag" ("tag" text, "id" uuid, PRIMARY KEY ("tag", "id"));

CREATE TABLE IF NOT EXISTS "ca_certificates" (
  "id" uuid,
  "created_at" timestamp,
  "cert" text,
  "cert_digest" text,
  "tags" list<text>,
  "kongdao_version" uuid,
  "kongdao_live" boolean,
  "kongdao_empty" set<text>,
  PRIMARY KEY ("id")
);
CREATE TABLE IF NOT EXISTS "ca_certificates_by_cert_digest" ("value" text PRIMARY KEY, "id" uuid);
CREATE TABLE IF NOT EXISTS "ca_certificates_by_tag" ("tag" text, "id" uuid, PRIMARY KEY ("tag", "id"));

CREATE TABLE IF NOT EXISTS "snis" (
  "id" uuid,
  "name" text,
  "created_at" timestamp,
  "tags" list<text>,
  "certificate_id" uuid,
  "ws_id" uuid,
  "kongdao_version" uuid,
  "kongdao_live" boolean,
  "kongdao_empty" set<text>,
  PRIMARY KEY ("id")
);
CREATE TABLE IF NOT EXISTS "snis_by_name" ("value" text PRIMARY KEY, "id" uuid);
CREATE TABLE IF NOT EXISTS "snis_by_certificate" ("certificate_id" uuid, "id" uuid, PRIMARY KEY ("certificate_id", "id"));
CREATE TABLE IF NOT EXISTS "snis_by_ws" ("ws_id" uuid, "id" uuid, PRIMARY KEY ("ws_id", "id"));
CREATE TABLE IF NOT EXISTS "snis_by_tag" ("tag" text, "id" uuid, PRIMARY KEY ("tag", "id"));

CREATE TABLE IF NOT EXISTS "upstreams" (
  "id" uuid,
  "created_at" timestamp,
  "name" text,
  "algorithm" text,
  "hash_on" text,
  "hash_fallback" text,
  "hash_on_header" text,
  "hash_fallback_header" text,
  "hash_on_cookie" text,
  "hash_on_cookie_path" text,
  "slots" bigint,
  "healthchecks" text,
  "tags" list<text>,
  "host_header" text,
  "client_certificate_id" uuid,
  "ws_id" uuid,
  "kongdao_version" uuid,
  "kongdao_live" boolean,
  "kongdao_empty" set<text>,
  PRIMARY KEY ("id")
);
CREATE TABLE IF NOT EXISTS "upstreams_by_name" ("value" text PRIMARY KEY, "id" uuid);
CREATE TABLE IF NOT EXISTS "upstreams_by_client_certificate" ("client_certificate_id" uuid, "id" uuid, PRIMARY KEY ("client_certificate_id", "id"));
CREATE TABLE IF NOT EXISTS "upstreams_by_ws" ("ws_id" uuid, "id" uuid, PRIMARY KEY ("ws_id", "id"));
CREATE TABLE IF NOT EXISTS "upstreams_by_tag" ("tag" text, "id" uuid, PRIMARY KEY ("tag", "id"));

CREATE TABLE IF NOT EXISTS "targets" (
  "id" uuid,
  "created_at" timestamp,
  "upstream_id" uuid,
  "target" text,
  "weight" bigint,
  "tags" list<text>,
  "ws_id" uuid,
  "kongdao_version" uuid,
  "kongdao_live" boolean,
  "kongdao_empty" set<text>,
  PRIMARY KEY ("id")
);
CREATE TABLE IF NOT EXISTS "targets_by_upstream" ("upstream_id" uuid, "id" uuid, PRIMARY KEY ("upstream_id", "id"));
CREATE TABLE IF NOT EXISTS "targets_by_ws" ("ws_id" uuid, "id" uuid, PRIMARY KEY ("ws_id", "id"));
CREATE TABLE IF NOT EXISTS "targets_by_tag" ("tag" text, "id" uuid, PRIMARY KEY ("tag", "id"));
"""

MIGRATION = Migration(
    name="001_certificates_upstreams", postgres=Step(up=POSTGRES), cassandra=Step(up=CASSANDRA)
)
