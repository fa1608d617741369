"""Secrets and TLS: passwords never leak; TLS settings reach the server; credentials are hashed.

* A password given in a DSN, a keyword or the environment never appears in ``repr`` or ``str``
  of the settings, connectors, DBs and sync DBs, in an error (message, ``err_t``, Kong's body,
  the whole formatted traceback with its causes), in a log record (kongdao's, asyncpg's or the
  Cassandra driver's, at DEBUG), or in the command line's output. Checked against a private
  PostgreSQL that really asks for the password (``scram-sha-256``), with the right and a
  wrong one, and against closed ports for both databases.
* TLS settings reach the server: against a private PostgreSQL with TLS and a throwaway CA,
  ``sslmode=require`` encrypts (``pg_stat_ssl``), ``verify-full`` with ``sslrootcert`` verifies
  the chain and the host, ``verify-full`` without it refuses the unknown CA, and a client
  certificate (``sslcert``/``sslkey``) logs in with ``cert`` authentication. On Cassandra, the
  TLS settings become the driver's arguments, and (``make test-reliability``) a private TLS-only
  node accepts a client that trusts its certificate and refuses plain or untrusting ones.
* basic-auth passwords are stored hashed: the plain password is in no stored column.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import traceback
import urllib.parse

import asyncpg
import pytest

import kongdao
from kongdao import errors
from kongdao.cli.__main__ import main as cli_main
from kongdao.connectors.cassandra import CassandraSettings
from kongdao.connectors.cassandra import from_dsn as cassandra_from_dsn
from kongdao.connectors.postgres import PostgresSettings
from kongdao.connectors.postgres import from_dsn as postgres_from_dsn
from kongdao.db import DB
from tests.reliability.hostile import raw_snapshot
from tests.reliability.servers import PrivateCassandra, PrivatePostgres, free_port
from tests.reliability.tls import TestCA

pytestmark = pytest.mark.postgres

PASSWORD = f"pw-{secrets.token_hex(8)}"
WRONG = f"wrong-{secrets.token_hex(8)}"


def leaks(secret: str, *texts: str) -> list[str]:
    return [t for t in texts if secret in t]


def everything_about(exc: BaseException) -> list[str]:
    """Every text an error shows: message, repr, err_t, Kong's body, the traceback and causes."""
    texts = [str(exc), repr(exc), "".join(traceback.format_exception(exc))]
    if isinstance(exc, errors.KongDAOError):
        texts += [repr(exc.err_t), repr(exc.to_kong_body())]
    return texts


# -- a private PostgreSQL with a password and TLS ----------------------------------------------


@pytest.fixture(scope="module")
def tls_folder(tmp_path_factory):
    return tmp_path_factory.mktemp("tls")


@pytest.fixture(scope="module")
def ca():
    return TestCA()


@pytest.fixture(scope="module")
def private_pg(ca):
    """A PostgreSQL asking for passwords (scram), with TLS; ``certuser`` logs in by certificate."""
    server = PrivatePostgres(
        password=PASSWORD,
        ssl=ca.issue("kongdao test server", ip="127.0.0.1"),
        ssl_ca=ca.pem,
        hba=["hostssl all certuser 127.0.0.1/32 cert"],
    )
    server.start()
    try:
        yield server
    finally:
        server.destroy()


async def _create_database(server):
    conn = await asyncpg.connect(server.dsn("postgres"))
    try:
        if not await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = 'kong'"):
            await conn.execute("CREATE DATABASE kong")
            await conn.execute("CREATE ROLE certuser LOGIN SUPERUSER")
    finally:
        await conn.close()


# -- reprs -----------------------------------------------------------------------------------------


def test_reprs_hide_passwords(monkeypatch):
    pg = PostgresSettings.from_dsn(f"postgresql://kong:{PASSWORD}@db.example:5432/kong")
    assert pg.password == PASSWORD
    cass = CassandraSettings.from_dsn(
        f"cassandra://kong:{PASSWORD}@h1/ks", ssl_key_password=PASSWORD, offset_secret=PASSWORD
    )
    assert cass.password == PASSWORD
    pg_connector = postgres_from_dsn(f"postgresql://kong:{PASSWORD}@db.example/kong")
    cass_connector = cassandra_from_dsn(f"cassandra://kong:{PASSWORD}@h1/ks")
    texts = [repr(pg), str(pg), repr(cass), str(cass), repr(pg_connector), repr(cass_connector)]
    texts += [repr(DB(pg_connector)), repr(DB(cass_connector)), pg.redacted_dsn()]
    texts += [cass.redacted_dsn()]
    assert leaks(PASSWORD, *texts) == []
    assert "***" in repr(pg_connector)
    assert "***" in repr(cass_connector)

    monkeypatch.setenv("KONGDAO_PG_PASSWORD", PASSWORD)
    from_env = PostgresSettings.from_dsn(None)
    assert from_env.password == PASSWORD
    assert leaks(PASSWORD, repr(from_env), repr(postgres_from_dsn(None))) == []


