"""The ``tags`` entity on PostgreSQL: a read-only view over every tagged table.

Kong keeps a ``tags`` table in step with triggers on every tagged table, which costs one more
write per insert, update and delete. kongdao reads the tags where they live instead: ``page``
unnests the ``tags`` column of every tagged table (``UNION ALL``), and ``page_by_tag`` uses each
table's GIN index. Writes cost nothing extra; the price is that a full ``page`` sorts every tag of
every entity (fine for an admin listing, not for a hot path).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from kongdao import errors
from kongdao.connector import Page, Row
from kongdao.connectors.postgres.errors import database_error
from kongdao.connectors.postgres.strategy import decode_offset, encode_offset, quote_ident
from kongdao.schema.fields import Field

if TYPE_CHECKING:
    from kongdao.connectors.postgres.connector import PostgresConnector
    from kongdao.schema.entity import EntitySchema

__all__ = ["PostgresTagsStrategy"]

_OFFSET_FIELDS = (Field(type="string"), Field(type="integer"))
_BY_TAG_FIELDS = (Field(type="string"),)


class PostgresTagsStrategy:
    """Reads of the ``tags`` entity (writes are refused by the tags DAO)."""

    def __init__(
        self,
        connector: PostgresConnector,
        schema: EntitySchema,
        schemas: Mapping[str, EntitySchema],
    ) -> None:
        self.connector = connector
        self.schema = schema
        pg_schema = quote_ident(connector.settings.schema)
        parts_all: list[str] = []
        parts_tag: list[str] = []
        for other in schemas.values():
            if other is schema or "tags" not in other.field_map or other.primary_key != ("id",):
                continue
            table = f"{pg_schema}.{quote_ident(other.name or '')}"
            name = (other.name or "").replace("'", "''")
            alive = ' AND ("ttl" IS NULL OR "ttl" >= CURRENT_TIMESTAMP)' if other.ttl else ""
            parts_all.append(
                f"SELECT \"id\"::TEXT AS entity_id, '{name}' AS entity_name, t.tag, t.ord "
                f'FROM {table}, UNNEST("tags") WITH ORDINALITY AS t(tag, ord) '
                f"WHERE TRUE{alive}"
            )
            parts_tag.append(
                f"SELECT \"id\"::TEXT AS entity_id, '{name}' AS entity_name FROM {table} "
                f'WHERE "tags" @> ARRAY[$1::TEXT]{alive}'
            )
        empty_all = "SELECT NULL::TEXT, NULL::TEXT, NULL::TEXT, NULL::BIGINT WHERE FALSE"
        empty_tag = "SELECT NULL::TEXT, NULL::TEXT WHERE FALSE"
        union_all = " UNION ALL ".join(parts_all) or empty_all
        union_tag = " UNION ALL ".join(parts_tag) or empty_tag
        self.page_first = (
            f"SELECT entity_id, entity_name, tag, ord FROM ({union_all}) x "
            f"ORDER BY entity_id, ord LIMIT $1"
        )
        self.page_next = (
            f"SELECT entity_id, entity_name, tag, ord FROM ({union_all}) x "
            f"WHERE (entity_id, ord) > ($1, $2) ORDER BY entity_id, ord LIMIT $3"
        )
        self.count_sql = f"SELECT count(*) FROM ({union_all}) x"
        self.by_tag_first = (
            f"SELECT entity_id, entity_name FROM ({union_tag}) x ORDER BY entity_id LIMIT $2"
        )
        self.by_tag_next = (
            f"SELECT entity_id, entity_name FROM ({union_tag}) x "
            f"WHERE entity_id > $2 ORDER BY entity_id LIMIT $3"
        )

    async def _fetch(self, sql: str, *args: Any) -> list[Any]:
        try:
            return list(await self.connector.reads.fetch(sql, *args))
        except Exception as exc:
            if isinstance(exc, errors.KongDAOError):
                raise
            raise database_error(exc) from exc

    async def page(
        self,
        size: int,
        offset: str | None,
        *,
        tags: Sequence[str] | None = None,
        tags_cond: str = "and",
        ws: str | None = None,
    ) -> Page:
        """Every (tag, entity) pair, ordered by entity id then tag position."""
        if offset is None:
            records = await self._fetch(self.page_first, size + 1)
        else:
            entity_id, ordinality = decode_offset(offset, _OFFSET_FIELDS)
            records = await self._fetch(self.page_next, entity_id, ordinality, size + 1)
        rows: list[Row] = [
            {"tag": r["tag"], "entity_name": r["entity_name"], "entity_id": r["entity_id"]}
            for r in records[:size]
        ]
        next_offset = None
        if len(records) > size:
            last = records[size - 1]
            next_offset = encode_offset([last["entity_id"], last["ord"]])
        return rows, next_offset

    async def page_by_tag(self, tag: str, size: int, offset: str | None) -> Page:
        """The entities carrying ``tag``, ordered by entity id."""
        if offset is None:
            records = await self._fetch(self.by_tag_first, tag, size + 1)
        else:
            (after,) = decode_offset(offset, _BY_TAG_FIELDS)
            records = await self._fetch(self.by_tag_next, tag, after, size + 1)
        rows: list[Row] = [
            {"tag": tag, "entity_name": r["entity_name"], "entity_id": r["entity_id"]}
            for r in records[:size]
        ]
        next_offset = None
        if len(records) > size:
            next_offset = encode_offset([records[size - 1]["entity_id"]])
        return rows, next_offset

    async def truncate(self) -> None:
        """Nothing to do: tags live in the tagged tables."""

    async def count(self, *, ws: str | None = None) -> int:
        """The number of (tag, entity) pairs."""
        records = await self._fetch(self.count_sql)
        return int(records[0][0])
