"""The Cassandra connector against a real Cassandra: what the conformance suite cannot see.

Paging-state offsets (and what a tampered one does), lightweight-transaction uniqueness under
concurrency (also across two connectors, like two Kong nodes), recovery of abandoned claims,
the protocol-version and consistency settings, TTL read-back and expiry of rows and of their
claims and index rows, migrations and locks, settings parsing and secrets.

Runs on the session's keyspace of ``kongdao.testing.plugin`` (``KONGDAO_TEST_CASSANDRA_DSN``,
default: the local Cassandra 2.1 of ``make cassandra-up`` with protocol v3). An unreachable
Cassandra is skipped locally and fails the run under CI.
"""

from __future__ import annotations

import asyncio
import base64
import secrets
import time
import urllib.parse
import uuid
from collections.abc import AsyncIterator
from typing import Any

import acsylla
import pytest

import kongdao
from kongdao import errors
from kongdao.connectors.cassandra import CassandraSettings, from_dsn
from kongdao.connectors.cassandra.ddl import create_table_cql
from kongdao.connectors.cassandra.migrate import split_statements
from kongdao.connectors.cassandra.model import EntityModel
from kongdao.connectors.cassandra.offsets import OffsetCodec
from kongdao.db import DB
from kongdao.migrations.core import m000_base, m001_certificates_upstreams
from kongdao.schema import Entity, Field, Ref, entity, field, schema_of, typedefs, virtual
from kongdao.testing.plugin import backend_dsn, create_tables, known_backends
from kongdao.workspaces import DEFAULT_WORKSPACE_ID

pytestmark = pytest.mark.cassandra

N = 50


@entity("t_cass_tokens", endpoint_key="key", cache_key=("key",), ttl=True)
class Token(Entity):
    """A credential with a TTL, a unique key, tags and a consumer (like keyauth_credentials)."""

    id: str = field(typedefs.uuid())
    created_at: int = field(typedefs.auto_timestamp_s())
    consumer: Ref | None = field(Field(type="foreign", reference="consumers", on_delete="cascade"))
    key: str | None = field(Field(type="string", unique=True))
    tags: list[str] | None = field(typedefs.tags())
    ttl: int | None = virtual()


# -- fixtures -------------------------------------------------------------------------------


@pytest.fixture(scope="session")
async def cdsn(_session_cleanup: None) -> str:
    """The DSN of the session's bootstrapped Cassandra keyspace."""
    if "cassandra" not in known_backends():
        pytest.skip("cassandra is not among KONGDAO_TEST_BACKENDS")
    dsn = await backend_dsn("cassandra")
    async with kongdao.connect(dsn, ttl_cleanup_interval=None, check_migrations=False) as db:
        await db.migrations.bootstrap()
    return dsn


def with_keyspace(dsn: str, keyspace: str, **query: Any) -> str:
    parts = urllib.parse.urlsplit(dsn)
    params = dict(urllib.parse.parse_qsl(parts.query))
    params.update({k: str(v) for k, v in query.items()})
    return urllib.parse.urlunsplit(
        parts._replace(path=f"/{keyspace}", query=urllib.parse.urlencode(params))
    )


@pytest.fixture
async def cdb(cdsn: str) -> AsyncIterator[DB]:
    """A DB on the session keyspace serving ``t_cass_tokens`` too, every table emptied."""
    db = await kongdao.connect(cdsn, entities=[Token], ttl_cleanup_interval=None)
    try:
        await create_tables(db, Token)
        await db.truncate()
        yield db
    finally:
        await db.close()


@pytest.fixture
async def scratch_keyspace(cdsn: str) -> AsyncIterator[str]:
    """The DSN of a keyspace of its own (dropped afterwards), for migrations and locks."""
    name = f"kongdao_scratch_{secrets.token_hex(4)}"
    dsn = with_keyspace(cdsn, name)
    yield dsn
    connector = from_dsn(dsn)
    await connector.connect()
    try:
        await connector.drop_keyspace()
    finally:
        await connector.close()


def gathered(coros: Any) -> Any:
    return asyncio.gather(*coros, return_exceptions=True)


def split(results: list[Any]) -> tuple[list[Any], list[BaseException]]:
    return (
        [r for r in results if not isinstance(r, BaseException)],
        [r for r in results if isinstance(r, BaseException)],
    )


async def alive(db: DB) -> None:
    """The connection still answers at once (a bad paging state must not kill it)."""
    await asyncio.wait_for(db.services.page(1), timeout=2)


# -- paging-state offsets ---------------------------------------------------------------------


async def test_pages_follow_the_paging_state(cdb: DB) -> None:
    ids = {(await cdb.consumers.insert({"username": f"u{i}"})).id for i in range(25)}
    seen: list[str] = []
    offset = None
    pages = 0
    while True:
        rows, offset = await cdb.consumers.page(10, offset)
        seen += [r.id for r in rows]
        pages += 1
        if offset is None:
            break
        assert pages < 10
    assert sorted(seen) == sorted(ids)
    assert pages in (3, 4)
    # the same offset gives the same page
    _, first = await cdb.consumers.page(10)
    assert first is not None
    again = [r.id for r in (await cdb.consumers.page(10, first))[0]]
    assert again == [r.id for r in (await cdb.consumers.page(10, first))[0]]


