"""The ``off`` test backend of kongdao.testing: reads really come from the DB-less DB.

The mirror tests run on the ``off`` backend only (``backend`` parametrised indirectly); they
are marked ``reads`` so that the plugin keeps them there. The collection test runs pytest in a
subprocess, collection only (no database needed).
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from kongdao import errors
from kongdao.testing.dbless import DBLessMirror
from kongdao.testing.plugin import OFF


@pytest.mark.parametrize("backend", [OFF], indirect=True)
@pytest.mark.reads
class TestMirror:
    async def test_the_db_fixture_is_a_mirror_with_the_off_connector(self, db):
        assert isinstance(db, DBLessMirror)
        assert db.connector is db.off.connector
        assert db.connector.name == "off"
        assert db.source.connector.name == "postgres"
        assert repr(db.services) == "<MirroredDAO services (reads: off, writes: postgres)>"

    async def test_reads_come_from_the_off_db_reloaded_after_writes(self, db):
        svc = await db.services.insert({"name": "m1", "host": "m1.example.com"})
        reloads = db.reloads
        assert await db.services.select({"id": svc.id}) == svc
        assert await db.services.select_by_name("m1") == svc
        assert await db.services.count() == 1
        assert db.reloads == reloads + 1  # lazily: one reload for the reads after a write

        # a row written behind the mirror's back is not seen: reads do not reach the database
        hidden = await db.source.services.insert({"name": "m2", "host": "m2.example.com"})
        assert await db.services.select_by_name("m2") is None
        assert await db.off.services.select_by_name("m2") is None
        db.mark_stale()
        assert await db.services.select_by_name("m2") == hidden
        assert db.reloads == reloads + 2

    async def test_writes_go_to_the_database_with_its_errors(self, db):
        await db.services.insert({"name": "w1", "host": "w1.example.com"})
        assert await db.source.services.select_by_name("w1") is not None
        with pytest.raises(errors.UniqueViolation) as info:
            await db.services.insert({"name": "w1", "host": "w1.example.com"})
        assert info.value.strategy == "postgres"
        # the off DB itself refuses writes
        with pytest.raises(errors.OperationUnsupported):
            await db.off.services.insert({"name": "w2", "host": "w2.example.com"})

    async def test_read_errors_are_the_off_strategys(self, db):
        with pytest.raises(errors.InvalidOffset) as offset:
            await db.services.page(1, "hello")
        assert str(offset.value) == "[off] 'hello' is not a valid offset: bad base64 encoding"
        with pytest.raises(errors.InvalidSize) as size:
            await db.routes.each(0).__anext__()
        assert size.value.strategy == "off"

    async def test_iterators_are_lazy_and_reload_first(self, db):
        routes = db.routes.each()
        await db.services.insert({"name": "i1", "host": "i1.example.com"})
        reloads = db.reloads
        assert [s.name async for s in db.services.each()] == ["i1"]
        assert [r async for r in routes] == []
        assert db.reloads == reloads + 1

    async def test_other_attributes_are_refused(self, db):
        with pytest.raises(AttributeError, match=r"use \.reads or \.writes"):
            _ = db.services.strategy
        with pytest.raises(AttributeError):
            _ = db.no_such_entity
        assert db.services.reads is db.off.services
        assert db.services.writes is db.source.services


def test_write_tests_are_deselected_on_off_and_counted(tmp_path):
    (tmp_path / "conftest.py").write_text('pytest_plugins = ["kongdao.testing.plugin"]\n')
    (tmp_path / "test_sample.py").write_text(
        textwrap.dedent(
            """
            import pytest

            @pytest.mark.reads
            def test_read(db): pass

            def test_write(db): pass

            def test_plain(): pass
            """
        )
    )
    env = {**os.environ, "KONGDAO_TEST_BACKENDS": "postgres,off"}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    collected = {line for line in result.stdout.splitlines() if "::" in line}
    assert collected == {
        "test_sample.py::test_read[postgres]",
        "test_sample.py::test_read[off]",
        "test_sample.py::test_write[postgres]",
        "test_sample.py::test_plain",
    }
    assert (
        "kongdao: 1 [off] tests deselected: not marked 'reads' "
        "(they test writes, which DB-less refuses)"
    ) in result.stdout
    assert "4/5 tests collected (1 deselected)" in result.stdout
