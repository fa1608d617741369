"""The generic async DAO (:class:`DAO`), one per entity, built by :class:`~kongdao.db.DB`."""

from kongdao.dao.base import DAO, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE

__all__ = ["DAO", "DEFAULT_PAGE_SIZE", "MAX_PAGE_SIZE"]
