"""The ``off`` connector: Kong's DB-less mode, in memory and read-only (no driver needed).

::

    from kongdao import declarative
    from kongdao.connectors.off import OffConnector
    from kongdao.db import DB

    config = declarative.parse(Path("kong.yml"), plugins=["key-auth"])
    db = await DB(OffConnector(config), plugins=["key-auth"]).open()
    await db.services.select_by_name("my-service")       # served from memory
    await db.services.insert({...})                      # OperationUnsupported (code 12)
    await db.connector.load(new_config)                  # swap the whole configuration

Reads give what the database connectors give for the same rows (primary-key order, the same
errors); writes raise Kong's OPERATION_UNSUPPORTED. See :meth:`OffConnector.load` for the rows
a configuration holds, :mod:`.strategy` for what each operation does and :mod:`.offsets` for
page offsets.
"""

from __future__ import annotations

import urllib.parse
from typing import Any

from kongdao.connectors.off.connector import CAPABILITIES, OffConnector

__all__ = ["CAPABILITIES", "OffConnector", "from_dsn"]


def from_dsn(
    dsn: str | None = "off://", declarative_config: Any = None, **settings: Any
) -> OffConnector:
    """A connector from ``off://`` (the DSN carries nothing else) and keyword settings.

    Args:
        dsn: ``off://`` (``None`` means the same).
        declarative_config: A configuration to load when the DB opens (see
            :class:`OffConnector`).
        **settings: :class:`OffConnector`'s keyword settings (``keep_snapshots``, ``clock``,
            ``subsystems``).

    Raises:
        ValueError: the DSN is not ``off://``.
        TypeError: an unknown setting.
    """
    if dsn is not None:
        parts = urllib.parse.urlsplit(dsn)
        if parts.scheme != "off" or parts.netloc or parts.path or parts.query or parts.fragment:
            raise ValueError(f"the off connector's DSN is off://, not {dsn!r}")
    return OffConnector(declarative_config, **settings)
