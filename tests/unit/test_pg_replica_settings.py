"""PostgreSQL read-replica settings (Kong's ``pg_ro_*``): parsing, defaults, secrets."""

from __future__ import annotations

import pytest

from kongdao.connectors.postgres.connector import PostgresSettings
from kongdao.routing import WRITE_METHODS, on_primary, reads_primary, use_primary


def test_no_replica_by_default():
    s = PostgresSettings.from_dsn("postgresql://kong@db:5432/kong")
    assert not s.has_replica
    assert s.replica() is None


def test_replica_settings_inherit_the_primarys():
    s = PostgresSettings.from_dsn(
        "postgresql://kong:secret@db:5432/kong?ro_host=replica&ro_pool_max_size=4"
    )
    ro = s.replica()
    assert ro is not None
    assert (ro.host, ro.port, ro.user, ro.password, ro.database) == (
        "replica",
        5432,
        "kong",
        "secret",
        "kong",
    )
    assert ro.pool_max_size == 4
    assert not ro.has_replica


def test_replica_on_another_port_and_role(monkeypatch):
    monkeypatch.setenv("KONGDAO_PG_RO_PORT", "5433")
    monkeypatch.setenv("KONGDAO_PG_RO_USER", "reader")
    monkeypatch.setenv("KONGDAO_PG_RO_PASSWORD", "ro-secret")
    s = PostgresSettings.from_dsn("postgresql://kong:secret@db/kong")
    ro = s.replica()
    assert ro is not None
    assert (ro.host, ro.port, ro.user, ro.password) == ("db", 5433, "reader", "ro-secret")
    assert "ro-secret" not in repr(s)
    assert "secret" not in repr(s)
    assert "ro-secret" not in s.redacted_dsn()
    assert s.redacted_dsn().endswith("?ro_host=db&ro_port=5433")


def test_replica_ssl_and_retry_interval():
    s = PostgresSettings.from_dsn(
        "postgresql://kong@db/kong?sslmode=verify-full&ro_host=r&ro_ssl=disable"
        "&ro_retry_interval=0.5"
    )
    assert s.ssl is True
    assert s.replica().ssl is False
    assert s.ro_retry_interval == 0.5
    with pytest.raises(ValueError, match="ro_retry_interval"):
        PostgresSettings(ro_host="r", ro_retry_interval=0)
    with pytest.raises(ValueError, match="unknown ssl mode"):
        PostgresSettings.from_dsn("postgresql://kong@db/kong?ro_host=r&ro_ssl=sometimes")


async def test_routing_context():
    assert not reads_primary()
    with use_primary():
        assert reads_primary()
    assert not reads_primary()

    @on_primary
    async def write() -> bool:
        return reads_primary()

    assert await write() is True
    assert not reads_primary()
    assert on_primary(write) is write  # not wrapped twice


def test_every_dao_write_method_reads_the_primary():
    from kongdao.dao.base import DAO
    from kongdao.dao.targets import TargetsDAO

    for cls in (DAO, TargetsDAO):
        for name in WRITE_METHODS:
            assert getattr(getattr(cls, name), "__kongdao_on_primary__", False), (cls, name)

    class PluginDAO(DAO):  # a plugin's own DAO class
        async def insert(self, entity, **options):
            return await super().insert(entity, **options)

    assert PluginDAO.insert.__kongdao_on_primary__