async def test_offsets_are_urlsafe_and_opaque(cdb: DB) -> None:
    for i in range(3):
        await cdb.consumers.insert({"username": f"o{i}"})
    _, offset = await cdb.consumers.page(1)
    assert offset is not None
    assert set(offset) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def tampered(offset: str) -> list[str]:
    raw = base64.urlsafe_b64decode(offset + "=" * (-len(offset) % 4))

    def enc(b: bytes) -> str:
        return base64.urlsafe_b64encode(b).rstrip(b"=").decode()

    flipped = bytearray(raw)
    flipped[-5] ^= 0x01
    digest = bytearray(raw)
    digest[3] ^= 0x80
    return [
        enc(bytes(flipped)),  # one bit of the paging state
        enc(bytes(digest)),  # one bit of the digest
        enc(raw[:-3]),  # truncated
        enc(raw + b"\x00\x00\x00\x00"),  # extended
        enc(b"\x02" + raw[1:]),  # unknown version
        enc(raw[:9]),  # header only
        enc(secrets.token_bytes(40)),  # random bytes
        base64.b64encode(raw[9:]).decode(),  # Kong's format: the bare paging state
    ]


async def test_tampered_offsets_are_invalid_offset(cdb: DB) -> None:
    for i in range(5):
        await cdb.consumers.insert({"username": f"t{i}"})
    _, offset = await cdb.consumers.page(2)
    assert offset is not None
    for bad in tampered(offset):
        with pytest.raises(errors.InvalidOffset) as ei:
            await cdb.consumers.page(2, bad)
        assert ei.value.err_t == {
            "code": 7,
            "name": "invalid offset",
            "message": f"'{bad}' is not a valid offset: Invalid value for the paging state",
            "strategy": "cassandra",
        }
        await alive(cdb)
    for bad in ("!!!", "a b", "é"):
        with pytest.raises(errors.InvalidOffset) as ei:
            await cdb.consumers.page(2, bad)
        assert ei.value.message == f"'{bad}' is not a valid offset: bad base64 encoding"
    # the genuine offset still works
    rows, _ = await cdb.consumers.page(2, offset)
    assert len(rows) == 2


async def test_an_offset_belongs_to_its_query(cdb: DB) -> None:
    svc = await cdb.services.insert({"name": "s", "host": "example.com"})
    other = await cdb.services.insert({"name": "o", "host": "example.com"})
    for i in range(3):
        await cdb.routes.insert({"paths": [f"/{i}"], "service": {"id": svc.id}})
        await cdb.consumers.insert({"username": f"q{i}", "tags": ["a"]})
    _, routes_offset = await cdb.routes.page_for_service({"id": svc.id}, 1)
    _, consumers_offset = await cdb.consumers.page(1)
    _, tag_offset = await cdb.consumers.page(1, tags=["a"])
    assert routes_offset
    assert consumers_offset
    assert tag_offset
    calls = [
        lambda: cdb.routes.page(1, routes_offset),  # page_for's offset on page
        lambda: cdb.routes.page_for_service({"id": other.id}, 1, routes_offset),  # other parent
        lambda: cdb.services.page(1, consumers_offset),  # another entity
        lambda: cdb.consumers.page(1, tag_offset),  # a tag page's offset without tags
        lambda: cdb.consumers.page(1, consumers_offset, tags=["a"]),
        lambda: cdb.consumers.page(1, tag_offset, tags=["b"]),  # another tag
    ]
    for call in calls:
        with pytest.raises(errors.InvalidOffset):
            await call()
    await alive(cdb)
    assert len((await cdb.routes.page_for_service({"id": svc.id}, 1, routes_offset))[0]) == 1


def test_offset_codec_checks_the_v3_layout_before_sending() -> None:
    codec = OffsetCodec(3)
    key = codec.key("ks", "t", "page")
    good = b"\x00\x10" + bytes(16) + b"\x00\x05\x00\x02id\x00" + b"\x7f\xff\xff\xfe"
    assert codec.decode(codec.encode(key, good), key) == good
    # a 3.x-style legacy state (one more int) is accepted too
    assert codec.decode(codec.encode(key, good + b"\x00\x00\x00\x01"), key)
    for bad in (b"garbage", good[:-1], good + b"\x00", b"\x00\xff" + good[2:]):
        offset = codec.encode(key, bad)  # a valid digest over a malformed state
        with pytest.raises(errors.InvalidOffset, match="Invalid value for the paging state"):
            codec.decode(offset, key)
    # protocol v4 states are not checked for the legacy layout
    v4 = OffsetCodec(4)
    assert v4.decode(v4.encode(key, b"garbage"), key) == b"garbage"


def test_offset_secret_makes_offsets_unforgeable() -> None:
    plain, keyed = OffsetCodec(4), OffsetCodec(4, "s3cret")
    state = b"some paging state"
    forged = plain.encode(plain.key("ks", "t", "page"), state)
    with pytest.raises(errors.InvalidOffset):
        keyed.decode(forged, keyed.key("ks", "t", "page"))
    genuine = keyed.encode(keyed.key("ks", "t", "page"), state)
    assert keyed.decode(genuine, keyed.key("ks", "t", "page")) == state
    assert "s3cret" not in repr(CassandraSettings(offset_secret="s3cret"))


