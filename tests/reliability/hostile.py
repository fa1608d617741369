"""Hostile input for the fuzz tests: strategies, outcome checks and raw table snapshots."""

from __future__ import annotations

import math
import uuid
from typing import Any

from hypothesis import strategies as st

from kongdao import errors
from kongdao.legacy.errors import LegacyError

# Strings aimed at SQL and CQL: quoting, comments, statement separators, placeholders, keywords.
INJECTIONS = [
    "'",
    '"',
    "';--",
    "' OR '1'='1",
    '" OR ""="',
    "'); DROP TABLE services; --",
    "1; DROP TABLE services",
    "x'); TRUNCATE services; --",
    "' ALLOW FILTERING; --",
    "'; DROP KEYSPACE kong; --",
    "') IF NOT EXISTS; --",
    "IF EXISTS",
    "$1",
    "$$ SELECT 1 $$",
    "?",
    "%s",
    "%(name)s",
    ":name",
    "{}",
    "\\",
    "\\'",
    "/* comment */",
    "-- comment",
    "E'\\x00'",
    "U&'\\0000'",
    "' UNION SELECT password FROM pg_shadow --",
    "${jndi:ldap://example.com/a}",
    "services\x00",
    "id = id",
    "\u2028\u2029",
    "💥🐉",
    "\ufeff",
]

HUGE = ["x" * 70_000, "é" * 40_000, "/" + "a" * 70_000]
"""Longer than a Cassandra key (65,535 bytes) and a PostgreSQL index row (about 2,700)."""

BAD_UTF8 = ["\ud800", "a\udc80b", "\udfff\ud800", "\x00", "a\x00b"]
"""Lone surrogates (no UTF-8 encoding exists) and NUL characters."""

hostile_strings = (
    st.sampled_from(INJECTIONS)
    | st.sampled_from(HUGE)
    | st.sampled_from(BAD_UTF8)
    | st.text(max_size=40)
    | st.builds(lambda a, b: a + b, st.sampled_from(INJECTIONS), st.text(max_size=10))
)


def _deep(depth: int, leaf: Any) -> Any:
    value = leaf
    for i in range(depth):
        value = {"a": value} if i % 2 else [value]
    return value


deep_values = st.builds(_deep, st.integers(min_value=60, max_value=3_000), st.just("x"))

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**80), max_value=2**80)
    | st.sampled_from([0, -1, 2**63, -(2**63) - 1, 2**64, 10**40])
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.binary(max_size=8)
    | hostile_strings
    | st.sampled_from([object(), {1, 2}, b"\xff\xfe", bytearray(b"x"), math.pi, uuid.uuid4()])
)

hostile_values = (
    st.recursive(
        scalars,
        lambda children: (
            st.lists(children, max_size=3)
            | st.dictionaries(hostile_strings, children, max_size=3)
            | st.tuples(children)
        ),
        max_leaves=8,
    )
    | deep_values
)

sizes = st.sampled_from([0, -1, -(2**63), 2**63, 10**30, 50_001, 1.5, math.nan, math.inf]) | (
    st.integers(min_value=-(2**70), max_value=2**70) | st.text(max_size=3) | st.none()
)
ttls = st.sampled_from([-1, 0, 1, 100_000_001, 2**63, 10**40, 1.5, math.inf, math.nan, "5", True])
workspaces = st.none() | hostile_strings | st.sampled_from([5, b"default", ["default"], {}])


def field_names(known: list[str]) -> st.SearchStrategy[str]:
    """Field names: the entity's own, and hostile ones (injection strings, unicode)."""
    return st.sampled_from(known) | hostile_strings


# -- outcomes --------------------------------------------------------------------------------


def accepted_failure(
    exc: BaseException, *, attribute_ok: bool = False, legacy: bool = False
) -> bool:
    """Whether ``exc`` is an outcome the DAO contract allows for bad input.

    A kongdao error (or a legacy 0.13 error), or a :class:`TypeError` whose message says what is
    wrong. ``attribute_ok``: an :class:`AttributeError` naming the field, for the generic
    ``select_by(field, ...)`` / ``page_for(field, ...)`` given a field the entity does not have
    (the same error as ``dao.select_by_<field>``: that method does not exist). ``legacy``: the
    0.13 API's own argument errors, Lua's ``error()`` as :class:`ValueError`
    (``bad argument #1 to 'update' (expected table to not be empty)``,
    ``Missing PRIMARY KEY field``).
    """
    if isinstance(exc, errors.KongDAOError | LegacyError):
        return bool(str(exc))
    if type(exc) is TypeError:
        return bool(str(exc))
    if attribute_ok and type(exc) is AttributeError:
        return "has no" in str(exc)
    if legacy and type(exc) is ValueError:
        text = str(exc)
        return text.startswith("bad argument #") or text == "Missing PRIMARY KEY field"
    return False


# -- raw table snapshots -------------------------------------------------------------------------

_SKIP_TABLES = frozenset(("schema_meta", "locks", "kongdao_locks"))


def _of(table: str, entities: tuple[str, ...] | None) -> bool:
    if table in _SKIP_TABLES:
        return False
    if entities is None:
        return True
    return any(table == e or table.startswith(f"{e}_by_") for e in entities)


async def raw_snapshot(db: Any, entities: tuple[str, ...] | None = None) -> dict[str, list[Any]]:
    """Every row of the tables of ``entities`` (default: every kongdao table), as stored.

    Lookup and index tables included (``services_by_name``...): for "a rejected call changed
    nothing", the DAO's view would miss a claim or an index row left behind on Cassandra.
    """
    connector = db.connector
    out: dict[str, list[Any]] = {}
    if connector.name == "postgres":
        async with connector.pool.acquire() as conn:
            tables = await conn.fetch(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
            )
            for (table,) in tables:
                if not _of(table, entities):
                    continue
                rows = await conn.fetch(f'SELECT * FROM "{table}"')
                out[table] = sorted(repr(tuple(r)) for r in rows)
        return out
    if connector.name == "cassandra":
        keyspace = connector.settings.keyspace
        if connector.server_version >= (3,):
            query = "SELECT table_name FROM system_schema.tables WHERE keyspace_name = '%s'"
        else:
            query = (
                "SELECT columnfamily_name FROM system.schema_columnfamilies "
                "WHERE keyspace_name = '%s'"
            )
        result = await connector.execute_simple(query % keyspace)
        for row in result:
            table = row.as_list()[0]
            if not _of(table, entities):
                continue
            rows = await connector.execute_simple(f"SELECT * FROM {connector.table(table)}")
            # the version column is random per write, but a rejected call must not write at all
            out[table] = sorted(repr(r.as_list()) for r in rows)
        return out
    raise NotImplementedError(connector.name)


def diff(before: dict[str, list[Any]], after: dict[str, list[Any]]) -> dict[str, Any]:
    """The tables whose rows differ, with what was added and removed (for assertion messages)."""
    out = {}
    for table in sorted(set(before) | set(after)):
        b, a = set(before.get(table, [])), set(after.get(table, []))
        if a != b:
            out[table] = {"added": sorted(a - b)[:3], "removed": sorted(b - a)[:3]}
    return out
