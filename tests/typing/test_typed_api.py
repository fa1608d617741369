"""The typed API: generated DAO methods are visible to mypy, async and blocking alike.

Runs mypy (``mypy.api.run``) on a small snippet and checks what it reveals.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

pytest.importorskip("mypy")
from mypy import api as mypy_api

ROOT = Path(__file__).resolve().parents[2]

SNIPPET = """
from kongdao.db import DB
from kongdao.sync import SyncDB

async def check(db: DB, sync_db: SyncDB) -> None:
    reveal_type(await db.services.select_by_name("x"))
    reveal_type(sync_db.services.select_by_name("x"))
    reveal_type(await db.routes.page_for_service({"id": "x"}))
    reveal_type(sync_db.routes.each_for_service({"id": "x"}))
    reveal_type(await db.consumers.select_by_custom_id("x"))
    reveal_type(await db.dao.plugins.find_all({"name": "key-auth"}))
    reveal_type(sync_db.dao.plugins.find_page())
    reveal_type(sync_db.dao.services.update({"host": "x"}, {"id": "x"}, full=True))
    await db.services.select_by_name(1)
    sync_db.services.select_by_nothing("x")
"""

EXPECTED = [
    "Service | None",
    "Service | None",
    "tuple[list[Route], str | None]",
    "Iterator[Route]",
    "Consumer | None",
    "list[dict[str, Any]]",
    "tuple[list[dict[str, Any]], str | None]",
    "dict[str, Any] | None",
]


def _normalise(revealed: str) -> str:
    # "kongdao.entities.services.Service" -> "Service"; older mypy: Union[X, None] -> X | None
    text = re.sub(r"\b(?:[a-z_]+\.)+([A-Z]\w*)", r"\1", revealed).replace("*", "")
    match = re.fullmatch(r"Union\[(.*), None\]", text)
    return f"{match.group(1)} | None" if match else text


@pytest.mark.slow
def test_generated_methods_are_typed(tmp_path):
    snippet = tmp_path / "snippet.py"
    snippet.write_text(textwrap.dedent(SNIPPET))
    stdout, stderr, _status = mypy_api.run(
        [
            str(snippet),
            "--config-file",
            str(ROOT / "pyproject.toml"),
            "--cache-dir",
            str(ROOT / ".mypy_cache"),
            "--no-error-summary",
            "--show-error-codes",
        ]
    )
    assert stderr == ""
    revealed = [_normalise(m.group(1)) for m in re.finditer(r'Revealed type is "(.*)"', stdout)]
    assert revealed == EXPECTED, stdout
    errors = [line for line in stdout.splitlines() if ": error:" in line]
    assert len(errors) == 2, stdout
    assert "[arg-type]" in errors[0]  # select_by_name takes a str
    assert "select_by_nothing" in errors[1]  # a misspelt method, caught statically