async def test_forged_state_refused_by_the_server_is_invalid_offset(cdb: DB) -> None:
    """A state with a valid digest and layout, refused by the server, is INVALID_OFFSET too."""
    await cdb.consumers.insert({"username": "forged"})
    strategy: Any = cdb.consumers.strategy
    connector: Any = cdb.connector
    if connector.settings.protocol_version != 3:
        pytest.skip("the forged state has the protocol v3 layout")
    state = b"\x00\x03abc\x00\x00\x7f\xff\xff\xfe"  # a 3-byte uuid, an empty cell name
    # a workspace's page is a page of its consumers_by_ws partition
    ws = cdb.default_workspace_id
    offset = connector.offsets.encode(strategy._page_for_keys["ws"], state, ws.encode())
    with pytest.raises(errors.InvalidOffset) as ei:
        await cdb.consumers.page(1, offset)
    expected = f"'{offset}' is not a valid offset: Invalid value for the paging state"
    assert ei.value.message == expected
    assert isinstance(ei.value.__cause__, acsylla.errors.CassException)
    # Cassandra 2.1 makes the driver drop the connection; it comes back within seconds
    deadline = time.monotonic() + 15
    while True:
        try:
            await cdb.consumers.page(1)
            break
        except errors.DatabaseError:
            assert time.monotonic() < deadline
            await asyncio.sleep(0.5)


async def test_tag_pages_and_the_tags_entity(cdb: DB) -> None:
    a = {(await cdb.consumers.insert({"username": f"a{i}", "tags": ["a"]})).id for i in range(4)}
    ab = {
        (await cdb.consumers.insert({"username": f"ab{i}", "tags": ["b", "a"]})).id
        for i in range(3)
    }
    b = {(await cdb.consumers.insert({"username": f"b{i}", "tags": ["b"]})).id for i in range(2)}
    await cdb.consumers.insert({"username": "none"})

    async def collect(**kw: Any) -> list[str]:
        out: list[str] = []
        offset = None
        while True:
            rows, offset = await cdb.consumers.page(2, offset, **kw)
            out += [r.id for r in rows]
            if offset is None:
                return out

    assert sorted(await collect(tags=["a"])) == sorted(a | ab)
    assert sorted(await collect(tags=["a", "b"], tags_cond="and")) == sorted(ab)
    either = await collect(tags=["a", "b"], tags_cond="or")
    assert sorted(either) == sorted(a | ab | b)  # each entity once, though tagged twice
    assert sorted(await collect(tags=["b", "a", "b"], tags_cond="or")) == sorted(a | ab | b)

    pairs: list[Any] = []
    offset = None
    while True:
        rows, offset = await cdb.tags.page_by_tag("b", 2, offset)
        pairs += rows
        if offset is None:
            break
    assert sorted(t.entity_id for t in pairs) == sorted(ab | b)
    assert {(t.tag, t.entity_name) for t in pairs} == {("b", "consumers")}
    everything = [t async for t in cdb.tags.each(3)]
    assert len(everything) == len(a) + 2 * len(ab) + len(b)
    assert await cdb.tags.count() == len(everything)


# -- uniqueness with lightweight transactions -------------------------------------------------


async def test_fifty_concurrent_inserts_of_one_name_one_winner(cdb: DB) -> None:
    results = await gathered(
        cdb.services.insert({"name": "contended", "host": f"h{i}.example.com"}) for i in range(N)
    )
    ok, failed = split(results)
    assert len(ok) == 1
    assert all(isinstance(f, errors.UniqueViolation) for f in failed), failed
    assert [s.id async for s in cdb.services.each()] == [ok[0].id]
    assert (await cdb.services.select_by_name("contended")) == ok[0]


async def test_concurrent_inserts_from_two_nodes_one_winner(cdb: DB, cdsn: str) -> None:
    """Two connectors (two sessions, as two Kong nodes) racing for one username."""
    async with kongdao.connect(cdsn, ttl_cleanup_interval=None) as other:
        dbs = [cdb, other]
        results = await gathered(
            dbs[i % 2].consumers.insert({"username": "shared"}) for i in range(N)
        )
    ok, failed = split(results)
    assert len(ok) == 1
    assert all(isinstance(f, errors.UniqueViolation) for f in failed), failed
    assert await cdb.consumers.count() == 1


async def test_fifty_concurrent_plugins_with_one_cache_key(cdb: DB) -> None:
    svc = await cdb.services.insert({"name": "ck", "host": "example.com"})
    results = await gathered(
        cdb.plugins.insert({"name": "key-auth", "service": {"id": svc.id}}) for _ in range(N)
    )
    ok, failed = split(results)
    assert len(ok) == 1
    assert all(isinstance(f, errors.UniqueViolation) for f in failed), failed
    assert failed[0].fields == {
        "name": "key-auth",
        "route": None,
        "service": {"id": svc.id},
        "consumer": None,
    }
    assert [p.id async for p in cdb.plugins.each()] == [ok[0].id]
    assert await cdb.plugins.select_by_cache_key(ok[0]) == ok[0]


