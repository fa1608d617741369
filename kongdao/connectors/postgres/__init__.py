"""The PostgreSQL connector, on asyncpg (``pip install kongdao[postgres]``)."""

from __future__ import annotations

from typing import Any

try:
    import asyncpg  # noqa: F401
except ImportError as exc:  # pragma: no cover - depends on the installation
    raise ImportError(
        "the PostgreSQL connector needs asyncpg: pip install 'kongdao[postgres]'"
    ) from exc

from kongdao.connectors.postgres.connector import CAPABILITIES, PostgresConnector, PostgresSettings

__all__ = ["CAPABILITIES", "PostgresConnector", "PostgresSettings", "from_dsn"]


def from_dsn(dsn: str | None = None, **settings: Any) -> PostgresConnector:
    """A (not yet connected) connector from a DSN, the environment and keyword settings."""
    return PostgresConnector(PostgresSettings.from_dsn(dsn, **settings))
