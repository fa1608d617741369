"""An optional module-level door for Kong 0.13-era plugin code: ``singletons.db`` / ``.dao``.

Kong 0.13 plugins reached the datastore through a module of globals
(``local singletons = require "kong.singletons"; singletons.dao.plugins:find_all(...)``).
Ported code that expects such a module can keep that shape::

    from kongdao import singletons

    singletons.init(db)                    # once, by the application, after connecting
    ...
    await singletons.db.services.select_by_name("mockbin")
    await singletons.dao.plugins.find_all({"name": "key-auth"})

This module is optional and nothing in kongdao reads it: kongdao passes its :class:`DB`
explicitly, and two DBs in one process just work. Prefer passing ``db`` to new code; use this
door only for code that cannot take it as an argument. It holds one DB per process, set by
:func:`init` and cleared by :func:`reset`; reading ``db`` or ``dao`` before :func:`init`
raises :class:`~kongdao.errors.InterfaceError`.

.. versionadded:: 0.1
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kongdao.errors import InterfaceError

if TYPE_CHECKING:
    from kongdao.db import DB
    from kongdao.legacy import LegacyFactory

__all__ = ["dao", "db", "init", "reset"]

db: DB
"""The application's DB (set by :func:`init`)."""

dao: LegacyFactory
"""``db.dao``: the legacy 0.13 DAO factory of the application's DB (set by :func:`init`)."""

_NAMES = ("db", "dao")


def init(database: DB) -> None:
    """Publish ``database`` as ``singletons.db`` and its legacy factory as ``singletons.dao``.

    Calling it again replaces both (tests, or a reconnect).

    Args:
        database: an open (or about to be opened) :class:`~kongdao.db.DB`.
    """
    from kongdao.db import DB

    if not isinstance(database, DB):
        raise TypeError(f"singletons.init() takes a kongdao DB, not {type(database).__name__}")
    globals().update(db=database, dao=database.dao)


def reset() -> None:
    """Forget the published DB (reading ``db`` / ``dao`` raises again)."""
    for name in _NAMES:
        globals().pop(name, None)


def __getattr__(name: str) -> Any:
    if name in _NAMES:
        raise InterfaceError(
            f"kongdao.singletons.{name} is not set: call kongdao.singletons.init(db) first"
        )
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
