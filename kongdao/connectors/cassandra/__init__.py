"""The Cassandra connector, on acsylla (``pip install 'kongdao[cassandra]'``).

Works with Apache Cassandra 2.1 to 5.x and ScyllaDB. The native protocol version is a setting
(default 4; Cassandra 2.1 and 2.2 need ``protocol_version=3``)::

    db = await kongdao.connect("cassandra://127.0.0.1:9042/kong?protocol_version=3")

How entities are stored, what is atomic and what is not: :mod:`.strategy` and :mod:`.model`.
"""

from __future__ import annotations

from typing import Any

try:
    import acsylla  # noqa: F401
except ImportError as exc:  # pragma: no cover - depends on the installation
    raise ImportError(
        "the Cassandra connector needs acsylla: pip install 'kongdao[cassandra]'"
    ) from exc

from kongdao.connectors.cassandra.connector import (
    CAPABILITIES,
    CassandraConnector,
    CassandraSettings,
)
from kongdao.connectors.cassandra.ddl import create_table_cql

__all__ = [
    "CAPABILITIES",
    "CassandraConnector",
    "CassandraSettings",
    "create_table_cql",
    "from_dsn",
]


def from_dsn(dsn: str | None = None, **settings: Any) -> CassandraConnector:
    """A (not yet connected) connector from a DSN, the environment and keyword settings.

    Raises:
        ValueError: a malformed DSN or an invalid setting.
        TypeError: an unknown setting.
    """
    return CassandraConnector(CassandraSettings.from_dsn(dsn, **settings))
