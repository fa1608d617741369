"""The ``tags`` entity on Cassandra: a read-only view over every ``<entity>_by_tag`` table.

Kong keeps one ``tags`` table written in a batch with every tagged entity. kongdao already
writes ``<entity>_by_tag (tag, id)`` rows for tag filters (see :mod:`.strategy`), so ``db.tags``
reads those:

* ``page_by_tag(tag)`` reads the ``tag`` partition of each tagged entity's table in turn;
* ``page()`` scans each tagged entity's table in turn (every node, every row: an admin listing,
  not a hot path);
* ``count()`` pages through all of them.

Offsets carry the index of the table being read with its paging state (see :mod:`.offsets`).
Pairs are listed as stored, without reading the entities back (a pair whose entity was
deleted by a crashed writer can show up until it is cleaned up).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from kongdao.connector import Page, Row
from kongdao.connectors.cassandra.model import EntityModel

if TYPE_CHECKING:
    from kongdao.connectors.cassandra.connector import CassandraConnector
    from kongdao.connectors.cassandra.statement import Stmt
    from kongdao.schema.entity import EntitySchema

__all__ = ["CassandraTagsStrategy"]

_COUNT_PAGE = 5000


class CassandraTagsStrategy:
    """Reads of the ``tags`` entity (writes are refused by the tags DAO)."""

    def __init__(
        self,
        connector: CassandraConnector,
        schema: EntitySchema,
        schemas: Mapping[str, EntitySchema],
    ) -> None:
        self.connector = connector
        self.schema = schema
        # (entity name, every pair, the pairs of one tag), in a fixed order
        self.tables: list[tuple[str, Stmt, Stmt]] = []
        for other in sorted(schemas.values(), key=lambda s: s.name or ""):
            if other is schema or "tags" not in other.field_map or other.primary_key != ("id",):
                continue
            try:
                model = EntityModel(other, schemas)
            except ValueError:
                continue
            if model.tag_table is None:
                continue
            table, pk = connector.table(model.tag_table), model.pk.quoted
            self.tables.append(
                (
                    model.name,
                    connector.read(f'SELECT "tag", {pk} FROM {table}'),
                    connector.read(f'SELECT {pk} FROM {table} WHERE "tag" = ?'),
                )
            )
        ks = connector.settings.keyspace
        self._page_key = connector.offsets.key(ks, "tags", "page")
        self._by_tag_key = connector.offsets.key(ks, "tags", "page_by_tag")

    def _decode(self, offset: str | None, key: bytes, partition: bytes) -> tuple[int, bytes | None]:
        if offset is None:
            return 0, None
        raw = self.connector.offsets.decode(offset, key, partition, prefix=1)
        return raw[0], raw[1:] or None

    async def _pages(
        self,
        size: int,
        offset: str | None,
        key: bytes,
        partition: bytes,
        tag: str | None,
    ) -> Page:
        index, state = self._decode(offset, key, partition)
        rows: list[Row] = []
        while index < len(self.tables) and len(rows) < size:
            name, every, one_tag = self.tables[index]
            if tag is None:
                result = await every.run(
                    None, page_size=size - len(rows), page_state=state, offset=offset
                )
                rows.extend(
                    {"tag": t, "entity_name": name, "entity_id": i}
                    for t, i in (r.as_list() for r in result)
                )
            else:
                result = await one_tag.run(
                    [tag], page_size=size - len(rows), page_state=state, offset=offset
                )
                rows.extend(
                    {"tag": tag, "entity_name": name, "entity_id": r.as_list()[0]} for r in result
                )
            if result.has_more_pages():
                state = result.page_state()
                # The paging state of this table, prefixed with the table's index.
                raw = bytes((index,)) + state
                return rows, self.connector.offsets.encode(key, raw, partition)
            index, state = index + 1, None
        if index < len(self.tables):
            return rows, self.connector.offsets.encode(key, bytes((index,)), partition)
        return rows, None

    async def page(
        self,
        size: int,
        offset: str | None,
        *,
        tags: Sequence[str] | None = None,
        tags_cond: str = "and",
        ws: str | None = None,
    ) -> Page:
        """Every (tag, entity) pair, entity by entity, in token order within one entity."""
        return await self._pages(size, offset, self._page_key, b"", None)

    async def page_by_tag(self, tag: str, size: int, offset: str | None) -> Page:
        """The entities carrying ``tag``, entity by entity."""
        return await self._pages(size, offset, self._by_tag_key, tag.encode(), tag)

    async def truncate(self) -> None:
        """Nothing to do: tag rows belong to the tagged entities' tables."""

    async def count(self, *, ws: str | None = None) -> int:
        """The number of (tag, entity) pairs: pages through every tag table (costly)."""
        n = 0
        for _, every, _ in self.tables:
            state: Any = None
            while True:
                result = await every.run(None, page_size=_COUNT_PAGE, page_state=state)
                n += sum(1 for _ in result)
                if not result.has_more_pages():
                    break
                state = result.page_state()
        return n