async def test_concurrent_renames_to_one_name(cdb: DB) -> None:
    services = [
        await cdb.services.insert({"name": f"r{i}", "host": "example.com"}) for i in range(10)
    ]
    results = await gathered(cdb.services.update({"id": s.id}, {"name": "taken"}) for s in services)
    ok, failed = split(results)
    assert len(ok) == 1
    assert all(isinstance(f, errors.UniqueViolation) for f in failed), failed
    names = sorted([s.name async for s in cdb.services.each()])
    assert names.count("taken") == 1
    # the old name of the winner was released, the others kept theirs
    winner = ok[0]
    old = next(s.name for s in services if s.id == winner.id)
    assert await cdb.services.select_by_name(old) is None
    again = await cdb.services.insert({"name": old, "host": "example.com"})
    assert again.name == old


def per_ws(db: DB, value: str) -> str:
    """The claimed form of a value unique per workspace: ``"<ws_id>:<value>"``."""
    return f"{db.default_workspace_id}:{value}"


async def claim_owner(db: DB, table: str, value: str) -> str | None:
    connector: Any = db.connector
    stmt = connector.read(f'SELECT "id" FROM {connector.table(table)} WHERE "value" = ?')
    row = (await stmt.run([value])).first()
    owner = None if row is None else row.as_list()[0]
    return None if owner is None else str(owner)  # a claim row without holder is free


async def test_abandoned_claim_is_taken_over_after_the_grace(cdsn: str, cdb: DB) -> None:
    """A writer crashed after claiming a name, before (or instead of) writing its row."""
    async with kongdao.connect(cdsn, ttl_cleanup_interval=None, claim_grace=1.5) as db:
        ghost = await db.services.insert({"name": "ghost", "host": "example.com"})
        connector: Any = db.connector
        # the row disappears, its claim stays (as after a crash between the two writes)
        await connector.write(f'DELETE FROM {connector.table("services")} WHERE "id" = ?').run(
            [ghost.id]
        )
        assert await claim_owner(db, "services_by_name", per_ws(db, "ghost")) == ghost.id
        assert await db.services.select_by_name("ghost") is None

        # a young claim without its row looks like a writer in flight: refused
        with pytest.raises(errors.UniqueViolation):
            await db.services.insert({"name": "ghost", "host": "example.com"})

        await asyncio.sleep(1.6)
        new = await db.services.insert({"name": "ghost", "host": "example.com"})
        assert await claim_owner(db, "services_by_name", per_ws(db, "ghost")) == new.id
        assert await db.services.select_by_name("ghost") == new


async def test_claim_held_by_a_row_without_the_value_is_taken_over(cdsn: str) -> None:
    """A writer crashed after changing its row's name, before releasing the old claim."""
    async with kongdao.connect(cdsn, ttl_cleanup_interval=None, claim_grace=1.0) as db:
        await db.truncate()
        holder = await db.services.insert({"name": "holder", "host": "example.com"})
        connector: Any = db.connector
        old = int((time.time() - 60) * 1e6)  # written a minute ago
        await connector.write(
            f'INSERT INTO {connector.table("services_by_name")} ("value", "id") VALUES (?, ?) '
            "USING TIMESTAMP ?"
        ).run([per_ws(db, "stale"), holder.id, old])
        assert await db.services.select_by_name("stale") is None
        taker = await db.services.insert({"name": "stale", "host": "example.com"})
        assert await claim_owner(db, "services_by_name", per_ws(db, "stale")) == taker.id
        # the live claim of the holder is untouched
        with pytest.raises(errors.UniqueViolation):
            await db.services.insert({"name": "holder", "host": "example.com"})


async def test_failed_insert_leaves_no_claim_or_index_row(cdb: DB) -> None:
    svc = await cdb.services.insert({"name": "parent", "host": "example.com"})
    await cdb.routes.insert({"name": "r", "paths": ["/"], "service": {"id": svc.id}})
    missing = str(uuid.uuid4())
    with pytest.raises(errors.ForeignKeyViolation):
        await cdb.routes.insert({"name": "free", "paths": ["/"], "service": {"id": missing}})
    assert await claim_owner(cdb, "routes_by_name", per_ws(cdb, "free")) is None
    route = await cdb.routes.insert({"name": "r2", "paths": ["/"], "service": {"id": svc.id}})
    with pytest.raises(errors.PrimaryKeyViolation):
        await cdb.routes.insert(
            {"id": route.id, "name": "r3", "paths": ["/"], "service": {"id": svc.id}}
        )
    assert await claim_owner(cdb, "routes_by_name", per_ws(cdb, "r3")) is None
    assert await claim_owner(cdb, "routes_by_name", per_ws(cdb, "r2")) == route.id


# -- protocol version, consistency, errors ----------------------------------------------------


async def test_protocol_version_3_works_against_the_test_server(cdb: DB) -> None:
    connector: Any = cdb.connector
    infos = await cdb.infos()
    assert infos["strategy"] == "Cassandra"
    assert infos["db_desc"] == "keyspace"
    if connector.server_version[:1] == (2,):
        assert connector.settings.protocol_version == 3
        assert infos["db_ver"].startswith("2.")


