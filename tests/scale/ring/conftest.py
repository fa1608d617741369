"""The 3-node Cassandra ring of the scale tests: reaching it, killing and restarting its nodes.

The ring is started outside pytest (``make test-scale`` runs ``compose/cassandra/ring.sh up``)
and reached at ``KONGDAO_SCALE_RING_HOSTS`` (default ``127.0.1.1,127.0.1.2,127.0.1.3``, port
9042, native protocol ``KONGDAO_SCALE_RING_PROTOCOL_VERSION``, default 3 for Cassandra 2.1).
Node *N* of ring.sh is the *N*-th host. When the ring cannot be reached the tests fail under
CI (``CI=true``) and are skipped with the reason otherwise.

Fixtures:

* ``ring``: the :class:`Ring` (hosts, ``kill(n)``, ``start(n)``, ``stop(n)``); after each test
  every node it took down is started again, so tests do not depend on each other's order;
* ``ring_db``: a factory of DBs, each on a fresh bootstrapped keyspace (RF 3, QUORUM reads and
  writes unless overridden) that is dropped at the end of the test;
* ``figures``: measured lines, printed at the end of the run under "kongdao ring figures".
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import subprocess
import time
import urllib.parse
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import acsylla
import pytest

import kongdao
from kongdao.testing.postgres import listening

ROOT = Path(__file__).resolve().parents[3]
RING_SH = ROOT / "compose" / "cassandra" / "ring.sh"
PORT = 9042

_FIGURES: list[str] = []


def _hosts() -> list[str]:
    raw = os.environ.get("KONGDAO_SCALE_RING_HOSTS", "127.0.1.1,127.0.1.2,127.0.1.3")
    return [h.strip() for h in raw.split(",") if h.strip()]


class Ring:
    """The ring's nodes, driven through ring.sh (node ``n`` is ``hosts[n - 1]``)."""

    def __init__(self, hosts: list[str]) -> None:
        self.hosts = hosts
        self.down: set[int] = set()

    def host(self, n: int) -> str:
        return self.hosts[n - 1]

    def _sh(self, *args: str, timeout: float = 180) -> str:
        done = subprocess.run(
            ["bash", str(RING_SH), *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if done.returncode != 0:
            raise AssertionError(f"ring.sh {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
        return done.stdout

    async def kill(self, n: int) -> float:
        """SIGKILL node ``n`` (a crash); returns when the process is gone (seconds taken)."""
        started = time.monotonic()
        self.down.add(n)
        await asyncio.to_thread(self._sh, "kill", str(n))
        return time.monotonic() - started

    async def stop(self, n: int) -> None:
        self.down.add(n)
        await asyncio.to_thread(self._sh, "stop", str(n))

    async def start(self, n: int) -> float:
        """Start node ``n`` with its data; returns once it listens for CQL (seconds taken)."""
        started = time.monotonic()
        await asyncio.to_thread(self._sh, "start", str(n))
        self.down.discard(n)
        took = time.monotonic() - started
        await self.settle()
        await self.exercise_schema()
        return took

    @contextlib.asynccontextmanager
    async def session(self) -> AsyncIterator[Any]:
        """A driver session on the ring (statements pinned to a node with ``set_host``)."""
        cluster = acsylla.create_cluster(
            self.hosts, protocol_version=3, use_beta_protocol_version=None, log_level="error"
        )
        session = await cluster.create_session()
        try:
            yield session
        finally:
            await session.close()
            cluster.destroy()

    async def schema_versions(self) -> dict[str, str | None]:
        """Each node's own schema version (its system.local), ``None`` if it does not answer."""
        out: dict[str, str | None] = {}
        async with self.session() as session:
            for host in self.hosts:
                statement = acsylla.create_statement(
                    "SELECT schema_version FROM system.local", timeout=2
                )
                statement.set_host(host, PORT)
                try:
                    row = (await session.execute(statement)).first()
                    out[host] = None if row is None else str(row.as_list()[0])
                except Exception:
                    out[host] = None
        return out

    async def settle(self, limit: float = 120) -> float:
        """Wait until every node answers with one schema version (seconds waited).

        A restarted Cassandra 2.1 node pulls the schema changes it missed from its peers, but
        its first pull can fail while it still sees them down ("Can't send migration request"),
        and the retry comes up to 60 s later: the next test's DDL must not start before.
        """
        started = time.monotonic()
        while True:
            versions = await self.schema_versions()
            if None not in versions.values() and len(set(versions.values())) == 1:
                return time.monotonic() - started
            if time.monotonic() - started > limit:
                raise AssertionError(f"the ring did not settle in {limit:g} s: {versions}")
            await asyncio.sleep(0.5)

    async def wait_marked_down(self, n: int, table: str, limit: float = 90) -> float:
        """Wait until every other node treats node ``n`` as down (seconds waited).

        A SIGKILLed node stays up in its peers' gossip until their failure detectors convict
        it, some seconds later. Until then a coordinator may still pick it to send a read's
        data and wait out the server's read timeout, twice with the driver's retry: the
        read fails ("Read timeout ... received only 2 responses"). The probe is a read at ALL
        of ``table`` (qualified, in a keyspace of RF 3: every node holds every row), which
        a node that knows ``n`` is down refuses at once as Unavailable (which the driver's
        retry policy sends on to the next host, and a statement pinned to one host has none:
        No hosts available). A node stopped cleanly tells its peers at once; a crashed one is
        convicted by their failure detectors, here 20-25 s after the kill.
        """
        started = time.monotonic()
        pending = [h for i, h in enumerate(self.hosts, 1) if i != n and i not in self.down]
        async with self.session() as session:
            while pending:
                for host in list(pending):
                    statement = acsylla.create_statement(
                        f"SELECT * FROM {table} LIMIT 1",
                        consistency=acsylla.Consistency.ALL,
                        timeout=1,
                    )
                    statement.set_host(host, PORT)
                    try:
                        await session.execute(statement)
                    except (
                        acsylla.errors.CassErrorServerUnavailable,
                        acsylla.errors.CassErrorLibNoHostsAvailable,
                    ):
                        pending.remove(host)
                    except Exception:  # not yet: it still waits for the dead node
                        pass
                if pending and time.monotonic() - started > limit:
                    raise AssertionError(
                        f"{', '.join(pending)} still see {self.host(n)} up after {limit:g} s"
                    )
                if pending:
                    await asyncio.sleep(0.2)
        return time.monotonic() - started

    async def exercise_schema(self) -> None:
        """One throwaway schema change, then :meth:`settle` again.

        The first schema change the others push to a node that restarted after a crash can be
        lost on their stale connections to it; the node then pulls it only after Cassandra
        2.1's 60 s migration delay, and any DDL made meanwhile (a test's keyspace, its drop)
        waits for that. This change takes the loss, here, where waiting is expected.
        """
        name = f"kongdao_ring_warm_{secrets.token_hex(3)}"
        async with self.session() as session:
            for cql in (
                f"CREATE KEYSPACE {name} WITH replication = "
                "{'class': 'SimpleStrategy', 'replication_factor': 3}",
                f"DROP KEYSPACE {name}",
            ):
                statement = acsylla.create_statement(cql, timeout=30)
                statement.set_host(self.hosts[0], PORT)
                await session.execute(statement)
        await self.settle(limit=150)

    async def restore(self) -> None:
        for n in sorted(self.down):
            await self.start(n)


@pytest.fixture(scope="session")
def _ring_hosts() -> list[str]:
    hosts = _hosts()
    missing = [h for h in hosts if not listening((h, PORT))]
    if missing:
        why = (
            f"the Cassandra ring is not reachable ({', '.join(missing)}:{PORT} refused); "
            "start it with `bash compose/cassandra/ring.sh up` (make test-scale does)"
        )
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(why, pytrace=False)
        pytest.skip(why)
    return hosts


@pytest.fixture
async def ring(_ring_hosts: list[str]) -> AsyncIterator[Ring]:
    r = Ring(_ring_hosts)
    try:
        yield r
    finally:
        await r.restore()


def dsn(hosts: list[str], keyspace: str, **settings: Any) -> str:
    """A DSN for ``keyspace`` on the ring: RF 3 and QUORUM unless ``settings`` say otherwise."""
    query: dict[str, Any] = {
        "protocol_version": os.environ.get("KONGDAO_SCALE_RING_PROTOCOL_VERSION", "3"),
        "replication_factor": 3,
        "read_consistency": "QUORUM",
        "write_consistency": "QUORUM",
    }
    query.update(settings)
    return f"cassandra://{','.join(hosts)}:{PORT}/{keyspace}?{urllib.parse.urlencode(query)}"


RingDB = Callable[..., Awaitable[Any]]


@pytest.fixture
async def ring_db(ring: Ring) -> AsyncIterator[RingDB]:
    """``await ring_db(**settings)``: a connected DB on a fresh, bootstrapped keyspace.

    ``bootstrap=False`` gives the DSN's DB without bootstrapping (for tests of the bootstrap
    itself). Keyspaces are dropped at the end, after every node taken down is back (a schema
    change needs the whole ring to agree).
    """
    opened: list[Any] = []
    keyspaces: list[str] = []

    async def make(*, bootstrap: bool = True, **settings: Any) -> Any:
        keyspace = f"kongdao_scale_{secrets.token_hex(4)}"
        keyspaces.append(keyspace)
        url = dsn(ring.hosts, keyspace, **settings)
        db = await kongdao.connect(url, ttl_cleanup_interval=None, check_migrations=False)
        opened.append(db)
        if bootstrap:
            await db.migrations.bootstrap()
        return db

    try:
        yield make
    finally:
        for db in opened:
            await db.close()
        await ring.restore()
        for keyspace in keyspaces:
            async with kongdao.connect(
                dsn(ring.hosts, keyspace, schema_consensus_timeout=150),
                ttl_cleanup_interval=None,
                check_migrations=False,
            ) as db:
                await db.connector.drop_keyspace()


@pytest.fixture(scope="session")
def figures() -> Callable[[str], None]:
    """``figures("what: measured")`` prints the line now and again at the end of the run."""

    def add(line: str) -> None:
        print(line)
        _FIGURES.append(line)

    return add


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _FIGURES:
        terminalreporter.section("kongdao ring figures")
        for line in _FIGURES:
            terminalreporter.write_line(line)
