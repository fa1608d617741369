"""CQL for an entity's tables, following :mod:`.model`.

Migrations are data: the core migration holds the CQL this module printed when it was written,
so later changes here never rewrite history. Plugin authors call :func:`create_table_cql` to
write their own first migration; the testing plugin calls it for throwaway test entities.
"""

from __future__ import annotations

from collections.abc import Mapping

from kongdao.connectors.cassandra.model import (
    EMPTY_COLUMN,
    LIVE_COLUMN,
    VERSION_COLUMN,
    EntityModel,
    quote_ident,
)
from kongdao.schema.entity import EntitySchema

__all__ = ["create_table_cql"]


def create_table_cql(schema: EntitySchema, schemas: Mapping[str, EntitySchema]) -> str:
    """Idempotent ``CREATE TABLE IF NOT EXISTS`` statements for one entity, ``;``-separated.

    Tables are unqualified: migrations run in the configured keyspace.

    Raises:
        ValueError: the schema cannot be stored (see :class:`.model.EntityModel`).
    """
    model = EntityModel(schema, schemas)
    pk = model.pk
    cols = [f"  {c.quoted} {c.cql_type}" for c in model.columns]
    cols.append(f"  {quote_ident(VERSION_COLUMN)} uuid")
    cols.append(f"  {quote_ident(LIVE_COLUMN)} boolean")
    if model.list_columns:
        cols.append(f"  {quote_ident(EMPTY_COLUMN)} set<text>")
    if model.has_cache_key:
        cols.append('  "cache_key" text')
    cols.append(f"  PRIMARY KEY ({pk.quoted})")
    body = ",\n".join(cols)
    out = [f"CREATE TABLE IF NOT EXISTS {model.quoted} (\n{body}\n);"]
    out.extend(
        f'CREATE TABLE IF NOT EXISTS {lk.quoted} ("value" {lk.value_type} PRIMARY KEY, '
        f"{pk.quoted} {pk.cql_type});"
        for lk in model.lookups.values()
    )
    for ix in model.children.values():
        if ix.lookup is not None:
            continue
        key = quote_ident(ix.key)
        out.append(
            f"CREATE TABLE IF NOT EXISTS {ix.quoted} ({key} {ix.column.cql_type}, "
            f"{pk.quoted} {pk.cql_type}, PRIMARY KEY ({key}, {pk.quoted}));"
        )
    if model.tag_table is not None:
        out.append(
            f'CREATE TABLE IF NOT EXISTS {quote_ident(model.tag_table)} ("tag" text, '
            f'{pk.quoted} {pk.cql_type}, PRIMARY KEY ("tag", {pk.quoted}));'
        )
    return "\n".join(out)