async def test_wrong_protocol_version_is_a_clear_error_not_a_hang(cdb: DB, cdsn: str) -> None:
    connector: Any = cdb.connector
    if connector.server_version[:1] != (2,):
        pytest.skip("only Cassandra 2.x refuses protocol v4")
    started = time.monotonic()
    with pytest.raises(errors.DatabaseError) as ei:
        await asyncio.wait_for(
            kongdao.connect(cdsn, protocol_version=4, ttl_cleanup_interval=None), timeout=20
        )
    assert time.monotonic() - started < 10
    message = ei.value.message or ""
    assert "protocol version" in message.lower()
    assert "protocol_version=3" in message
    assert ei.value.strategy == "cassandra"


async def test_unreachable_server_is_a_database_error(cdsn: str) -> None:
    dsn = with_keyspace(cdsn, "nowhere").replace(
        urllib.parse.urlsplit(cdsn).netloc, "user:s3cret@127.0.0.1:1"
    )
    with pytest.raises(errors.DatabaseError) as ei:
        await asyncio.wait_for(kongdao.connect(dsn, connect_timeout=2), timeout=20)
    assert "could not connect to Cassandra at 127.0.0.1:1" in str(ei.value)
    assert "s3cret" not in str(ei.value)
    assert "s3cret" not in repr(ei.value)


def test_protocol_version_setting() -> None:
    assert CassandraSettings().protocol_version == 4
    assert CassandraSettings.from_dsn("cassandra://h/ks?protocol_version=3").protocol_version == 3
    for bad in (2, 5, "x"):
        with pytest.raises(ValueError):
            CassandraSettings(protocol_version=bad)  # type: ignore[arg-type]


def test_protocol_version_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KONGDAO_CASSANDRA_PROTOCOL_VERSION", "3")
    assert CassandraSettings.from_dsn("cassandra://h/ks").protocol_version == 3
    # the DSN wins over the environment, keyword settings over both
    assert CassandraSettings.from_dsn("cassandra://h/ks?protocol_version=4").protocol_version == 4
    assert CassandraSettings.from_dsn("cassandra://h/ks", protocol_version=4).protocol_version == 4


async def test_consistency_settings_reach_the_server(cdsn: str) -> None:
    """RF 1 cannot give THREE (reads) or TWO (writes): the server's refusal proves the levels."""
    async with kongdao.connect(
        cdsn, read_consistency="THREE", retry_policy="fallthrough", ttl_cleanup_interval=None
    ) as db:
        with pytest.raises(errors.DatabaseError, match="consistency level THREE"):
            await db.services.select({"id": str(uuid.uuid4())})
    async with kongdao.connect(
        cdsn, write_consistency="TWO", retry_policy="fallthrough", ttl_cleanup_interval=None
    ) as db:
        await db.services.select({"id": str(uuid.uuid4())})  # reads are fine
        # (the tag row is a plain write; lightweight transactions time out instead)
        with pytest.raises(errors.DatabaseError, match="consistency level TWO"):
            await db.services.insert({"host": "example.com", "tags": ["cl"]})
    async with kongdao.connect(
        cdsn,
        read_consistency="QUORUM",
        write_consistency="ALL",
        serial_consistency="LOCAL_SERIAL",
        ttl_cleanup_interval=None,
    ) as db:
        strategy: Any = db.consumers.strategy
        assert strategy.s_select.consistency == acsylla.Consistency.QUORUM
        assert strategy.s_insert.consistency == acsylla.Consistency.ALL
        assert strategy.s_insert.serial == acsylla.Consistency.LOCAL_SERIAL
        consumer = await db.consumers.insert({"username": "cl-ok"})
        assert await db.consumers.select({"id": consumer.id}) == consumer


def test_serial_consistency_defaults() -> None:
    assert CassandraSettings().effective_serial_consistency == "SERIAL"
    assert CassandraSettings(local_dc="dc1").effective_serial_consistency == "LOCAL_SERIAL"
    with pytest.raises(ValueError, match="SERIAL"):
        CassandraSettings(serial_consistency="QUORUM")
    with pytest.raises(ValueError, match="consistency"):
        CassandraSettings(read_consistency="SOMETIMES")


def test_token_aware_routing_setting() -> None:
    assert CassandraSettings().token_aware_routing is True
    dsn = "cassandra://127.0.0.1/kong?token_aware_routing=false"
    assert CassandraSettings.from_dsn(dsn).token_aware_routing is False
    with pytest.raises(ValueError, match="boolean"):
        CassandraSettings(token_aware_routing="sometimes")


async def test_driver_errors_never_leak(cdsn: str, scratch_keyspace: str) -> None:
    # a keyspace that was never bootstrapped: the tables do not exist
    async with kongdao.connect(
        scratch_keyspace, ttl_cleanup_interval=None, check_migrations=False
    ) as db:
        with pytest.raises(errors.DatabaseError) as ei:
            await db.services.select({"id": str(uuid.uuid4())})
        assert ei.value.strategy == "cassandra"
        assert isinstance(ei.value.__cause__, acsylla.errors.CassException)
    db = await kongdao.connect(cdsn, ttl_cleanup_interval=None)
    await db.close()
    with pytest.raises(errors.InterfaceError):
        await db.connector.strategy_for(db.schemas["services"], db.schemas).select(
            {"id": str(uuid.uuid4())}
        )