async def test_open_dbs_hide_passwords(dsn_for, backend):
    """The shared test servers do not check passwords (trust): any password connects."""
    # the user and password replace whatever the DSN has (the embedded server's DSN names the
    # user with an empty password, over a socket: ``postgres:@/db?host=...``)
    parts = urllib.parse.urlsplit(dsn_for)
    user = parts.username or ("postgres" if backend == "postgres" else "kong")
    where = parts.netloc.rpartition("@")[2]
    dsn = urllib.parse.urlunsplit(parts._replace(netloc=f"{user}:{PASSWORD}@{where}"))
    async with kongdao.connect(dsn, ttl_cleanup_interval=None) as db:
        assert db.connector.settings.password == PASSWORD
        await db.services.insert({"name": "secret-holder", "host": "a.example"})
        with pytest.raises(errors.UniqueViolation) as excinfo:
            await db.services.insert({"name": "secret-holder", "host": "a.example"})
        texts = [repr(db), repr(db.connector), repr(db.services), repr(await db.infos())]
        texts += everything_about(excinfo.value)
        assert leaks(PASSWORD, *texts) == []
        await db.services.delete_by_name("secret-holder")

    def sync_reprs():
        from kongdao import sync

        with sync.connect(dsn, ttl_cleanup_interval=None) as sdb:
            return [repr(sdb), repr(sdb.async_db), repr(sdb.services)]

    assert leaks(PASSWORD, *await asyncio.to_thread(sync_reprs)) == []


# -- errors and logs -----------------------------------------------------------------------------


async def test_failed_connections_hide_passwords(private_pg, caplog):
    await _create_database(private_pg)
    closed = free_port()
    caplog.set_level(logging.DEBUG)  # every logger: kongdao, asyncpg, acsylla
    failures = []
    for dsn, settings in [
        (private_pg.dsn("kong", password=WRONG), {}),  # the server says no
        (f"postgresql://postgres:{WRONG}@127.0.0.1:{closed}/kong", {}),  # nothing listens
        (f"cassandra://kong:{WRONG}@127.0.0.1:{closed}/ks?protocol_version=3", {}),
        (
            f"cassandra://kong:{WRONG}@127.0.0.1:{closed}/ks?protocol_version=3",
            {"driver_log_level": "debug", "ssl_key_password": WRONG},
        ),
    ]:
        with pytest.raises(errors.DatabaseError) as excinfo:
            await kongdao.connect(dsn, connect_timeout=2, check_migrations=False, **settings)
        failures.append(excinfo.value)
    assert "password authentication failed" in str(failures[0])
    texts = [t for exc in failures for t in everything_about(exc)]
    texts += [r.getMessage() for r in caplog.records]
    texts += [
        "".join(traceback.format_exception(*r.exc_info)) for r in caplog.records if r.exc_info
    ]
    assert leaks(WRONG, *texts) == []


async def test_right_password_connects_and_logs_nothing_secret(private_pg, caplog):
    await _create_database(private_pg)
    caplog.set_level(logging.DEBUG)
    async with kongdao.connect(
        private_pg.dsn("kong"), check_migrations=False, ttl_cleanup_interval=None
    ) as db:
        await db.migrations.bootstrap()
        await db.services.insert({"name": "s", "host": "a.example"})
        await db.services.delete_by_name("s")
    assert leaks(PASSWORD, *(r.getMessage() for r in caplog.records)) == []


async def test_command_line_hides_passwords(private_pg, capsys):
    await _create_database(private_pg)
    wrong = private_pg.dsn("kong", password=WRONG)
    for argv in (
        ["migrations", "list", "--dsn", wrong],
        ["check", "--dsn", wrong],
        ["repair", "--dry-run", "--dsn", wrong],
    ):
        code = await asyncio.to_thread(cli_main, argv)
        out, err = capsys.readouterr()
        assert code != 0
        assert "password authentication failed" in err
        assert leaks(WRONG, out, err) == []


