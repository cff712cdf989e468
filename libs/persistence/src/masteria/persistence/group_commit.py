"""Group commit: concurrent requests share one transaction instead of paying one each.

Under load a webhook endpoint spends most of its time on BEGIN, tenant setup and COMMIT round
trips. Requests that arrive while a transaction is in flight wait in a queue and go together in
the next one; each still gets its own answer, and nothing is acknowledged before its commit.
At low load a request waits for no one: the queue is taken as soon as it is not empty.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

T = TypeVar("T")
R = TypeVar("R")
CommitFn = Callable[[AsyncSession, list[T]], Awaitable[list[R]]]


class GroupCommitter(Generic[T, R]):
    """Runs ``work(session, items) -> results`` (one result per item) in shared transactions."""

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], work: CommitFn[T, R], *, max_batch: int = 256, lanes: int = 2
    ) -> None:
        self.sessions, self.work, self.max_batch, self.lanes = sessions, work, max_batch, lanes
        self._queue: list[tuple[T, asyncio.Future[R]]] = []
        self._ready = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    def start(self) -> None:
        """Start the lanes; two let one transaction fill while the other commits."""
        self._tasks = [asyncio.create_task(self._lane(), name=f"group-commit-{i}") for i in range(self.lanes)]

    async def stop(self) -> None:
        """Stop the lanes; queued items fail so their requests answer with an error, not silence."""
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for _, future in self._queue:
            if not future.done():
                future.set_exception(RuntimeError("shutting down"))
        self._queue.clear()

    async def submit(self, item: T) -> R:
        """Queue ``item`` and wait until the transaction holding it has committed."""
        future: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self._queue.append((item, future))
        self._ready.set()
        return await future

    async def _lane(self) -> None:
        while True:
            await self._ready.wait()
            if not self._queue:
                self._ready.clear()
                continue
            taken, self._queue = self._queue[: self.max_batch], self._queue[self.max_batch :]
            if not self._queue:
                self._ready.clear()
            await self._commit(taken)

    async def _commit(self, taken: list[tuple[T, asyncio.Future[R]]]) -> None:
        try:
            async with self.sessions() as session, session.begin():
                results = await self.work(session, [item for item, _ in taken])
        except Exception as exc:
            if len(taken) > 1:
                # One bad item must not fail its neighbours: retry each alone to isolate it.
                for single in taken:
                    await self._commit([single])
                return
            for _, future in taken:
                if not future.done():
                    future.set_exception(exc)
            return
        for (_, future), result in zip(taken, results, strict=True):
            if not future.done():
                future.set_result(result)
