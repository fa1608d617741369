"""A steady load through kongdao, recording every call, for the fault tests.

Each worker loops: insert a service with a unique name, read it back, update it. Every call is
recorded (operation, start, end, outcome), every insert that returned success is remembered, and
so is every update attempt, so that after a fault the test can check that each acknowledged write
is there, and that an update's row holds the last acknowledged value or a value a later
unacknowledged attempt may have written (its answer lost, not its write).
"""

from __future__ import annotations

import asyncio
import itertools
import time
from typing import Any

import attrs

from kongdao import errors


@attrs.define
class Call:
    """One DAO call of the load."""

    op: str
    start: float
    end: float
    error: BaseException | None = None

    @property
    def seconds(self) -> float:
        return self.end - self.start


@attrs.define
class Load:
    """What the load did: the calls, the acknowledged inserts, the update attempts."""

    calls: list[Call] = attrs.Factory(list)
    inserted: dict[str, str] = attrs.Factory(dict)  # id -> name, acknowledged inserts
    # id -> [(retries value, acknowledged?)] in the order the attempts were made
    updates: dict[str, list[tuple[int, bool]]] = attrs.Factory(dict)

    def between(self, start: float, end: float) -> list[Call]:
        """Calls that started in [start, end)."""
        return [c for c in self.calls if start <= c.start < end]

    def failed(self, calls: list[Call] | None = None) -> list[Call]:
        return [c for c in (self.calls if calls is None else calls) if c.error is not None]

    def first_success_after(self, t: float) -> Call | None:
        ok = [c for c in self.calls if c.start >= t and c.error is None]
        return min(ok, key=lambda c: c.end) if ok else None

    async def check_acknowledged(self, db: Any) -> tuple[int, list[str]]:
        """Every acknowledged insert and update is in the database: (rows checked, problems)."""
        problems: list[str] = []
        for sid, name in self.inserted.items():
            svc = await db.services.select({"id": sid})
            if svc is None:
                problems.append(f"acknowledged insert of {name} ({sid}) is missing")
                continue
            attempts = self.updates.get(sid, [])
            acked = [i for i, (_, ok) in enumerate(attempts) if ok]
            if acked:
                last = acked[-1]
                allowed = {v for v, _ in attempts[last:]}
                if svc.retries not in allowed:
                    problems.append(
                        f"{name}: retries={svc.retries}, acknowledged {attempts[last][0]}"
                    )
        return len(self.inserted), problems


async def run_load(
    db: Any, load: Load, *, workers: int, stop: asyncio.Event, prefix: str, pause: float = 0.005
) -> Load:
    """Run ``workers`` loops of insert / select / update until ``stop`` is set, into ``load``."""
    counter = itertools.count()

    async def call(op: str, coro: Any) -> Any:
        start = time.monotonic()
        try:
            result = await coro
        except errors.KongDAOError as exc:
            load.calls.append(Call(op, start, time.monotonic(), exc))
            return exc
        except Exception as exc:  # anything else is a finding: keep it for the assertions
            load.calls.append(Call(op, start, time.monotonic(), exc))
            return exc
        load.calls.append(Call(op, start, time.monotonic()))
        return result

    async def worker() -> None:
        while not stop.is_set():
            n = next(counter)
            name = f"{prefix}-{n}"
            svc = await call("insert", db.services.insert({"name": name, "host": "load.example"}))
            if isinstance(svc, BaseException):
                await asyncio.sleep(pause)
                continue
            load.inserted[svc.id] = name
            await call("select", db.services.select({"id": svc.id}))
            value = n % 10
            attempts = load.updates.setdefault(svc.id, [])
            result = await call("update", db.services.update({"id": svc.id}, {"retries": value}))
            attempts.append((value, not isinstance(result, BaseException)))
            if pause:
                await asyncio.sleep(pause)

    await asyncio.gather(*(worker() for _ in range(workers)))
    return load
