"""The DAO of the read-only ``tags`` entity (Kong's ``kong/db/dao/tags.lua``)."""

from __future__ import annotations

from typing import Any, NoReturn

from kongdao import errors
from kongdao.dao.base import DAO
from kongdao.entities import Tag

__all__ = ["TagsDAO"]


class TagsDAO(DAO[Tag]):
    """``db.tags``: page through every (tag, entity) pair, or the entities of one tag.

    Writes fail with Kong's schema violation ``tags: does not support
    insert/upsert/update/delete operations``.
    """

    async def page_by_tag(
        self, tag: str, size: int | None = None, offset: str | None = None
    ) -> tuple[list[Tag], str | None]:
        """The entities carrying ``tag``: ``Tag(tag, entity_name, entity_id)`` items.

        Raises:
            InvalidUnique: ``tag`` is not a valid tag.
        """
        err = self.schema.validate_field(self.schema.field_map["tag"], tag)
        if err is not None:
            raise self._err(errors.invalid_unique("tag", str(err)))
        size = self._check_options(size=size, offset=offset, check_size=True)
        rows, next_offset = await self.strategy.page_by_tag(tag, size, offset)  # type: ignore[attr-defined]
        return [self.row_to_entity(r) for r in rows], next_offset

    def _refuse(self) -> NoReturn:
        raise self._err(
            errors.schema_violation(
                {"tags": "does not support insert/upsert/update/delete operations"}
            )
        )

    async def insert(self, *args: Any, **kwargs: Any) -> Tag:
        """Refused: tags are maintained with the tagged entities."""
        self._refuse()

    async def update(self, *args: Any, **kwargs: Any) -> Tag:
        """Refused: tags are maintained with the tagged entities."""
        self._refuse()

    async def upsert(self, *args: Any, **kwargs: Any) -> Tag:
        """Refused: tags are maintained with the tagged entities."""
        self._refuse()

    async def delete(self, *args: Any, **kwargs: Any) -> Tag | None:
        """Refused: tags are maintained with the tagged entities."""
        self._refuse()
