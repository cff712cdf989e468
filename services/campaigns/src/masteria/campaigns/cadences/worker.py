"""The cadence timer worker of one campaigns process: every tick, send again the retries that fell due, then run
the steps that fell due.

The timers live in PostgreSQL (``cadence_sends.retry_at``, ``enrolments.next_run_at``), so the worker keeps no
state: stopping it, or killing the process, loses nothing, and any replica's worker picks up what is due.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from masteria.campaigns.cadences.retrying import run_retries
from masteria.campaigns.cadences.settings import CadenceSettings
from masteria.campaigns.cadences.stepping import run_due
from masteria.messaging.outbox import Outbox
from masteria.observability.logging import get_logger
from masteria.runtime.service import Service

log = get_logger(__name__)


class CadenceWorker:
    """Runs due steps in a background task until stopped."""

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], outbox: Outbox, settings: CadenceSettings | None = None
    ) -> None:
        self.sessions, self.outbox = sessions, outbox
        self.settings = settings or CadenceSettings()
        self._task: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()

    def start(self) -> None:
        """Start ticking."""
        if self._task is None:
            self._stopping = asyncio.Event()
            self._task = asyncio.create_task(self._run(), name="cadence-worker")

    async def stop(self, grace_s: float = 5.0) -> None:
        """Stop after the turn in progress (cut short after ``grace_s``: it rolls back and runs again later)."""
        self._stopping.set()
        task = self._task
        if task is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(task), grace_s)
        await self.kill()

    async def kill(self) -> None:
        """Cancel the task wherever it is, as a crash would: an open turn rolls back."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def run_once(self, now: datetime | None = None) -> int:
        """One turn: the retries, then the steps, due at ``now`` (up to a batch each); how many were taken.

        Retries first: a step held behind an earlier send's retry then goes in the same turn.
        """
        moment, grace = now or datetime.now(UTC), timedelta(seconds=self.settings.grace_s)
        batch = self.settings.batch
        retried = await run_retries(self.sessions, self.outbox, batch=batch, grace=grace, now=moment)
        return retried + await run_due(self.sessions, self.outbox, batch=batch, grace=grace, now=moment)

    async def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                taken = await self.run_once()
            except Exception:  # the worker must outlive a database outage; the turn rolled back
                log.exception("cadence turn failed; it will be retried")
                taken = 0
            if taken < self.settings.batch:
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(self.settings.tick_s):
                        await self._stopping.wait()


async def start(service: Service) -> None:
    """``on_start`` hook of the campaigns service: start this process's cadence worker."""
    assert service.outbox is not None, "cadences send through the campaigns outbox"
    worker = CadenceWorker(service.sessions, service.outbox)
    service.http.state.cadence_worker = worker
    worker.start()


async def stop(service: Service) -> None:
    """``on_stop`` hook of the campaigns service: stop the cadence worker."""
    worker: CadenceWorker | None = getattr(service.http.state, "cadence_worker", None)
    if worker is not None:
        await worker.stop()
