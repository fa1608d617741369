"""kongdao on a 3-node Cassandra ring (RF 3, QUORUM) while nodes crash and come back.

Real processes: ring.sh SIGKILLs and restarts Cassandra JVMs. Every test prints what it
measured (also collected under "kongdao ring figures" at the end of the run). Node 3 is the
one taken down; the tests' fixtures start it again afterwards.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from typing import Any

import acsylla
import pytest

from kongdao import errors

pytestmark = [pytest.mark.cassandra, pytest.mark.slow]

VICTIM = 3
# A call that takes longer than this counts as a hang (the driver's request timeout is 10 s).
HANG = 25.0


def _tally(results: list[Any]) -> tuple[list[Any], Counter[Any], list[str], str]:
    """Sort the results of concurrent unique-value writes (``gather(return_exceptions=True)``).

    Returns the successes, the error codes counted (``repr`` of a non-kongdao exception), the
    messages of the errors other than UNIQUE_VIOLATION, and the figure's words for the errors.
    """
    ok = [r for r in results if not isinstance(r, BaseException)]
    failed = [r for r in results if isinstance(r, BaseException)]
    codes = Counter(r.code if isinstance(r, errors.KongDAOError) else repr(r) for r in failed)
    others = sorted({str(r) for r in failed if not isinstance(r, errors.UniqueViolation)})
    unique = errors.UniqueViolation.code
    words = (
        f"{codes.get(unique, 0)} UNIQUE_VIOLATION, other errors "
        f"{ {k: v for k, v in codes.items() if k != unique} or 'none' }"
    )
    return ok, codes, others, words


def _code(exc: BaseException) -> str:
    if isinstance(exc, errors.KongDAOError):
        return exc.name or type(exc).__name__
    return f"NOT A KONGDAO ERROR: {type(exc).__name__}: {exc}"


async def _node_session(host: str) -> Any:
    """A driver session that talks to ``host`` only (``whitelist_hosts``)."""
    cluster = acsylla.create_cluster(
        [host],
        protocol_version=3,
        use_beta_protocol_version=None,
        whitelist_hosts=host,
        log_level="error",
        request_timeout=5.0,
    )
    return cluster, await cluster.create_session()


async def _close(cluster: Any, session: Any) -> None:
    await session.close()
    cluster.destroy()


async def test_acknowledged_writes_survive_a_node_killed_under_load(ring, ring_db, figures):
    """SIGKILL a node while 8 workers insert services and routes: no acknowledged write is lost.

    Every call either succeeds or fails with a kongdao error within HANG seconds; afterwards
    every acknowledged service and route is read back at QUORUM (with the node still down).
    No call fails at once: the requests in flight on the killed node's connections are sent
    to another node (the connector marks its statements idempotent; before, each of the 8
    workers lost one call as "Request timed out" within 0.2 s). A read whose data the ring
    still asks of the dead node, before it convicts it, can time out (5 s, twice): allowed.
    """
    db = await ring_db()
    acked: list[tuple[str, Any]] = []  # ("services" | "routes", id)
    failures: Counter[str] = Counter()
    failed_after: list[float] = []
    quick: list[str] = []  # calls that failed within 2 s: a lost connection, not a timeout
    messages: set[str] = set()
    acked_at: list[float] = []
    stop = asyncio.Event()
    t0 = time.monotonic()

    async def call(coro: Any) -> Any:
        started = time.monotonic()
        try:
            return await asyncio.wait_for(coro, HANG)
        except TimeoutError:
            failures["HANG (no answer within 25 s)"] += 1
        except Exception as exc:
            failures[_code(exc)] += 1
            messages.add(str(exc))
            failed_after.append(time.monotonic() - started)
            if failed_after[-1] < 2.0:
                quick.append(str(exc))
        return None

    async def worker(w: int) -> None:
        i = 0
        while not stop.is_set():
            i += 1
            svc = await call(db.services.insert({"name": f"w{w}-{i}", "host": "example.com"}))
            if svc is None:
                continue
            acked.append(("services", svc.id))
            acked_at.append(time.monotonic() - t0)
            route = await call(
                db.routes.insert({"service": {"id": svc.id}, "paths": [f"/{w}/{i}"]})
            )
            if route is not None:
                acked.append(("routes", route.id))
                acked_at.append(time.monotonic() - t0)

    workers = [asyncio.create_task(worker(w)) for w in range(8)]
    await asyncio.sleep(3.0)
    killed_at = time.monotonic() - t0
    await ring.kill(VICTIM)
    await asyncio.sleep(5.0)
    stop.set()
    await asyncio.gather(*workers)
    elapsed = time.monotonic() - t0

    before = sum(1 for t in acked_at if t < killed_at)
    after = sum(1 for t in acked_at if t >= killed_at + 1.0)
    found = 0
    missing = []
    for kind, id_ in acked:
        dao = db.services if kind == "services" else db.routes
        if await dao.select({"id": id_}) is not None:
            found += 1
        else:
            missing.append((kind, id_))
    figures(
        f"node killed under load: {len(acked)} writes acknowledged in {elapsed:.1f} s "
        f"({before} before the kill at {killed_at:.1f} s, {after} from 1 s after it), "
        f"{found} found at QUORUM afterwards; failed calls: {dict(failures) or 'none'}"
        f" (each failed after {min(failed_after, default=0):.1f}-"
        f"{max(failed_after, default=0):.1f} s)"
        + "".join(f"\n  failed: {m}" for m in sorted(messages))
    )
    assert not [k for k in failures if k.startswith(("NOT A KONGDAO", "HANG"))], failures
    assert quick == [], "calls in flight on the killed node were not sent to another node"
    assert missing == []
    assert found == len(acked)
    assert before > 0, "no write was acknowledged before the kill"
    assert after > 0, "no write was acknowledged after the kill: the ring stopped serving"


async def test_uniqueness_holds_with_a_node_down(ring, ring_db, figures):
    """With one node of three down, Paxos (SERIAL) still has a quorum: uniques stay race-free.

    The node is down, not dying: it is stopped, and the test starts once the others know (a
    read sent to a crashed node before they notice can time out: see Ring.wait_marked_down;
    the test above covers crashes).
    """
    db = await ring_db()
    await ring.stop(VICTIM)
    noticed = await ring.wait_marked_down(VICTIM, db.connector.table("schema_meta"))

    started = time.monotonic()
    results = await asyncio.gather(
        *(
            db.services.insert({"name": "contested", "host": f"h{i}.example.com"})
            for i in range(50)
        ),
        return_exceptions=True,
    )
    took = time.monotonic() - started
    winners, codes, others, words = _tally(results)
    figures(
        f"node down, 50 concurrent inserts of one name: {len(winners)} winner, {words} "
        f"in {took:.2f} s (the others saw the node down {noticed:.1f} s after it stopped)"
    )
    assert len(winners) == 1, others
    assert codes == {errors.UniqueViolation.code: 49}, others
    stored = await db.services.select_by("name", "contested")
    assert stored is not None
    assert stored.id == winners[0].id

    # 20 services renamed at once to one free name: exactly one rename wins, and the name
    # then points at that service only.
    services = [
        await db.services.insert({"name": f"rename-{i}", "host": "example.com"}) for i in range(20)
    ]
    started = time.monotonic()
    renamed = await asyncio.gather(
        *(db.services.update({"id": s.id}, {"name": "taken"}) for s in services),
        return_exceptions=True,
    )
    took = time.monotonic() - started
    ok, codes, others, words = _tally(renamed)
    holder = await db.services.select_by("name", "taken")
    names = Counter([(await db.services.select({"id": s.id})).name for s in services])
    figures(
        f"node down, 20 concurrent renames to one name: {len(ok)} applied, {words} in {took:.2f} s"
    )
    assert len(ok) == 1, others
    assert codes == {errors.UniqueViolation.code: 19}, others
    assert holder is not None
    assert holder.id == ok[0].id
    assert names["taken"] == 1


async def test_a_restarted_node_rejoins_and_catches_up(ring, ring_db, figures):
    """Writes made while a node is down reach it after it restarts (hinted handoff)."""
    db = await ring_db()
    early = await db.services.insert({"name": "before-the-crash", "host": "example.com"})
    await ring.kill(VICTIM)
    # Right after a crash a call can still wait for the dead node and fail after
    # request_timeout (see the kill test): only the acknowledged writes count.
    written = []
    failed = 0
    for i in range(50):
        try:
            written.append(
                await db.services.insert({"name": f"while-down-{i}", "host": "example.com"})
            )
        except errors.DatabaseError:
            failed += 1
    assert len(written) >= 40
    took_start = await ring.start(VICTIM)
    back = time.monotonic()

    # Consistency ALL needs every replica: it works again once the ring sees the node up.
    connector = db.connector
    read_all = connector.stmt(
        f"SELECT id FROM {connector.table('services')} WHERE id = ?", connector.all_cl
    )
    deadline = back + 60
    attempts = 0
    while True:
        attempts += 1
        try:
            if (await read_all.run([str(early.id)])).first() is not None:
                break
        except errors.DatabaseError:
            if time.monotonic() > deadline:
                raise
        await asyncio.sleep(0.5)
    all_after = time.monotonic() - back

    # The restarted node, alone, at ONE: it must have the rows written while it was down.
    # Nothing here reads them at ALL or QUORUM (that could repair them): hints bring them.
    cluster, session = await _node_session(ring.host(VICTIM))
    try:
        stmt = await session.create_prepared(
            f"SELECT id FROM {connector.table('services')} WHERE id = ?"
        )
        deadline = time.monotonic() + 60
        while True:
            have = 0
            for s in written:
                bound = stmt.bind([str(s.id)], consistency=acsylla.Consistency.ONE)
                if (await session.execute(bound)).first() is not None:
                    have += 1
            if have == len(written) or time.monotonic() > deadline:
                break
            await asyncio.sleep(1.0)
        caught_up = time.monotonic() - back
    finally:
        await _close(cluster, session)
    figures(
        f"node restart ({len(written)} writes acknowledged while it was down, {failed} failed "
        f"just after the kill): CQL after {took_start:.1f} s, reads at ALL succeed "
        f"{all_after:.1f} s "
        f"after that ({attempts} tries); the restarted node alone (ONE) serves "
        f"{have}/{len(written)} rows written while it was down, {caught_up:.1f} s after restart"
    )
    assert all_after < 60
    assert have == len(written)


async def test_ddl_with_a_node_down_names_it_and_succeeds_once_it_is_back(ring, ring_db, figures):
    """Schema agreement cannot come with a node down: a clear error, then success after restart."""
    await ring.kill(VICTIM)
    db = await ring_db(bootstrap=False, schema_consensus_timeout=3)
    started = time.monotonic()
    with pytest.raises(errors.DatabaseError) as caught:
        await db.migrations.bootstrap()
    took = time.monotonic() - started
    message = str(caught.value)
    figures(f"bootstrap with a node down fails after {took:.1f} s: {message}")
    assert "schema agreement not reached after 3 s" in message
    assert f"{ring.host(VICTIM)} reports" in message
    assert "(down?)" in message
    assert all(h in message for h in ring.hosts)

    await ring.start(VICTIM)
    started = time.monotonic()
    # As in Kong, the keyspace and schema_meta were created before the wait failed, so the
    # database counts as bootstrapped and `migrations up` then `finish` run the migrations
    # (every statement is re-entrant). The restarted node first pulls the schema it missed:
    # at once when it sees the others up as it starts, else Cassandra 2.1 schedules the pull
    # 60 s later (MigrationManager's MIGRATION_DELAY_IN_MS), hence the bound.
    assert await db.migrations.bootstrap() is False
    deadline = started + 120
    while True:
        try:
            await db.migrations.up()
            await db.migrations.finish()
            break
        except errors.KongDAOError:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.5)
    figures(
        "after the node is back, migrations up + finish complete in "
        f"{time.monotonic() - started:.1f} s"
    )
    state = await db.migrations.state()
    assert state.is_up_to_date
    assert not state.pending_migrations
    versions = await db.connector.schema_versions()
    assert len(versions) == 3
    assert len(set(versions.values())) == 1
    svc = await db.services.insert({"name": "after-recovery", "host": "example.com"})
    assert await db.services.select({"id": svc.id}) is not None


async def test_network_topology_strategy_with_a_local_dc(ring, ring_db, figures):
    """data_centers=datacenter1:3 and local_dc: LOCAL_QUORUM / LOCAL_SERIAL, CRUD and uniques."""
    db = await ring_db(
        replication_strategy="NetworkTopologyStrategy",
        data_centers="datacenter1:3",
        local_dc="datacenter1",
        read_consistency="LOCAL_QUORUM",
        write_consistency="LOCAL_QUORUM",
    )
    connector = db.connector
    assert connector.settings.effective_serial_consistency == "LOCAL_SERIAL"
    row = (
        await connector.read(
            "SELECT strategy_class, strategy_options FROM system.schema_keyspaces "
            "WHERE keyspace_name = ?"
        ).run([connector.settings.keyspace])
    ).first()
    strategy_class, options = row.as_list()
    assert strategy_class.endswith("NetworkTopologyStrategy")
    assert json.loads(options) == {"datacenter1": "3"}

    svc = await db.services.insert({"name": "nts", "host": "example.com"})
    assert (await db.services.select({"id": svc.id})).name == "nts"
    with pytest.raises(errors.UniqueViolation):
        await db.services.insert({"name": "nts", "host": "other.example.com"})
    await db.services.update({"id": svc.id}, {"port": 8443})
    assert (await db.services.select_by("name", "nts")).port == 8443
    route = await db.routes.insert({"service": {"id": svc.id}, "paths": ["/nts"]})
    await db.routes.delete({"id": route.id})
    await db.services.delete({"id": svc.id})
    assert await db.services.select({"id": svc.id}) is None
    figures(f"NetworkTopologyStrategy {options} (LOCAL_QUORUM, LOCAL_SERIAL): CRUD and uniques ok")


class _TracingSession:
    """The driver session with tracing switched on for every statement it runs.

    The DAO offers no tracing switch (acsylla does not return tracing ids either), so the test
    wraps the connector's session: each request then leaves a row in system_traces.sessions
    (with its coordinator) and events (with the node that did each step).
    """

    def __init__(self, session: Any) -> None:
        self._session = session

    async def execute(self, statement: Any) -> Any:
        statement.set_tracing(True)
        return await self._session.execute(statement)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._session, name)


async def _traced_reads(db: Any, ids: list[Any]) -> tuple[int, int]:
    """Read each id by primary key with tracing; (served by the coordinator itself, total)."""
    connector = db.connector
    since = time.time() - 1  # the nodes' clock is this machine's: a second of margin
    real = connector._session
    connector._session = _TracingSession(real)
    try:
        for id_ in ids:
            assert await db.services.select({"id": id_}) is not None
    finally:
        connector._session = real
    until = time.time() + 1
    sessions = connector.stmt(
        "SELECT session_id, coordinator, started_at FROM system_traces.sessions",
        connector.local_cl,
    )
    events = connector.stmt(
        "SELECT source FROM system_traces.events WHERE session_id = ?", connector.local_cl
    )
    deadline = time.monotonic() + 15
    while True:  # traces are written in the background
        mine = [
            row
            for row in (r.as_dict() for r in await sessions.run())
            if since <= row["started_at"].timestamp() <= until
        ]
        local = 0
        for row in mine:
            sources = {e.as_list()[0] for e in await events.run([row["session_id"]])}
            local += sources == {row["coordinator"]}
        if len(mine) >= len(ids) or time.monotonic() > deadline:
            return local, len(mine)
        await asyncio.sleep(0.5)


@pytest.mark.parametrize("token_aware", [True, False], ids=["token-aware", "round-robin"])
async def test_token_aware_routing_sends_reads_to_the_replica(ring, ring_db, figures, token_aware):
    """In an RF 1 keyspace a by-key read is local only if its coordinator owns the key.

    With token-aware routing every DAO read by primary key must be served by its coordinator
    alone (the trace shows no other node); without it about 1 in 3 is (3 nodes), and 21 or
    more of 30 would happen by chance with probability below 1e-5.
    """
    db = await ring_db(
        replication_factor=1,
        read_consistency="ONE",
        write_consistency="ONE",
        token_aware_routing=str(token_aware).lower(),
    )
    ids = [
        (await db.services.insert({"name": f"ta-{i}", "host": "example.com"})).id for i in range(30)
    ]
    local, traced = await _traced_reads(db, ids)
    figures(
        f"token_aware_routing={token_aware}: {local}/{traced} reads by primary key served by "
        "their coordinator alone (RF 1, 3 nodes)"
    )
    assert traced == len(ids)
    if token_aware:
        assert local == traced
    else:
        assert local <= 20
