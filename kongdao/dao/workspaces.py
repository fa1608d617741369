"""The DAO of ``workspaces``: Kong's ``kong/db/dao/workspaces.lua``.

A generic DAO, plus what the DB needs of it: the name -> id cache of the ``workspace`` option
is dropped whenever a workspace changes or goes, and :meth:`WorkspacesDAO.keep_only_default`
serves ``DB.truncate()`` (Kong's ``Workspaces:truncate`` re-creates ``default``). Deleting a
workspace that still holds entities fails with Kong's restricted foreign key violation.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from kongdao.dao.base import DAO
from kongdao.entities.workspaces import Workspace
from kongdao.workspaces import DEFAULT_WORKSPACE

if TYPE_CHECKING:
    from kongdao.connector import Row, WriteResult
    from kongdao.events import Operation

__all__ = ["WorkspacesDAO"]


class WorkspacesDAO(DAO[Workspace]):
    """``db.workspaces``: the generic DAO, keeping the DB's workspace cache true."""

    async def _written(
        self, op: Operation, result: WriteResult, quiet: bool, show_ws_id: bool = False
    ) -> Workspace:
        # after every update / upsert (by key or by name): a name may have changed
        self.db._forget_workspaces()
        return await super()._written(op, result, quiet, show_ws_id)

    async def _deleted(
        self,
        row: Row | None,
        cascaded: Sequence[tuple[str, Row]],
        quiet: bool,
        show_ws_id: bool = False,
    ) -> Workspace | None:
        self.db._forget_workspaces()
        return await super()._deleted(row, cascaded, quiet, show_ws_id)

    async def keep_only_default(self) -> None:
        """Delete every workspace but ``default``, and create ``default`` if it is missing.

        ``DB.truncate()`` calls it after emptying the other tables, so the id of ``default``
        (which every cached workspaceable row would carry) survives.
        """
        self.db._forget_workspaces()
        others = [ws async for ws in self.each() if ws.id != self.db.default_workspace_id]
        for ws in others:
            await self.strategy.delete({"id": ws.id}, cascaded=False)
        if await self.strategy.select({"id": self.db.default_workspace_id}) is None:
            await self.insert(
                {"id": self.db.default_workspace_id, "name": DEFAULT_WORKSPACE},
                no_broadcast_crud_event=True,
            )
