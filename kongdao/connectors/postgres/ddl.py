"""DDL for an entity's table, following the layout of :mod:`.strategy`.

Migrations are data: the core migrations hold the SQL this module printed when they were
written, so later schema changes never rewrite history. Plugin authors can call
:func:`create_table_sql` to write their own first migration.
"""

from __future__ import annotations

from collections.abc import Mapping

from kongdao.connectors.postgres.strategy import column_type, quote_ident
from kongdao.schema.entity import EntitySchema

__all__ = ["create_table_sql"]


def create_table_sql(schema: EntitySchema, schemas: Mapping[str, EntitySchema]) -> str:
    """Idempotent ``CREATE TABLE`` / ``CREATE INDEX`` statements for one entity.

    Tables are unqualified: the migration runner sets ``search_path`` to the configured schema.
    Foreign keys to entities missing from ``schemas`` get a column but no constraint.

    Workspaceable entities (as Kong's ``009_200_to_210`` makes them): a ``ws_id`` column
    referencing ``workspaces``, unique fields unique per ``(ws_id, field)`` except those
    ``unique_across_ws``, a ``UNIQUE (id, ws_id)`` that foreign keys of other workspaceable
    entities reference together with their own ``ws_id``, so a reference never crosses
    workspaces.
    """
    name = schema.name or ""
    t = quote_ident(name)
    ws = schema.workspaceable
    cols: list[str] = []
    extra: list[str] = []
    for fname, f in schema.fields:
        if f.type == "foreign":
            ref = schemas.get(f.reference or "")
            pk = ref.primary_key[0] if ref is not None else "id"
            pk_field = ref.field_map[pk] if ref is not None else None
            col = f"{fname}_{pk}"
            cols.append(f"{quote_ident(col)} {column_type(f, pk_field)}")
            if ref is not None:
                on_delete = {"cascade": "CASCADE", "null": "SET NULL"}.get(
                    f.on_delete or "restrict", "RESTRICT"
                )
                local, remote = quote_ident(col), quote_ident(pk)
                if ws and ref.workspaceable:
                    local, remote = f'{local}, "ws_id"', f'{remote}, "ws_id"'
                    if on_delete == "SET NULL":
                        on_delete = f"SET NULL ({quote_ident(col)})"
                extra.append(
                    f"CONSTRAINT {quote_ident(f'{name}_{col}_fkey')} FOREIGN KEY "
                    f"({local}) REFERENCES {quote_ident(ref.name or '')} "
                    f"({remote}) ON DELETE {on_delete}"
                )
        else:
            col = fname
            cols.append(f"{quote_ident(col)} {column_type(f)}")
        if f.unique:
            key = quote_ident(col)
            if ws and not f.unique_across_ws:
                key = f'"ws_id", {key}'
            extra.append(f"CONSTRAINT {quote_ident(f'{name}_{col}_key')} UNIQUE ({key})")
    if schema.composite_cache_key:
        cols.append('"cache_key" TEXT')
        extra.append(f'CONSTRAINT {quote_ident(f"{name}_cache_key_key")} UNIQUE ("cache_key")')
    if ws:
        cols.append('"ws_id" UUID')
        extra.append(
            f'CONSTRAINT {quote_ident(f"{name}_ws_id_fkey")} FOREIGN KEY ("ws_id") '
            'REFERENCES "workspaces" ("id") ON DELETE RESTRICT'
        )
    if schema.ttl:
        cols.append('"ttl" TIMESTAMP WITH TIME ZONE')
    pk_names = [
        f"{k}_id" if schema.field_map[k].type == "foreign" else k for k in schema.primary_key
    ]
    pk_cols = ", ".join(quote_ident(k) for k in pk_names)
    if ws:
        extra.insert(
            0, f'CONSTRAINT {quote_ident(f"{name}_id_ws_id_key")} UNIQUE ({pk_cols}, "ws_id")'
        )
    body = ",\n  ".join(
        [*cols, f"CONSTRAINT {quote_ident(f'{name}_pkey')} PRIMARY KEY ({pk_cols})", *extra]
    )
    out = [f"CREATE TABLE IF NOT EXISTS {t} (\n  {body}\n);"]
    for fname, f in schema.fields:
        if f.type == "foreign":
            ref = schemas.get(f.reference or "")
            pk = ref.primary_key[0] if ref is not None else "id"
            col = f"{fname}_{pk}"
            idx = quote_ident(f"{name}_{col}_idx")
            out.append(f"CREATE INDEX IF NOT EXISTS {idx} ON {t} ({quote_ident(col)}, {pk_cols});")
    if "tags" in schema.field_map and schema.field_map["tags"].type in ("set", "array"):
        idx = quote_ident(f"{name}_tags_idx")
        out.append(f'CREATE INDEX IF NOT EXISTS {idx} ON {t} USING GIN ("tags");')
    if schema.ttl:
        out.append(f'CREATE INDEX IF NOT EXISTS {quote_ident(f"{name}_ttl_idx")} ON {t} ("ttl");')
    return "\n".join(out)
