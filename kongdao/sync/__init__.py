"""A blocking facade over kongdao for synchronous callers (legacy gateway code, scripts).

::

    from kongdao.sync import connect

    with connect("postgresql://kong@127.0.0.1/kong") as sdb:
        svc = sdb.services.insert({"name": "mockbin", "url": "http://mockbin.org"})
        sdb.services.select_by_name("mockbin")            # Service | None, typed
        for route in sdb.routes.each_for_service({"id": svc.id}):
            ...
        sdb.dao.plugins.insert({"name": "key-auth", "service_id": svc.id})    # legacy 0.13
        sdb.dao.plugins.find_all({"name": "key-auth"})

How it works: :func:`connect` starts one event loop in a daemon thread (the *portal*) and opens
an ordinary async :class:`~kongdao.db.DB` on it; every blocking method submits the async
method of the same name to that loop (``asyncio.run_coroutine_threadsafe``) and waits. The loop
lives as long as the sync DB, so the pool and its prepared statements stay bound to one loop;
kongdao never calls ``asyncio.run()`` per call.

Guarantees:

* same values and exceptions as the async API (entities, ``(rows, offset)`` pairs,
  :mod:`kongdao.errors` and :mod:`kongdao.legacy.errors` exceptions, unchanged);
* safe from any number of threads at once (their calls run concurrently on the loop, bounded
  by the pool size);
* async iterators (``each``, ``each_for_<fk>``) become plain iterators fetching one page per
  call;
* calls from a thread that runs an event loop are refused with
  :class:`~kongdao.errors.InterfaceError` (from the portal's loop they would deadlock, from
  another loop they would stall it): async code awaits :attr:`SyncDB.async_db` instead;
* :meth:`SyncDB.close` (or leaving the ``with`` block) refuses new calls, gives calls in flight
  ``timeout`` seconds, fails the rest with :class:`~kongdao.errors.InterfaceError`, closes the
  pool on the loop and joins the thread: no thread or connection is left behind.

Cost: a blocking call adds a thread hand-off each way to the async call it wraps: about
50-80 us for the round trip through the portal alone, and +120-180 us measured over an async
PostgreSQL select on a small (2-CPU) machine (``tests/sync/test_sync.py`` prints the figure of
each run). Code that makes many calls in a row gains from the async API.

.. versionadded:: 0.1
"""

from kongdao.sync.dao import (
    SyncAnyDAO,
    SyncDAO,
    SyncLegacyDAO,
    SyncLegacyFactory,
    SyncTagsDAOBase,
)
from kongdao.sync.db import SyncDB, connect
from kongdao.sync.portal import Portal, PortalState
from kongdao.sync.typed import (
    SyncConsumersDAO,
    SyncPluginsDAO,
    SyncRoutesDAO,
    SyncServicesDAO,
    SyncTagsDAO,
)

__all__ = [
    "Portal",
    "PortalState",
    "SyncAnyDAO",
    "SyncConsumersDAO",
    "SyncDAO",
    "SyncDB",
    "SyncLegacyDAO",
    "SyncLegacyFactory",
    "SyncPluginsDAO",
    "SyncRoutesDAO",
    "SyncServicesDAO",
    "SyncTagsDAO",
    "SyncTagsDAOBase",
    "connect",
]
