"""The portal: one long-lived event loop in a daemon thread, and blocking calls into it.

Blocking callers submit coroutine functions with :meth:`Portal.call`, which runs them on the
portal's loop (``asyncio.run_coroutine_threadsafe``) and waits for the result in the calling
thread. The loop lives as long as the portal, so the connection pool, the TTL cleanup task and
every prepared statement stay bound to one loop (never ``asyncio.run()`` per call, which would
give each call a new loop and break pools bound to the old one).

* Any number of threads may call at once; their coroutines run concurrently on the loop.
* A call from a thread that runs an event loop is refused with
  :class:`~kongdao.errors.InterfaceError`: from the portal's own loop it would deadlock, from
  another loop it would block that loop for the length of the call.
* :meth:`Portal.close` refuses new calls, lets calls in flight finish for ``timeout`` seconds,
  cancels the rest (their callers get :class:`~kongdao.errors.InterfaceError`), runs a final
  coroutine (closing the DB) on the loop, stops the loop and joins the thread.
* A portal still open when the interpreter exits is closed by an ``atexit`` hook (calls in
  flight cancelled at once), so its connections are closed properly rather than dropped.
"""

from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import enum
import logging
import threading
import weakref
from collections.abc import Awaitable, Callable
from typing import Any, ParamSpec, TypeVar

from kongdao.errors import InterfaceError

__all__ = ["Portal", "PortalState", "check_caller"]

log = logging.getLogger("kongdao.sync")

P = ParamSpec("P")
T = TypeVar("T")

_JOIN_TIMEOUT = 10.0


class PortalState(enum.Enum):
    """The lifecycle of a :class:`Portal`."""

    NEW = "new"
    OPEN = "open"
    CLOSING = "closing"
    CLOSED = "closed"


async def _invoke(fn: Callable[..., Awaitable[T]], args: Any, kwargs: Any) -> T:
    return await fn(*args, **kwargs)


def check_caller(what: str, portal_loop: asyncio.AbstractEventLoop | None = None) -> None:
    """Refuse a blocking call from a thread that runs an event loop.

    Args:
        what: the call, for the message.
        portal_loop: the portal's own loop (a call from it would deadlock), if any.

    Raises:
        InterfaceError: this thread runs an event loop.
    """
    try:
        running = asyncio.get_running_loop()
    except RuntimeError:
        return
    if running is portal_loop:
        raise InterfaceError(
            f"cannot call {what} from the kongdao.sync event loop itself (e.g. in an event "
            "subscriber): it would deadlock; await the async API (sync_db.async_db) there"
        )
    raise InterfaceError(
        f"cannot call {what} from a running event loop: a blocking call would stall the "
        "loop (or deadlock it); await the async API instead (kongdao.connect(), or "
        "sync_db.async_db from the sync DB's own loop)"
    )


