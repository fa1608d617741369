"""Driver errors to kongdao errors, for PostgreSQL.

Constraint violations are recognised by SQLSTATE and constraint name (never by parsing message
text): kongdao's DDL names constraints ``<table>_pkey``, ``<table>_<column>_key`` and
``<table>_<column>_fkey``. Everything else the driver raises becomes
:class:`~kongdao.errors.DatabaseError` with the server's message. asyncpg exceptions never reach
users (``raise ... from exc`` keeps them as the cause for debugging).
"""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg

from kongdao import errors

__all__ = ["STRATEGY", "database_error", "is_connection_error"]

STRATEGY = "postgres"

_CONNECTION_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    asyncio.TimeoutError,
    asyncpg.InterfaceError,
    asyncpg.exceptions.ConnectionDoesNotExistError,
    asyncpg.exceptions.CannotConnectNowError,
    asyncpg.exceptions.AdminShutdownError,
    asyncpg.exceptions.CrashShutdownError,
    asyncpg.exceptions.TooManyConnectionsError,
    asyncpg.exceptions.QueryCanceledError,
)


def is_connection_error(exc: BaseException) -> bool:
    """Whether an exception means the server or the connection failed (not the statement)."""
    return isinstance(exc, _CONNECTION_ERRORS)


def database_error(exc: BaseException) -> errors.DatabaseError:
    """A :class:`~kongdao.errors.DatabaseError` describing a driver or network failure."""
    if isinstance(exc, asyncio.TimeoutError | TimeoutError):
        text = "timeout"
    elif isinstance(exc, asyncpg.PostgresError):
        text = exc.args[0] if exc.args else type(exc).__name__
    else:
        text = str(exc) or type(exc).__name__
    return errors.database_error(str(text), strategy=STRATEGY)


def constraint_of(exc: Any) -> str:
    """The violated constraint's name (empty when the server did not say)."""
    return str(getattr(exc, "constraint_name", "") or "")