async def test_statements_are_prepared_once(cdb: DB) -> None:
    svc = await cdb.services.insert({"name": "p", "host": "example.com"})
    strategy: Any = cdb.services.strategy
    await cdb.services.select({"id": svc.id})
    prepared = strategy.s_select._prepared
    assert prepared is not None
    for _ in range(3):
        await cdb.services.select({"id": svc.id})
    assert strategy.s_select._prepared is prepared


# -- TTL ----------------------------------------------------------------------------------------


async def test_ttl_read_back_and_expiry_of_everything(cdb: DB) -> None:
    consumer = await cdb.consumers.insert({"username": "ttl-owner"})
    tokens = cdb.t_cass_tokens
    token = await tokens.insert(
        {"key": "short", "consumer": {"id": consumer.id}, "tags": ["t"]}, ttl=2
    )
    assert 1 <= token.ttl <= 2
    assert 0 <= (await tokens.select({"id": token.id})).ttl <= 2
    assert (await tokens.select_by_key("short")).id == token.id
    assert [t.id for t in (await tokens.page_for_consumer({"id": consumer.id}))[0]] == [token.id]
    assert [t.id for t in (await tokens.page(tags=["t"]))[0]] == [token.id]

    await asyncio.sleep(2.5)

    assert await tokens.select({"id": token.id}) is None
    assert await tokens.select_by_key("short") is None
    assert await tokens.page_for_consumer({"id": consumer.id}) == ([], None)
    assert await tokens.page(tags=["t"]) == ([], None)
    assert await tokens.count() == 0
    # the claim and the index rows expired with the row
    assert await claim_owner(cdb, "t_cass_tokens_by_key", "short") is None
    assert [t async for t in cdb.tags.each()] == []
    again = await tokens.insert({"id": token.id, "key": "short"})
    assert again.ttl is None


async def test_update_keeps_the_remaining_ttl_and_upsert_clears_it(cdb: DB) -> None:
    tokens = cdb.t_cass_tokens
    token = await tokens.insert({"key": "k"}, ttl=100)
    await asyncio.sleep(1.1)
    updated = await tokens.update({"id": token.id}, {"tags": ["x"]})
    assert 95 <= updated.ttl <= 99
    assert 95 <= (await tokens.select({"id": token.id})).ttl <= 99
    replaced = await tokens.upsert({"id": token.id}, {"key": "k"})
    assert replaced.ttl is None
    assert (await tokens.select_by_key("k")).ttl is None


async def test_shortened_ttl_expires_the_whole_row(cdb: DB) -> None:
    """An UPDATE cannot shorten the row marker of the original INSERT: the row must vanish."""
    tokens = cdb.t_cass_tokens
    token = await tokens.insert({"key": "long", "tags": ["z"]}, ttl=1000)
    plain = await tokens.insert({"key": "forever"})
    await tokens.update({"id": token.id}, {}, ttl=1)
    await tokens.update({"id": plain.id}, {}, ttl=1)
    await asyncio.sleep(1.6)
    assert await tokens.select({"id": token.id}) is None
    assert await tokens.select({"id": plain.id}) is None
    assert await tokens.page() == ([], None)
    assert await tokens.count() == 0
    assert await claim_owner(cdb, "t_cass_tokens_by_key", "long") is None
    # the ids and keys can be used again
    assert (await tokens.insert({"id": token.id, "key": "long"})).id == token.id
    assert (await tokens.upsert({"id": plain.id}, {"key": "forever"})).id == plain.id


async def test_empty_lists_read_back_as_empty_lists(cdb: DB) -> None:
    consumer = await cdb.consumers.insert({"username": "empty", "tags": []})
    assert consumer.tags == []
    assert (await cdb.consumers.select({"id": consumer.id})).tags == []
    cleared = await cdb.consumers.update({"id": consumer.id}, {"tags": None})
    assert cleared.tags is None
    assert (await cdb.consumers.select({"id": consumer.id})).tags is None


async def test_set_order_is_kept(cdb: DB) -> None:
    consumer = await cdb.consumers.insert({"username": "order", "tags": ["b", "c", "a"]})
    assert (await cdb.consumers.select({"id": consumer.id})).tags == ["b", "c", "a"]


# -- migrations and locks --------------------------------------------------------------------


