"""A small connection pool for asyncpg, built for the DAO's short statements.

asyncpg's own ``Pool`` resets every connection it takes back (``pg_advisory_unlock_all(); CLOSE
ALL; UNLISTEN *; RESET ALL``: one more round trip per call) and spends about 60 us of Python per
acquire/release; measured here it halves the throughput of single-statement calls (see
PERFORMANCE.md). kongdao never leaves session state behind (no LISTEN, no cursors, no SET, every
transaction closed by a context manager), so this pool skips the reset, and keeps acquire/release
to a deque operation on the fast path.

A connection that saw anything but a clean statement error (a cancelled call, a timeout, a lost
server) is closed rather than reused, and replaced on demand, so cancellations and server restarts
leave the pool healthy.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import contextvars
from collections.abc import AsyncIterator, Awaitable, Callable
from types import TracebackType
from typing import Any

import asyncpg

__all__ = ["Pool", "PoolClosedError", "reusable_after"]


def reusable_after(exc: BaseException) -> bool:
    """Whether a connection that raised ``exc`` may serve another statement.

    Only after a statement error the server reported while the session lives on: not after
    a cancellation, a timeout, a lost connection, nor a server shutting down or refusing the
    session (SQLSTATE classes 08 and 57P: asyncpg reports those as server errors too, and the
    connection's protocol may still be mid-operation when it is given back).
    """
    if not isinstance(exc, asyncpg.PostgresError):
        return False
    state = getattr(exc, "sqlstate", None) or ""
    return not (state.startswith(("08", "57P")))


class PoolClosedError(RuntimeError):
    """Raised by :meth:`Pool.acquire` once the pool is closed."""


class Pool:
    """A pool of at most ``max_size`` asyncpg connections.

    Args:
        connect: coroutine function opening one configured connection.
        min_size: connections opened by :meth:`start`.
        max_size: the most connections ever open at once.
        acquire_timeout: seconds a caller waits for a free connection (``None``: forever).
    """

    def __init__(
        self,
        connect: Callable[[], Awaitable[asyncpg.Connection]],
        *,
        min_size: int,
        max_size: int,
        acquire_timeout: float | None,
    ) -> None:
        if max_size < 1 or min_size < 0 or min_size > max_size:
            raise ValueError("pool sizes must satisfy 0 <= min_size <= max_size, max_size >= 1")
        self._connect = connect
        self._min = min_size
        self._max = max_size
        self._timeout = acquire_timeout
        self._idle: collections.deque[asyncpg.Connection] = collections.deque()
        self._waiters: collections.deque[asyncio.Future[asyncpg.Connection]] = collections.deque()
        self._size = 0
        self._closed = False
        self._tasks: set[asyncio.Task[Any]] = set()
        # a connection every acquire() of this task (and the tasks it starts) gets: see pinned()
        self._pinned: contextvars.ContextVar[asyncpg.Connection | None] = contextvars.ContextVar(
            f"kongdao_pinned_{id(self)}", default=None
        )

    @property
    def size(self) -> int:
        """Connections open or being opened."""
        return self._size

    @property
    def idle(self) -> int:
        """Connections waiting for a caller."""
        return len(self._idle)

    async def start(self) -> None:
        """Open ``min_size`` connections (at least one, to fail early when unreachable)."""
        n = max(self._min, 1)
        self._size += n
        results = await asyncio.gather(*(self._connect() for _ in range(n)), return_exceptions=True)
        errors = [r for r in results if isinstance(r, BaseException)]
        for r in results:
            if isinstance(r, BaseException):
                self._size -= 1
            else:
                self._idle.append(r)
        if errors and not self._idle:
            raise errors[0]

    def acquire(self) -> _Acquire:
        """``async with pool.acquire() as conn:``: a connection, released (or discarded) after.

        Inside :meth:`pinned`, the pinned connection (not released after).
        """
        return _Acquire(self)

    @contextlib.asynccontextmanager
    async def pinned(self) -> AsyncIterator[asyncpg.Connection]:
        """Pin one connection, in a transaction, for every ``acquire()`` of the current task.

        Every statement the task sends meanwhile runs in that transaction, which commits when
        the block exits and rolls back when it raises; each ``acquire()`` inside is a savepoint
        (so is each strategy's own ``conn.transaction()``), so that a statement error the
        caller handles leaves the transaction usable. The connection serves one statement at a time:
        do not run statements concurrently inside the block.
        """
        if self._pinned.get() is not None:
            raise RuntimeError("a connection is already pinned in this task")
        async with self.acquire() as conn, conn.transaction():
            token = self._pinned.set(conn)
            try:
                yield conn
            finally:
                self._pinned.reset(token)

    async def fetchrow(self, query: str, *args: Any) -> Any:
        """``Connection.fetchrow`` on a pooled connection (the pinned one inside :meth:`pinned`).

        The same as ``async with pool.acquire() as conn: await conn.fetchrow(...)``, without
        the context manager's two coroutines when an idle connection is at hand: the DAO's
        single statements are the hot path, and each coroutine costs about as much as the
        deque operation itself.
        """
        conn = self._take_nowait()
        if conn is None:
            async with self.acquire() as held:
                return await held.fetchrow(query, *args)
        try:
            record = await conn.fetchrow(query, *args)
        except BaseException as exc:
            self.put(conn, discard=not reusable_after(exc))
            raise
        self.put(conn)
        return record

    async def fetch(self, query: str, *args: Any) -> list[Any]:
        """``Connection.fetch`` on a pooled connection, as :meth:`fetchrow`."""
        conn = self._take_nowait()
        if conn is None:
            async with self.acquire() as held:
                return await held.fetch(query, *args)  # type: ignore[no-any-return]
        try:
            records: list[Any] = await conn.fetch(query, *args)
        except BaseException as exc:
            self.put(conn, discard=not reusable_after(exc))
            raise
        self.put(conn)
        return records

    def _take_nowait(self) -> asyncpg.Connection | None:
        """An idle connection, or ``None`` when :meth:`acquire` must decide.

        That is: a connection is pinned in this task, the pool is closed, or none is idle.
        """
        if self._closed or self._pinned.get() is not None:
            return None
        idle = self._idle
        while idle:
            conn = idle.pop()
            if not conn.is_closed():
                return conn
            self._size -= 1
        return None

    async def get(self) -> asyncpg.Connection:
        """Take a connection; pair with :meth:`put`."""
        if self._closed:
            raise PoolClosedError("the pool is closed")
        idle = self._idle
        while idle:
            conn = idle.pop()
            if not conn.is_closed():
                return conn
            self._size -= 1
        if self._size < self._max:
            self._size += 1
            try:
                return await self._connect()
            except BaseException:
                self._size -= 1
                raise
        fut: asyncio.Future[asyncpg.Connection] = asyncio.get_running_loop().create_future()
        self._waiters.append(fut)
        try:
            async with asyncio.timeout(self._timeout):
                return await fut
        except BaseException:
            if fut.done() and not fut.cancelled() and fut.exception() is None:
                self.put(fut.result())
            else:
                fut.cancel()
            raise

    def put(self, conn: asyncpg.Connection, *, discard: bool = False) -> None:
        """Give a connection back; ``discard`` closes it instead (it saw a non-clean error)."""
        if discard or self._closed or conn.is_closed() or conn.is_in_transaction():
            self._size -= 1
            if not conn.is_closed():
                conn.terminate()
            self._refill()
            return
        while self._waiters:
            fut = self._waiters.popleft()
            if not fut.done():
                fut.set_result(conn)
                return
        self._idle.append(conn)

    def _refill(self) -> None:
        """Open a replacement connection for a waiting caller, if any waits."""
        if self._closed or self._size >= self._max:
            return
        if not any(not f.done() for f in self._waiters):
            return
        self._size += 1
        task = asyncio.get_running_loop().create_task(self._open_for_waiter())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _open_for_waiter(self) -> None:
        try:
            conn = await self._connect()
        except Exception as exc:
            self._size -= 1
            while self._waiters:
                fut = self._waiters.popleft()
                if not fut.done():
                    fut.set_exception(exc)
                    return
            return
        self.put(conn)

    async def close(self) -> None:
        """Close idle connections now; busy ones are closed when they come back."""
        self._closed = True
        for fut in self._waiters:
            if not fut.done():
                fut.set_exception(PoolClosedError("the pool is closed"))
        self._waiters.clear()
        idle, self._idle = list(self._idle), collections.deque()
        self._size -= len(idle)
        await asyncio.gather(*(c.close(timeout=5) for c in idle), return_exceptions=True)
        for t in list(self._tasks):
            t.cancel()


class _Acquire:
    __slots__ = ("_conn", "_pool", "_savepoint")

    def __init__(self, pool: Pool) -> None:
        self._pool = pool
        self._conn: asyncpg.Connection | None = None
        self._savepoint: Any = None

    async def __aenter__(self) -> asyncpg.Connection:
        pinned = self._pool._pinned.get()
        if pinned is not None:
            # released by pinned(), not here (self._conn stays None); each use is a savepoint,
            # so that a failed statement (a caught unique violation) leaves the transaction
            # usable, as it leaves a connection of its own
            self._savepoint = pinned.transaction()
            await self._savepoint.start()
            return pinned
        self._conn = await self._pool.get()
        return self._conn

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        savepoint, self._savepoint = self._savepoint, None
        if savepoint is not None:
            if exc is None:
                await savepoint.commit()
            else:
                await savepoint.rollback()
            return
        conn, self._conn = self._conn, None
        if conn is None:
            return
        # A statement error leaves the connection usable; anything else (cancellation,
        # timeout, lost connection) may leave it mid-protocol, so it is not reused.
        clean = exc is None or reusable_after(exc)
        self._pool.put(conn, discard=not clean)
