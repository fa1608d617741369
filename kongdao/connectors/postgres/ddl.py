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
    """
    name = schema.name or ""
    t = quote_ident(name)
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
                extra.append(
                    f"CONSTRAINT {quote_ident(f'{name}_{col}_fkey')} FOREIGN KEY "
                    f"({quote_ident(col)}) REFERENCES {quote_ident(ref.name or '')} "
                    f"({quote_ident(pk)}) ON DELETE {on_delete}"
                )
        else:
            col = fname
            cols.append(f"{quote_ident(col)} {column_type(f)}")
        if f.unique:
            extra.append(
                f"CONSTRAINT {quote_ident(f'{name}_{col}_key')} UNIQUE ({quote_ident(col)})"
            )
    if schema.composite_cache_key:
        cols.append('"cache_key" TEXT')
        extra.append(f'CONSTRAINT {quote_ident(f"{name}_cache_key_key")} UNIQUE ("cache_key")')
    if schema.ttl:
        cols.append('"ttl" TIMESTAMP WITH TIME ZONE')
    pk_cols = ", ".join(
        quote_ident(f"{k}_id" if schema.field_map[k].type == "foreign" else k)
        for k in schema.primary_key
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
