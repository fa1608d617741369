"""Workspaces: which tenant a DAO call works in (Kong 2.1+ OSS, ``kong/workspaces``).

Every workspaceable entity carries the id of its workspace (the hidden ``ws_id`` column, shown
only with ``show_ws_id=True``). A DAO call works in one workspace, chosen in this order:

1. the call's ``workspace`` option: a workspace id or name, or ``None`` for a *global* call that
   sees every workspace (Kong's ``workspace = null``; refused by ``*_by_<unique field>`` unless
   the field is ``unique_across_ws``, with INVALID_UNIQUE_GLOBAL);
2. the workspace of the enclosing ``async with db.use_workspace("team-a"):`` block (a
   :class:`contextvars.ContextVar`, so concurrent tasks each keep their own, as Kong keeps it in
   ``ngx.ctx``);
3. the ``default`` workspace, which the core migrations create.

Single-workspace users never mention workspaces: everything lands in ``default``.

Inserts stamp the chosen workspace on the row; reads, updates and deletes see only the rows of
that workspace (a global call sees all and keeps each row's own workspace). Unique fields are
unique per workspace, composite cache keys end with the workspace id (Kong's 7th segment), and
foreign keys only reach rows of the same workspace.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from kongdao.db import DB

__all__ = [
    "DEFAULT_WORKSPACE",
    "bound",
    "DEFAULT_WORKSPACE_ID",
    "current_workspace",
    "is_uuid",
    "use_workspace",
]

DEFAULT_WORKSPACE: Final = "default"
"""The name of the workspace every database starts with."""

DEFAULT_WORKSPACE_ID: Final = "1a2c6b6e-0d3f-4c8e-9b51-6f0a7d4e2c10"
"""The id the core migrations give the ``default`` workspace.

Kong gives it a random id; kongdao's migrations use this fixed one so that PostgreSQL and
Cassandra can seed it with a plain statement. A DB never assumes it: it reads the id of the
workspace named ``default`` when it opens, so a database created by Kong works too.
"""

_current: ContextVar[str | None] = ContextVar("kongdao_workspace", default=None)


def current_workspace() -> str | None:
    """The id set by the innermost :func:`use_workspace` block of this task, if any."""
    return _current.get()


def is_uuid(value: str) -> bool:
    """Whether ``value`` is a UUID in its canonical text form (any case)."""
    if len(value) != 36:
        return False
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


@asynccontextmanager
async def use_workspace(db: DB, workspace: Any) -> AsyncIterator[str]:
    """Work in ``workspace`` (an id or a name) inside the block; yields its id.

    Calls made in the block (in this task and the tasks it creates) default to this workspace.
    ``db.use_workspace(...)`` is the same.

    Raises:
        InvalidOptions: ``workspace: invalid workspace``: no workspace has this name or id.
        TypeError: ``workspace`` is not a string.
    """
    if not isinstance(workspace, str):
        raise TypeError("workspace must be a string")
    ws_id = await db.resolve_workspace(workspace, must_exist=True)
    token = _current.set(ws_id)
    try:
        yield ws_id
    finally:
        _current.reset(token)


@contextmanager
def bound(ws_id: str) -> Iterator[None]:
    """Make ``ws_id`` the current workspace inside the block (no lookup, no check).

    DAOs whose methods make several calls (targets, certificates) use it so that all of them
    work in the workspace of the outer call.
    """
    token = _current.set(ws_id)
    try:
        yield
    finally:
        _current.reset(token)
