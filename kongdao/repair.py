"""Find and repair rows left pointing at a deleted parent (Cassandra's foreign key window).

PostgreSQL enforces foreign keys: a child can never outlive its parent there, and
:func:`find_orphans` finds nothing. Cassandra has no foreign keys; kongdao checks them
(``capabilities.enforces_foreign_keys`` is False). A child inserted while its parent is being
deleted can slip through: the insert reads the parent (present), the delete reads the parent's
children (none yet) and removes the parent, the insert writes the child. The window is the
delete's own duration (one read of the children, one lightweight transaction): an insert that
starts after the delete has returned is always refused. ``tests/reliability/test_races.py``
measures how often it happens under a deliberate race.

:func:`repair_orphans` closes what that window left, by doing to each orphan what the
relation's ``on_delete`` says would have happened had the child been there when the parent was
deleted: ``cascade`` deletes it (and its own children), ``null`` clears the reference, and
``restrict`` deletes it too, because its parent is gone and cannot be restored: as if the child
had lost the race, which its insert, that returned success, did not see. Repairs go through the
DAOs, so subscribers get their CRUD events (caches are invalidated). ``kongdao repair
--dsn ...`` runs it from the command line; run it after a burst of parent deletes, or
periodically. It reads every row of every entity with a foreign key (one ``each()`` per entity,
one primary key read per distinct parent): a maintenance job, not a request path.

.. versionadded:: 0.1
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import attrs

if TYPE_CHECKING:
    from kongdao.db import DB

__all__ = ["Orphan", "find_orphans", "repair_orphans"]


@attrs.frozen
class Orphan:
    """A row whose foreign key references a row that does not exist.

    Args:
        entity: the child's entity name (``routes``).
        pk: the child's primary key.
        field: the foreign key field (``service``).
        reference: the parent's entity name (``services``).
        parent: the missing parent's primary key.
        on_delete: the relation's rule: ``restrict``, ``cascade`` or ``null``.
    """

    entity: str
    pk: dict[str, Any]
    field: str
    reference: str
    parent: dict[str, Any]
    on_delete: str


async def find_orphans(db: DB, entities: Iterable[str] | None = None) -> list[Orphan]:
    """The rows (of ``entities``, default all) whose foreign keys reference missing rows.

    Reads across every workspace.
    """
    wanted = set(entities) if entities is not None else None
    found: list[Orphan] = []
    exists: dict[tuple[str, tuple[tuple[str, Any], ...]], bool] = {}
    for name, dao in db.daos.items():
        if wanted is not None and name not in wanted:
            continue
        foreign = [
            (fname, f)
            for fname, f in dao.schema.foreign_fields
            if f.reference in db.daos and f.reference != "workspaces"
        ]
        if not foreign:
            continue
        async for child in dao.each(workspace=None):
            row = child.to_dict()
            for fname, f in foreign:
                ref = row.get(fname)
                if not ref:
                    continue
                parent_pk = dict(ref)
                key = (f.reference or "", tuple(sorted(parent_pk.items())))
                if key not in exists:
                    parent_dao = db.daos[f.reference or ""]
                    exists[key] = await parent_dao.select(parent_pk, workspace=None) is not None
                if not exists[key]:
                    found.append(
                        Orphan(
                            entity=name,
                            pk={k: row[k] for k in dao.schema.primary_key},
                            field=fname,
                            reference=f.reference or "",
                            parent=parent_pk,
                            on_delete=f.on_delete or "restrict",
                        )
                    )
    return found


async def repair_orphans(
    db: DB, entities: Iterable[str] | None = None, *, dry_run: bool = False
) -> list[Orphan]:
    """Apply each orphan's ``on_delete`` rule (see the module docstring); the orphans found.

    ``null`` clears the reference (an update); ``cascade`` and ``restrict`` delete the row,
    with its own cascades. ``dry_run`` only finds them. Idempotent: a second run finds nothing
    (unless new orphans appeared meanwhile).
    """
    orphans = await find_orphans(db, entities)
    if dry_run:
        return orphans
    for orphan in orphans:
        dao = db.daos[orphan.entity]
        if orphan.on_delete == "null":
            current = await dao.select(orphan.pk, workspace=None)
            if current is not None and current.to_dict().get(orphan.field) == orphan.parent:
                await dao.update(orphan.pk, {orphan.field: None}, workspace=None)
        else:
            await dao.delete(orphan.pk, workspace=None)
    return orphans
