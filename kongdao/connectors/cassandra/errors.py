"""Driver errors to kongdao errors, for Cassandra (acsylla).

Every exception acsylla raises (its ``CassException`` hierarchy, and the ``ValueError`` /
``TypeError`` its binder raises for a value of the wrong type) is turned into a
:class:`~kongdao.errors.DatabaseError` carrying the driver's or the server's message, at the
boundary of each statement: acsylla exceptions never reach users (``raise ... from exc`` keeps
them as the cause for debugging). Unavailable replicas and timeouts are database errors too
(``Unavailable: Cannot achieve consistency level QUORUM``, ``Request timed out``).

The one error that is not a database error is the server's ``Invalid value for the paging
state``, which Kong maps to INVALID_OFFSET; :func:`is_paging_state_error` recognises it.

Messages never contain the password: the connector passes it to :func:`database_error`, which
masks it should a server or driver message ever echo it.
"""

from __future__ import annotations

from collections.abc import Iterable

from kongdao import errors

__all__ = [
    "PAGING_STATE_ERROR",
    "STRATEGY",
    "database_error",
    "is_paging_state_error",
    "redact",
]

STRATEGY = "cassandra"
"""The strategy name carried by every error this connector raises."""

PAGING_STATE_ERROR = "Invalid value for the paging state"
"""The server's message for a paging state it cannot decode (also used for offsets the
connector rejects itself before sending them)."""


def redact(text: str, secrets: Iterable[str | None] = ()) -> str:
    """``text`` with every non-empty secret replaced by ``***``."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text


def _message(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError):
        return "timeout"
    text = str(exc).strip()
    return text or type(exc).__name__


def database_error(
    exc: BaseException | str, *, secrets: Iterable[str | None] = ()
) -> errors.DatabaseError:
    """A :class:`~kongdao.errors.DatabaseError` describing a driver, network or server failure.

    Args:
        exc: The driver's exception, or a message.
        secrets: Values to mask in the message (the password).
    """
    text = exc if isinstance(exc, str) else _message(exc)
    return errors.database_error(redact(text, secrets), strategy=STRATEGY)


def is_paging_state_error(exc: BaseException) -> bool:
    """Whether the server refused a paging state (Kong maps this to INVALID_OFFSET)."""
    return PAGING_STATE_ERROR.lower() in str(exc).lower()
