"""Work the database owns once JetStream has let go: retries that are due, and the crash reaper.

Retries wait in ``outbound_messages`` (state ``retrying``, ``next_attempt_at``) rather than in
JetStream: the attempt count is a column, so it survives restarts, and the number of attempts is
not bounded by the consumer's ``max_deliver``. Every replica sweeps; ``FOR UPDATE SKIP LOCKED``
and a lease on ``next_attempt_at`` give each due row to one of them.

The reaper settles sends stuck in "sending" past the lease as UNKNOWN (their process died inside
the Graph call; they are never resent), puts claimed sends that lost their JetStream message back
in the retry queue, and publishes statuses that waited in vain for their send.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from masteria.contracts.envelope import Envelope
from masteria.contracts.registry import decode_envelope
from masteria.messaging.outbox import Outbox
from masteria.observability.logging import get_logger
from masteria.persistence.tenancy import system_session
from masteria.whatsapp_meta.sending import repository
from masteria.whatsapp_meta.sending.lanes import Lane
from masteria.whatsapp_meta.sending.model import Command
from masteria.whatsapp_meta.statuses import repository as orphans
from masteria.whatsapp_meta.statuses.service import orphan_change

log = get_logger(__name__)
SOURCE = "masteria/whatsapp-meta"


@dataclass
class RetrySweep:
    """Feeds due retries of one lane back into it, as much as the lane has room for."""

    sessions: async_sessionmaker[AsyncSession]
    lane: Lane
    poll_s: float
    lease_s: float
    before_fetch: Callable[[], Awaitable[None]] | None = None

    def __post_init__(self) -> None:
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Sweep in the background."""
        self._task = asyncio.create_task(self._run(), name=f"retry-sweep-{self.lane.name.value}")

    async def stop(self) -> None:
        """Stop sweeping; claimed rows come back after their lease."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def wake_in(self, seconds: float) -> None:
        """Sweep again in ``seconds`` (a retry was just scheduled then), not only at the next poll."""
        asyncio.get_running_loop().call_later(max(seconds, 0.0), self._wake.set)

    async def sweep_once(self) -> int:
        """Claim and start every due retry there is room for; returns how many started."""
        room = self.lane.free
        if room == 0:
            return 0
        if self.before_fetch is not None:
            await self.before_fetch()
        async with system_session(self.sessions) as session:
            due = await repository.claim_due(session, self.lane.name.value, room, self.lease_s)
        for tenant_id, raw in due:
            command = _command(raw)
            if command is None or command.tenant_id != tenant_id:
                log.error("unreadable command in the retry queue", tenant=str(tenant_id))
                continue
            self.lane.submit(command)
        return len(due)

    async def _run(self) -> None:
        while True:
            self._wake.clear()
            try:
                started = await self.sweep_once()
            except Exception:  # the sweep must outlive a database outage
                log.exception("retry sweep failed")
                started = 0
            if started and self.lane.free:
                continue  # more may be due right now
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.poll_s):
                    await self._wake.wait()


def _command(raw: bytes) -> Command | None:
    try:
        envelope = decode_envelope(raw)
    except ValueError:
        return None
    return Command.of(envelope, raw)


@dataclass
class Reaper:
    """Settles what dead processes left behind; see the module docstring."""

    sessions: async_sessionmaker[AsyncSession]
    outbox: Outbox
    settle_unknown: Callable[[Command], Awaitable[bool]]
    lease_s: float
    orphan_ttl_s: float
    every_s: float = 5.0
    stale_queued_s: float = 600.0

    def __post_init__(self) -> None:
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Reap in the background."""
        self._task = asyncio.create_task(self._run(), name="send-reaper")

    async def stop(self) -> None:
        """Stop reaping."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def reap_once(self) -> dict[str, int]:
        """One pass; returns what it did."""
        async with system_session(self.sessions) as session:
            commands = await repository.stale_sending(session, self.lease_s, 200)
            requeued = await repository.requeue_stale_queued(session, self.stale_queued_s)
        unknown = 0
        for command in filter(None, map(_command, commands)):
            unknown += int(await self.settle_unknown(command))
        published = await self._expire_orphans()
        if unknown or requeued or published:
            log.warning("reaper settled leftovers", unknown=unknown, requeued=requeued, orphans_published=published)
        return {"unknown": unknown, "requeued": requeued, "orphans_published": published}

    async def _expire_orphans(self) -> int:
        async with system_session(self.sessions) as session:
            expired = await orphans.take_expired(session, self.orphan_ttl_s, 500)
            rows = [
                self.outbox.row(Envelope.wrap(orphan_change(o, None), tenant=o.tenant_id, source=SOURCE))
                for o in expired
            ]
            await self.outbox.write(session, rows)
        return len(rows)

    async def _run(self) -> None:
        while True:
            try:
                await self.reap_once()
            except Exception:
                log.exception("reaper pass failed")
            await asyncio.sleep(self.every_s)