# -- TLS -----------------------------------------------------------------------------------------


async def _tls_in_use(dsn, **settings):
    async with (
        kongdao.connect(dsn, check_migrations=False, ttl_cleanup_interval=None, **settings) as db,
        db.connector.pool.acquire() as conn,
    ):
        return await conn.fetchval("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")


async def test_postgres_tls_settings_reach_the_server(private_pg, ca, tls_folder):
    await _create_database(private_pg)
    base = private_pg.dsn("kong")
    root = TestCA.write(tls_folder, "root.crt", ca.pem)
    other = TestCA.write(tls_folder, "other.crt", TestCA("another CA").pem)

    assert await _tls_in_use(base) is False  # no sslmode: off (not libpq's default, prefer)
    assert await _tls_in_use(f"{base}?sslmode=prefer") is True
    assert await _tls_in_use(f"{base}?sslmode=require") is True
    assert await _tls_in_use(f"{base}?sslmode=verify-full&sslrootcert={root}") is True
    assert await _tls_in_use(base, ssl="verify-ca", ssl_ca_file=root) is True
    # verification refuses a server whose CA is not trusted
    for dsn in (f"{base}?sslmode=verify-full", f"{base}?sslmode=verify-ca&sslrootcert={other}"):
        with pytest.raises(errors.DatabaseError, match="certificate verify failed"):
            await _tls_in_use(dsn)
    # a missing certificate file is a DATABASE_ERROR, not an OSError from the depths
    with pytest.raises(errors.DatabaseError, match="No such file"):
        await _tls_in_use(base, ssl="verify-full", ssl_ca_file=str(tls_folder / "missing.crt"))

    # a client certificate logs in where the server asks for one (cert authentication)
    cert, key = ca.issue("certuser")
    cert_file = TestCA.write(tls_folder, "client.crt", cert)
    key_file = TestCA.write(tls_folder, "client.key", key)
    as_certuser = f"postgresql://certuser@127.0.0.1:{private_pg.port}/kong"
    assert (
        await _tls_in_use(
            f"{as_certuser}?sslmode=verify-full&sslrootcert={root}&sslcert={cert_file}"
            f"&sslkey={key_file}"
        )
        is True
    )
    with pytest.raises(errors.DatabaseError, match="certificate"):
        await _tls_in_use(f"{as_certuser}?sslmode=verify-full&sslrootcert={root}")


def test_postgres_ssl_modes_parse_as_libpq_names():
    for mode, value in [
        ("disable", False),
        ("allow", "allow"),
        ("prefer", "prefer"),
        ("require", "require"),
        ("verify-ca", "verify-ca"),
        ("verify-full", True),
    ]:
        assert PostgresSettings.from_dsn(f"postgresql://h/db?sslmode={mode}").ssl == value
        assert PostgresSettings(ssl=mode.upper()).ssl == value
    s = PostgresSettings.from_dsn(
        "postgresql://h/db?sslmode=verify-ca&sslrootcert=/ca.pem&sslcert=/c.pem&sslkey=/k.pem"
    )
    assert (s.ssl_ca_file, s.ssl_cert_file, s.ssl_key_file) == ("/ca.pem", "/c.pem", "/k.pem")
    with pytest.raises(ValueError, match="unknown ssl mode"):
        PostgresSettings.from_dsn("postgresql://h/db?sslmode=maybe")


def test_cassandra_tls_settings_become_driver_arguments(monkeypatch, tmp_path):
    """The settings reach acsylla's create_cluster as its TLS arguments (files read as PEM)."""
    import acsylla

    ca_file = TestCA.write(tmp_path, "ca.pem", "CA PEM")
    cert_file = TestCA.write(tmp_path, "client.pem", "CLIENT PEM")
    key_file = TestCA.write(tmp_path, "client.key", "KEY PEM")
    seen = {}

    def capture(contact_points, **kwargs):
        seen.update(kwargs)
        raise RuntimeError("captured")

    monkeypatch.setattr(acsylla, "create_cluster", capture)
    connector = cassandra_from_dsn(
        f"cassandra://h/ks?ssl=true&ssl_verify=true&ssl_ca_file={ca_file}"
        f"&ssl_cert_file={cert_file}&ssl_key_file={key_file}&ssl_key_password={PASSWORD}"
    )
    with pytest.raises(RuntimeError, match="captured"):
        connector._cluster()
    assert seen["ssl_enabled"] is True
    assert seen["ssl_verify_flags"] == acsylla.SSLVerifyFlags.PEER_CERT
    assert (seen["ssl_trusted_cert"], seen["ssl_cert"], seen["ssl_private_key"]) == (
        "CA PEM",
        "CLIENT PEM",
        "KEY PEM",
    )
    assert seen["ssl_private_key_password"] == PASSWORD
    assert leaks(PASSWORD, repr(connector.settings), repr(connector)) == []
    seen.clear()
    with pytest.raises(RuntimeError, match="captured"):
        cassandra_from_dsn("cassandra://h/ks?ssl=true&ssl_verify=false")._cluster()
    assert seen["ssl_verify_flags"] == acsylla.SSLVerifyFlags.NONE
    seen.clear()
    with pytest.raises(RuntimeError, match="captured"):
        cassandra_from_dsn("cassandra://h/ks")._cluster()
    assert "ssl_enabled" not in seen


