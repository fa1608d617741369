"""Fixtures of the migration tests: one fresh PostgreSQL database per test module."""

from collections.abc import AsyncIterator

import pytest

from kongdao.testing.plugin import create_pg_database


@pytest.fixture(scope="module")
async def database(request: pytest.FixtureRequest) -> AsyncIterator[str]:
    """A fresh database for this module; its DSN (dropped after the module).

    Named ``<DATABASE_PREFIX>_<hex>``, the module's ``DATABASE_PREFIX`` or ``kongdao_test_mig``.
    """
    prefix = getattr(request.module, "DATABASE_PREFIX", "kongdao_test_mig")
    dsn, drop = await create_pg_database(prefix=prefix)
    yield dsn
    await drop()
