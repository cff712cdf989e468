"""Transactional outbox: the event is written with the business row, published after commit."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from nats.js import JetStreamContext
from sqlalchemy import Table, delete, event, insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session

from masteria.contracts.envelope import Envelope
from masteria.contracts.subjects import subject_for
from masteria.messaging.headers import envelope_headers
from masteria.observability.logging import get_logger
from masteria.observability.metrics import OUTBOX_FAILURES, OUTBOX_PUBLISHED
from masteria.persistence.tenancy import system_session

log = get_logger(__name__)
_DIRTY = "masteria.outbox.dirty"
_wakeups: set[asyncio.Event] = set()


@event.listens_for(Session, "after_commit")
def _wake_relays(session: Session) -> None:
    # Wake the in-process relay at once instead of waiting for its poll: this is the latency path.
    if session.info.pop(_DIRTY, False):
        for wakeup in _wakeups:
            wakeup.set()


class Outbox:
    """Writes envelopes into a service's outbox table inside the caller's transaction."""

    def __init__(self, table: Table) -> None:
        self.table = table

    def row(self, envelope: Envelope[Any], subject: str | None = None) -> dict[str, Any]:
        """An outbox row for ``envelope``; the current span becomes the consumer's parent."""
        return {
            "id": envelope.id,
            "tenant_id": envelope.tenant,
            "subject": subject or subject_for(envelope),
            "payload": envelope.model_dump_json().encode(),
            "headers": envelope_headers(envelope),
        }

    async def write(self, session: AsyncSession, rows: list[dict[str, Any]]) -> None:
        """Insert prepared rows in the caller's transaction; the relay wakes when it commits."""
        if not rows:
            return
        await session.execute(insert(self.table), rows)
        session.sync_session.info[_DIRTY] = True

    async def add(self, session: AsyncSession, envelope: Envelope[Any], subject: str | None = None) -> None:
        """Stage ``envelope`` for publishing when the session commits."""
        await self.write(session, [self.row(envelope, subject)])

    async def add_many(self, session: AsyncSession, envelopes: list[Envelope[Any]]) -> None:
        """Stage several envelopes in one statement."""
        await self.write(session, [self.row(envelope) for envelope in envelopes])


class OutboxRelay:
    """Publishes committed outbox rows to JetStream with ``Nats-Msg-Id``, then deletes them.

    A crash between publish and delete republishes the rows; JetStream's duplicate window and the
    consumers' processed-event records make that harmless. ``SKIP LOCKED`` lets replicas share the work.
    """

    def __init__(
        self,
        factory: async_sessionmaker[AsyncSession],
        table: Table,
        js: JetStreamContext,
        *,
        service: str,
        batch_size: int = 500,
        idle_poll_s: float = 0.5,
    ) -> None:
        self.factory, self.table, self.js, self.service = factory, table, js, service
        self.batch_size, self.idle_poll_s = batch_size, idle_poll_s
        self._wakeup = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Run the relay in the background."""
        _wakeups.add(self._wakeup)
        self._task = asyncio.create_task(self._run(), name=f"outbox-relay-{self.service}")

    async def stop(self) -> None:
        """Stop after the batch in flight."""
        _wakeups.discard(self._wakeup)
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while True:
            # Clear before the batch, not after: a commit that lands while a batch is in flight must
            # find the flag set, or its rows wait for the next poll (measured: 0.5 s latency tails).
            self._wakeup.clear()
            try:
                published = await self.publish_batch()
            except Exception:  # the relay must outlive a database or NATS outage
                log.exception("outbox relay batch failed")
                OUTBOX_FAILURES.labels(self.service).inc()
                published = 0
                await asyncio.sleep(self.idle_poll_s)
            if published < self.batch_size:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wakeup.wait(), self.idle_poll_s)

    async def publish_batch(self) -> int:
        """Publish up to one batch; returns how many rows were published and removed."""
        t = self.table
        async with system_session(self.factory) as session:
            rows = (
                await session.execute(
                    select(t.c.id, t.c.subject, t.c.payload, t.c.headers)
                    .order_by(t.c.id)
                    .limit(self.batch_size)
                    .with_for_update(skip_locked=True)
                )
            ).all()
            if not rows:
                return 0
            results = await asyncio.gather(
                *(self.js.publish(r.subject, r.payload, headers=r.headers) for r in rows),
                return_exceptions=True,
            )
            done = [r.id for r, res in zip(rows, results, strict=True) if not isinstance(res, BaseException)]
            failures = len(rows) - len(done)
            if failures:
                OUTBOX_FAILURES.labels(self.service).inc(failures)
                log.warning("outbox publish failed", failed=failures, first_error=repr(
                    next(res for res in results if isinstance(res, BaseException))))
            if done:
                await session.execute(delete(t).where(t.c.id.in_(done)))
        OUTBOX_PUBLISHED.labels(self.service).inc(len(done))
        return len(done)