@pytest.fixture(scope="module")
def tls_cassandra(tmp_path_factory):
    """A private Cassandra node speaking TLS only, with a certificate made by keytool."""
    import shutil
    import subprocess

    if shutil.which("keytool") is None:
        pytest.skip("no keytool (it comes with the Java runtime)")
    folder = tmp_path_factory.mktemp("cassandra-tls")
    keystore, pem, password = folder / "node.jks", folder / "node.pem", "kongdao-tls"
    for args in (
        ["-genkeypair", "-alias", "node", "-keyalg", "RSA", "-keysize", "2048",
         "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1", "-validity", "7",
         "-storetype", "JKS", "-keypass", password],
        ["-exportcert", "-rfc", "-alias", "node", "-file", str(pem)],
    ):  # fmt: skip
        subprocess.run(
            ["keytool", *args, "-keystore", str(keystore), "-storepass", password],
            check=True,
            capture_output=True,
        )
    node = PrivateCassandra(
        extra_yaml=(
            "client_encryption_options:\n"
            "    enabled: true\n"
            f"    keystore: {keystore}\n"
            f"    keystore_password: {password}\n"
            "    require_client_auth: false\n"
        )
    )
    try:
        node.up()
        yield node, str(pem)
    finally:
        node.destroy()


@pytest.mark.reliability
@pytest.mark.cassandra
async def test_cassandra_tls_settings_reach_the_node(tls_cassandra, tmp_path):
    """A TLS-only node: TLS with its certificate trusted works; plain or untrusted is refused."""
    node, pem = tls_cassandra
    dsn = node.dsn(f"kongdao_tls_{secrets.token_hex(3)}")
    async with kongdao.connect(
        dsn, ssl=True, ssl_ca_file=pem, check_migrations=False, ttl_cleanup_interval=None
    ) as db:
        await db.migrations.bootstrap()
        svc = await db.services.insert({"name": "over-tls", "host": "a.example"})
        assert await db.services.select_by_name("over-tls") == svc
    with pytest.raises(errors.DatabaseError) as plain:
        await kongdao.connect(dsn, connect_timeout=3, check_migrations=False)
    other = TestCA.write(tmp_path, "other.pem", TestCA("another CA").pem)
    with pytest.raises(errors.DatabaseError) as untrusted:
        await kongdao.connect(
            dsn, ssl=True, ssl_ca_file=other, connect_timeout=3, check_migrations=False
        )
    assert "No hosts available" in str(plain.value)  # the node closes a plain connection
    assert "Error verifying peer certificate" in str(untrusted.value)


# -- hashed credentials ---------------------------------------------------------------------------


async def test_basic_auth_passwords_are_stored_hashed(db, bp):
    plain = f"plain-{secrets.token_hex(6)}"
    consumer = await bp.consumers()
    cred = await db.basicauth_credentials.insert(
        {"consumer": {"id": consumer.id}, "username": "hashed", "password": plain}
    )
    assert cred.password != plain
    updated = await db.basicauth_credentials.update(
        {"id": cred.id}, {"password": plain + "2", "consumer": {"id": consumer.id}}
    )
    stored = await raw_snapshot(db, ("basicauth_credentials",))
    assert stored["basicauth_credentials"]
    assert leaks(plain, *(row for rows in stored.values() for row in rows)) == []
    with pytest.raises(errors.UniqueViolation) as excinfo:
        await db.basicauth_credentials.insert(
            {"consumer": {"id": consumer.id}, "username": "hashed", "password": plain}
        )
    assert leaks(plain, *everything_about(excinfo.value), repr(cred), repr(updated)) == []