async def test_core_migration_creates_every_table_the_strategies_use(scratch_keyspace: str) -> None:
    async with kongdao.connect(
        scratch_keyspace, ttl_cleanup_interval=None, check_migrations=False
    ) as db:
        connector: Any = db.connector
        assert not await connector.schema_meta_exists()
        assert await db.migrations.bootstrap()
        assert await connector.schema_meta_exists()
        tables = set(await connector._tables())
        # core's tables and the bundled plugins' ones (their migrations ran after core's)
        for name in db.schemas:
            if name != "tags":
                assert set(EntityModel(db.schemas[name], db.schemas).tables) <= tables, name
        assert {"keyauth_credentials", "basicauth_credentials", "acls"} <= tables
        assert {"schema_meta", "locks"} <= tables
        rows = {row["subsystem"]: row for row in await connector.read_schema_meta()}
        assert rows["core"] == {
            "subsystem": "core",
            "last_executed": "001_certificates_upstreams",
            "executed": ["000_base", "001_certificates_upstreams"],
            "pending": [],
        }
        assert {"acl", "basic-auth", "core", "key-auth", "jwt", "oauth2"} <= set(rows)
        assert rows["key-auth"]["executed"] == ["000_base_key_auth"]
        # re-running the DDL is harmless, so is adding an existing column
        await connector.execute_ddl(m000_base.CASSANDRA)
        await connector.execute_ddl('ALTER TABLE "services" ADD "name" text;')
        with pytest.raises(errors.DatabaseError, match=r"(?i)syntax|no viable"):
            await connector.execute_ddl("CREATE TABLUE x (id int PRIMARY KEY);")
        # and the tables work
        svc = await db.services.insert({"name": "m", "host": "example.com"})
        assert await db.services.select_by_name("m") == svc

        assert await db.migrations.reset()
        assert not await connector.schema_meta_exists()
        assert await connector._tables() == []


def test_core_migration_is_the_ddl_of_the_core_entities() -> None:
    db = DB(from_dsn("cassandra://127.0.0.1/ks"))
    printed = "\n\n".join(
        create_table_cql(db.schemas[n], db.schemas)
        for n in ("workspaces", "consumers", "services", "routes", "plugins")
    )
    statements = split_statements(m000_base.CASSANDRA)
    # the tables, and the seeding of the default workspace (its row and its name's claim)
    assert [s for s in statements if not s.startswith("INSERT")] == split_statements(printed)
    seeds = [s for s in statements if s.startswith("INSERT")]
    assert [s.split('"')[1] for s in seeds] == ["workspaces", "workspaces_by_name"]
    assert all(DEFAULT_WORKSPACE_ID in s and s.endswith("IF NOT EXISTS") for s in seeds)
    printed = "\n\n".join(
        create_table_cql(db.schemas[n], db.schemas)
        for n in ("certificates", "ca_certificates", "snis", "upstreams", "targets")
    )
    assert split_statements(m001_certificates_upstreams.CASSANDRA) == split_statements(printed)


def test_split_statements() -> None:
    text = "-- a comment; with a semicolon\nCREATE TABLE a (x int PRIMARY KEY);\n\n;  ;B"
    assert split_statements(text) == ["CREATE TABLE a (x int PRIMARY KEY)", "B"]


async def test_record_migration(scratch_keyspace: str) -> None:
    connector: Any = from_dsn(scratch_keyspace)
    await connector.connect()
    try:
        await connector.bootstrap_meta()
        await connector.record_migration("p", "001_a", "executed")
        await connector.record_migration("p", "002_b", "pending")
        await connector.record_migration("p", "002_b", "pending")
        assert await connector.read_schema_meta() == [
            {
                "subsystem": "p",
                "last_executed": "001_a",
                "executed": ["001_a"],
                "pending": ["002_b"],
            }
        ]
        await connector.record_migration("p", "002_b", "teardown")
        assert await connector.read_schema_meta() == [
            {
                "subsystem": "p",
                "last_executed": "002_b",
                "executed": ["001_a", "002_b"],
                "pending": [],
            }
        ]
        with pytest.raises(ValueError, match="unknown migration state"):
            await connector.record_migration("p", "x", "done")
    finally:
        await connector.close()


async def test_locks(scratch_keyspace: str) -> None:
    connector: Any = from_dsn(scratch_keyspace)
    await connector.connect()
    try:
        await connector.bootstrap_meta()
        results = await asyncio.gather(
            *(connector.insert_lock("migrations", f"node-{i}", 1.2) for i in range(10))
        )
        assert results.count(True) == 1
        owner = await connector.read_lock("migrations")
        assert owner == f"node-{results.index(True)}"
        await connector.remove_lock("migrations", "somebody-else")
        assert await connector.read_lock("migrations") == owner
        await asyncio.sleep(2.1)  # the TTL (rounded up to 2 s) frees it
        assert await connector.read_lock("migrations") is None
        assert await connector.insert_lock("migrations", "late", 60)
        # held by its owner: taken (a re-run after a lost answer), by anybody else: not
        assert await connector.insert_lock("migrations", "late", 60) is True
        assert await connector.insert_lock("migrations", "later", 60) is False
        await connector.remove_lock("migrations", "late")
        assert await connector.read_lock("migrations") is None
        await connector.wait_for_schema_consensus()
    finally:
        await connector.close()


async def test_bootstrap_with_network_topology(scratch_keyspace: str) -> None:
    connector: Any = from_dsn(
        scratch_keyspace,
        replication_strategy="NetworkTopologyStrategy",
        data_centers="datacenter1:1",
    )
    await connector.connect()
    try:
        await connector.bootstrap_meta()
        if connector.server_version[:1] == (2,):
            cql = "SELECT strategy_class, strategy_options FROM system.schema_keyspaces "
            cql += "WHERE keyspace_name = ?"
        else:
            cql = "SELECT replication FROM system_schema.keyspaces WHERE keyspace_name = ?"
        row = (await connector.read(cql).run([connector.settings.keyspace])).first()
        described = " ".join(str(v) for v in row.as_list())
        assert "NetworkTopologyStrategy" in described
        assert "datacenter1" in described
    finally:
        await connector.close()


