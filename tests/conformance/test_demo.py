"""``make demo``'s walk-through (kongdao.demo.run_demo) runs on every backend."""

import pytest

from kongdao.demo import run_demo

pytestmark = pytest.mark.postgres


async def test_the_demo_walks_through(db, dsn_for):
    lines: list[str] = []
    await run_demo(dsn_for, say=lines.append)
    text = "\n".join(lines)
    assert lines[0].startswith("connected to ")
    assert "service 'mockbin' from a url: protocol=http host=mockbin.org port=80" in text
    assert "select_by_cache_key 'plugins:key-auth::" in text
    assert "paged 26 routes of the service in 3 pages of 10" in text
    assert "Kong's error, code 5: " in text
    assert "1 cascaded plugin deletion" in text
    assert lines[-1].startswith("done in ")
    assert await db.services.count() == 0