class Portal:
    """An event loop running forever in a daemon thread, for blocking callers.

    Args:
        name: the thread's name.

    .. versionadded:: 0.1
    """

    def __init__(self, *, name: str = "kongdao-sync") -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._lock = threading.Lock()
        self._state = PortalState.NEW
        self._inflight: set[concurrent.futures.Future[Any]] = set()
        self._started = threading.Event()
        self._closed = threading.Event()
        self.finalizer: Callable[[], Awaitable[Any]] | None = None
        """A coroutine function :meth:`close` runs on the loop last (closing the DB)."""

    def __repr__(self) -> str:
        return f"<Portal {self._thread.name} {self._state.value}>"

    @property
    def state(self) -> PortalState:
        """Where the portal is in its lifecycle."""
        return self._state

    @property
    def thread(self) -> threading.Thread:
        """The thread running the loop."""
        return self._thread

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        """The portal's event loop (use :meth:`call` to run something on it)."""
        return self._loop

    def start(self) -> None:
        """Start the loop thread and wait until the loop runs."""
        with self._lock:
            if self._state is not PortalState.NEW:
                raise InterfaceError(f"cannot start a portal that is {self._state.value}")
            self._state = PortalState.OPEN
        self._thread.start()
        self._started.wait()
        _live.add(self)

    def _run(self) -> None:
        loop = self._loop
        asyncio.set_event_loop(loop)
        loop.call_soon(self._started.set)
        try:
            loop.run_forever()
        finally:
            try:
                tasks = asyncio.all_tasks(loop)
                for task in tasks:
                    task.cancel()
                if tasks:
                    loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))
                loop.run_until_complete(loop.shutdown_asyncgens())
                loop.run_until_complete(loop.shutdown_default_executor())
            finally:
                asyncio.set_event_loop(None)
                loop.close()

    def check_caller(self, what: str) -> None:
        """Refuse a blocking call from a thread that runs an event loop.

        Raises:
            InterfaceError: this thread runs an event loop (the portal's, or another one).
        """
        check_caller(what, self._loop)

    def call(self, fn: Callable[P, Awaitable[T]], /, *args: P.args, **kwargs: P.kwargs) -> T:
        """Run ``await fn(*args, **kwargs)`` on the portal's loop; block until it is done.

        The coroutine is created on the loop, so nothing is left unawaited when a call is
        refused. Its result is returned and its exception raised, unchanged.

        Raises:
            InterfaceError: the portal is closed or closing, the call was cancelled by
                :meth:`close`, or the caller runs an event loop.
        """
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            pass
        else:
            check_caller(getattr(fn, "__qualname__", "a kongdao.sync method"), self._loop)
        with self._lock:
            if self._state is not PortalState.OPEN:
                raise InterfaceError(f"the sync DB is {self._state.value}")
            future = asyncio.run_coroutine_threadsafe(_invoke(fn, args, kwargs), self._loop)
            self._inflight.add(future)
        try:
            return future.result()
        except concurrent.futures.CancelledError:
            raise InterfaceError(
                "the sync DB was closed while this call was in flight (it may or may not have "
                "taken effect)"
            ) from None
        except BaseException:
            if not future.done():  # the caller was interrupted (KeyboardInterrupt...)
                future.cancel()
            raise
        finally:
            with self._lock:
                self._inflight.discard(future)

    def close(
        self,
        *,
        timeout: float = 5.0,
        finalize: Callable[[], Awaitable[Any]] | None = None,
    ) -> None:
        """Refuse new calls, drain or cancel calls in flight, finalize, stop and join.

        Idempotent; a second caller waits for the first one to finish closing.

        Args:
            timeout: seconds calls in flight may take to finish before they are cancelled.
            finalize: a coroutine function run on the loop once no call is in flight (closing
                the DB); its errors are logged. Default: :attr:`finalizer`.

        Raises:
            InterfaceError: called from a thread that runs an event loop.
        """
        self.check_caller("close()")
        with self._lock:
            state = self._state
            if state is PortalState.NEW:
                self._state = PortalState.CLOSED
                self._loop.close()
                self._closed.set()
                return
            if state is not PortalState.OPEN:
                closing = True
            else:
                closing = False
                self._state = PortalState.CLOSING
                inflight = list(self._inflight)
        if closing:
            self._closed.wait()
            return
        _live.discard(self)
        finalize = finalize or self.finalizer
        try:
            _done, pending = concurrent.futures.wait(inflight, timeout=max(timeout, 0))
            for future in pending:
                future.cancel()
            if finalize is not None:
                final = asyncio.run_coroutine_threadsafe(_invoke(finalize, (), {}), self._loop)
                try:
                    final.result(timeout=_JOIN_TIMEOUT)
                except Exception:
                    log.exception("kongdao.sync: closing failed")
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(_JOIN_TIMEOUT)
            if self._thread.is_alive():
                log.warning("kongdao.sync: the event loop thread did not stop in time")
            with self._lock:
                self._state = PortalState.CLOSED
            self._closed.set()


_live: weakref.WeakSet[Portal] = weakref.WeakSet()
"""Started portals not closed yet (a running portal is kept alive by its thread)."""


@atexit.register
def _close_at_exit() -> None:
    for portal in list(_live):
        try:
            portal.close(timeout=0)
        except Exception:
            log.exception("kongdao.sync: closing %r at exit failed", portal)