# -- settings and DSNs ---------------------------------------------------------------------------


def test_settings_repr_hides_the_password() -> None:
    s = CassandraSettings.from_dsn("cassandra://kong:s3cr%40t@h1,h2:9043/ks?protocol_version=3")
    assert s.password == "s3cr@t"
    assert "s3cr" not in repr(s)
    connector = from_dsn("cassandra://kong:s3cr%40t@h1/ks")
    assert "s3cr" not in repr(connector)
    assert "***" in repr(connector)
    assert connector.error(RuntimeError("echo s3cr@t")).message == "echo ***"


def test_dsn_parsing() -> None:
    s = CassandraSettings.from_dsn(
        "cassandra://u@10.0.0.1:9043,10.0.0.2:9043,[::1]:9043/kong_ks?protocol_version=3"
        "&replication_strategy=NetworkTopologyStrategy&data_centers=dc1:3,dc2:2"
        "&local_dc=dc1&read_consistency=local_quorum&write_consistency=QUORUM"
        "&request_timeout=2.5&ssl=true&claim_grace=5"
    )
    assert s.contact_points == ("10.0.0.1", "10.0.0.2", "::1")
    assert s.port == 9043
    assert s.keyspace == "kong_ks"
    assert s.username == "u"
    assert s.password is None
    assert s.protocol_version == 3
    assert s.data_centers == (("dc1", 3), ("dc2", 2))
    assert s.local_dc == "dc1"
    assert s.effective_serial_consistency == "LOCAL_SERIAL"
    assert (s.read_consistency, s.write_consistency) == ("LOCAL_QUORUM", "QUORUM")
    assert s.request_timeout == 2.5
    assert s.ssl is True
    assert s.claim_grace == 5.0
    assert (
        s.redacted_dsn() == "cassandra://u@10.0.0.1,10.0.0.2,[::1]:9043/kong_ks?protocol_version=3"
    )

    defaults = CassandraSettings.from_dsn("cassandra://")
    assert (defaults.contact_points, defaults.port, defaults.keyspace) == (
        ("127.0.0.1",),
        9042,
        "kong",
    )
    timeouts = CassandraSettings.from_dsn("cassandra://h/ks", statement_timeout=90)
    assert (timeouts.request_timeout, timeouts.schema_consensus_timeout) == (90.0, 90.0)
    assert timeouts.ddl_timeout == 90.0

    for bad in (
        "postgresql://h/ks",
        "cassandra://h/ks?nope=1",
        "cassandra://h1:1,h2:2/ks",
        "cassandra://h/bad-name",
        "cassandra://h/ks?replication_strategy=NetworkTopologyStrategy",
        "cassandra://h/ks?replication_strategy=Everywhere",
        "cassandra://h/ks?data_centers=dc1",
    ):
        with pytest.raises(ValueError):
            CassandraSettings.from_dsn(bad)
    with pytest.raises(TypeError):
        CassandraSettings.from_dsn("cassandra://h/ks", pool_size=3)


def test_reconnect_delays() -> None:
    s = CassandraSettings.from_dsn("cassandra://h/ks")
    assert (s.reconnect_delay, s.reconnect_max_delay) == (1.0, 10.0)
    s = CassandraSettings.from_dsn("cassandra://h/ks?reconnect_delay=0.5&reconnect_max_delay=4")
    assert (s.reconnect_delay, s.reconnect_max_delay) == (0.5, 4.0)
    for bad in ("reconnect_delay=0", "reconnect_delay=5&reconnect_max_delay=4"):
        with pytest.raises(ValueError, match="reconnect"):
            CassandraSettings.from_dsn(f"cassandra://h/ks?{bad}")


def test_environment_fallbacks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KONGDAO_CASSANDRA_HOSTS", "a.example:9999,b.example:9999")
    monkeypatch.setenv("KONGDAO_CASSANDRA_KEYSPACE", "from_env")
    monkeypatch.setenv("KONGDAO_CASSANDRA_USERNAME", "env-user")
    monkeypatch.setenv("KONGDAO_CASSANDRA_PASSWORD", "env-pass")
    monkeypatch.setenv("KONGDAO_CASSANDRA_READ_CONSISTENCY", "quorum")
    s = CassandraSettings.from_dsn(None)
    assert s.contact_points == ("a.example", "b.example")
    assert s.port == 9999
    assert (s.keyspace, s.username, s.password) == ("from_env", "env-user", "env-pass")
    assert s.read_consistency == "QUORUM"
    s = CassandraSettings.from_dsn("cassandra://c.example/ks")
    assert (s.contact_points, s.keyspace, s.port) == (("c.example",), "ks", 9999)


def test_tables_follow_the_model() -> None:
    model = EntityModel(schema_of(Token), {"consumers": DB(from_dsn(None)).schemas["consumers"]})
    assert model.tables == (
        "t_cass_tokens",
        "t_cass_tokens_by_key",
        "t_cass_tokens_by_consumer",
        "t_cass_tokens_by_tag",
    )
    cql = create_table_cql(schema_of(Token), {})
    assert '"kongdao_version" uuid' in cql
    assert '"tags" list<text>' in cql
    assert '"created_at" timestamp' in cql
