"""Declarative configurations into and out of a database (Kong's ``db_import`` / ``db_export``).

::

    config = await declarative.load_into_db(db, Path("kong.yml"))   # or kongdao config db_import
    exported = await declarative.export_from_db(db)                  # a DeclarativeConfig
    yaml.safe_dump(exported.dump())                                  # or kongdao config db_export

:func:`load_into_db` parses the file with the DB's enabled plugins (every problem reported
before anything is written), then writes every entity, parents first, as an **upsert by its
primary key** with ``transform=False`` (the parser ran the transformations): importing the same
file twice leaves the same state, and a partial import completes when run again.

* Where the connector has transactions (PostgreSQL) the whole import is one transaction: a
  failure (a name already taken by another row of the database, say) leaves the database as it
  was.
* Elsewhere (Cassandra) the entities are written in dependency order; a failure leaves those
  written before it, and running the import again (once the cause is fixed) completes it.

The import emits no CRUD events (Kong's ``kong config db_import`` runs outside a node; a
gateway reloads after an import). Entities of the database that the file does not mention are
left alone, as Kong's ``db_import`` leaves them.

:func:`export_from_db` reads every exported entity type (not ``tags``), with nulls, in dependency
order; :meth:`DeclarativeConfig.dump` turns it into Kong's ``_format_version: "3.0"`` export, and
parsing that dump and importing it into an empty database gives the same entities back (their
timestamps included: an export keeps ``created_at`` / ``updated_at``). A credential written
with a TTL is exported with the seconds it has left.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from kongdao.declarative.config import DeclarativeConfig
from kongdao.declarative.source import Source

if TYPE_CHECKING:
    from kongdao.db import DB

__all__ = ["export_from_db", "load_into_cache", "load_into_db"]


@contextlib.asynccontextmanager
async def _atomic(db: DB) -> AsyncIterator[None]:
    transaction = getattr(db.connector, "transaction", None)
    if db.connector.capabilities.transactions and transaction is not None:
        async with transaction():
            yield
    else:
        yield


async def load_into_db(db: DB, source: Source | DeclarativeConfig) -> DeclarativeConfig:
    """Import a declarative configuration into ``db`` (Kong's ``kong config db_import``).

    Args:
        db: An open DB; its enabled plugins decide which plugins and entities the file may use.
        source: What :func:`kongdao.declarative.parse` takes, or a parsed configuration.

    Returns:
        The configuration that was imported.

    Raises:
        DeclarativeConfigError: the file is invalid (nothing was written).
        KongDAOError: a write failed (a unique value taken by another row of the database, a
            lost connection...): on PostgreSQL nothing was written; elsewhere what was written
            before stays, and importing again completes it.
    """
    from kongdao.declarative import parse

    config = (
        source
        if isinstance(source, DeclarativeConfig)
        else parse(source, plugins=list(db.loaded_plugins.values()))
    )
    async with _atomic(db):
        for name, entity in config:
            dao = db.daos[name]
            values = dict(entity)
            ttl = values.pop("ttl", None)
            pk = {k: values[k] for k in dao.schema.primary_key}
            await dao.upsert(
                pk,
                values,
                ttl=ttl if isinstance(ttl, int) and ttl > 0 else None,
                transform=False,  # the parser ran them (or the file holds stored values)
                no_broadcast_crud_event=True,
            )
    return config


async def export_from_db(db: DB) -> DeclarativeConfig:
    """Every exported entity of ``db``, as a configuration (Kong's ``kong config db_export``).

    Returns:
        A :class:`DeclarativeConfig` (``transform`` false: values are stored ones); its
        :meth:`~DeclarativeConfig.dump` is the ``_format_version: "3.0"`` file.
    """
    entities: dict[str, list[dict[str, Any]]] = {}
    for name, dao in db.daos.items():
        schema = dao.schema
        if name in ("tags", "workspaces") or not schema.db_export:
            continue
        rows: list[dict[str, Any]] = []
        async for entity in dao.each(nulls=True):
            row = entity.to_dict(nulls=True)
            if row.get("ttl") is None:
                row.pop("ttl", None)
            rows.append(row)
        if rows:
            entities[name] = rows
    return DeclarativeConfig(
        entities=entities,
        format_version="3.0",
        meta={"_format_version": "3.0", "_transform": False},
        transform=False,
        schemas=db.schemas,
    )


async def load_into_cache(db: DB, source: Source | DeclarativeConfig) -> DeclarativeConfig:
    """Serve a new configuration from a DB-less (``off``) DB, swapping the old one atomically.

    Kong's ``declarative.load_into_cache``: readers see the old configuration or the new one,
    never a mix; an iteration started before the swap finishes on the old one.

    Args:
        db: A DB over the ``off`` connector (``kongdao.connect("off", ...)``).
        source: What :func:`kongdao.declarative.parse` takes, or a parsed configuration.

    Returns:
        The configuration now served.

    Raises:
        DeclarativeConfigError: the file is invalid (the old configuration stays).
        TypeError: ``db`` is not DB-less (import into a database with :func:`load_into_db`).
    """
    from kongdao.declarative import parse

    load = getattr(db.connector, "load", None)
    if db.connector.name != "off" or load is None:
        raise TypeError(f"load_into_cache needs a DB-less DB, not {db.connector.name}")
    config = (
        source
        if isinstance(source, DeclarativeConfig)
        else parse(source, plugins=list(db.loaded_plugins.values()))
    )
    await load(config)
    return config
