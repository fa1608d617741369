"""Where reads go when the database has read replicas: the primary, or a replica.

A connector with read replicas (PostgreSQL with ``ro_host``: see
:class:`~kongdao.connectors.postgres.connector.PostgresSettings`) serves plain reads (``select``,
``select_by_*``, ``page``, ``each``, ``page_for_*``, ``count``...) from the replica, and
everything else from the primary. "Everything else" is decided here, per task, by one context
variable:

* every DAO write method (``insert``, ``update``, ``upsert``, ``delete`` and their ``_by``
  forms, in every DAO class, also the ones plugins bring) runs with it set, so the reads a write
  depends on (update's read-before-write, foreign-key and uniqueness checks, the parent reads of
  the targets and certificates DAOs, cascades) see the primary's current state;
* ``db.use_primary()`` sets it for a block (read-your-writes for a whole request), and the
  ``primary=True`` option of each read method for one call;
* a connector transaction (``connector.transaction()``) sets it: its reads must see its writes.

Connectors without replicas ignore it. Like ``db.use_workspace()``, the variable is inherited by
tasks created inside a block.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
from collections.abc import Callable, Coroutine, Iterator
from typing import Any, Final, ParamSpec, TypeVar

__all__ = ["WRITE_METHODS", "on_primary", "reads_primary", "use_primary"]

_P = ParamSpec("_P")
_T = TypeVar("_T")

_PRIMARY: Final[contextvars.ContextVar[bool]] = contextvars.ContextVar(
    "kongdao_reads_primary", default=False
)

WRITE_METHODS: Final = (
    "insert",
    "update",
    "update_by",
    "upsert",
    "upsert_by",
    "delete",
    "delete_by",
)
"""The DAO methods that run on the primary, reads included (see :func:`on_primary`)."""


def reads_primary() -> bool:
    """Whether reads of the current task must go to the primary."""
    return _PRIMARY.get()


@contextlib.contextmanager
def use_primary() -> Iterator[None]:
    """Send the reads inside a ``with`` block to the primary (read-your-writes)."""
    token = _PRIMARY.set(True)
    try:
        yield
    finally:
        _PRIMARY.reset(token)


def on_primary(
    method: Callable[_P, Coroutine[Any, Any, _T]],
) -> Callable[_P, Coroutine[Any, Any, _T]]:
    """Wrap a coroutine function so that every read it makes goes to the primary."""
    if getattr(method, "__kongdao_on_primary__", False):
        return method

    @functools.wraps(method)
    async def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _T:
        if _PRIMARY.get():
            return await method(*args, **kwargs)
        token = _PRIMARY.set(True)
        try:
            return await method(*args, **kwargs)
        finally:
            _PRIMARY.reset(token)

    wrapper.__kongdao_on_primary__ = True  # type: ignore[attr-defined]
    return wrapper
