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
_WRITTEN = "masteria.outbox.written"
_relays: set[OutboxRelay] = set()


@event.listens_for(Session, "after_commit")
def _hand_to_relays(session: Session) -> None:
    # The latency path: committed rows go straight to the in-process relay, which publishes them
    # without reading them back. The rows are in the table too, so a crash loses nothing.
    written: list[tuple[Table, list[dict[str, Any]]]] = session.info.pop(_WRITTEN, [])
    for table, rows in written:
        for relay in _relays:
            if relay.table is table:
                relay.committed(rows)


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back(session: Session) -> None:
    session.info.pop(_WRITTEN, None)


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
        session.sync_session.info.setdefault(_WRITTEN, []).append((self.table, rows))

    async def add(self, session: AsyncSession, envelope: Envelope[Any], subject: str | None = None) -> None:
        """Stage ``envelope`` for publishing when the session commits."""
        await self.write(session, [self.row(envelope, subject)])

    async def add_many(self, session: AsyncSession, envelopes: list[Envelope[Any]]) -> None:
        """Stage several envelopes in one statement."""
        await self.write(session, [self.row(envelope) for envelope in envelopes])


class OutboxRelay:
    """Publishes committed outbox rows to JetStream with ``Nats-Msg-Id``, then deletes them.

    Two paths. Fast: rows committed in this process are handed over on commit and published at
    once, then deleted by id. Recovery: a poll claims rows with ``FOR UPDATE SKIP LOCKED`` (rows of
    a crashed process, of another replica, or whose fast publish failed). Either path may publish a
    row the other also publishes, and a crash between publish and delete republishes it: JetStream's
    duplicate window and the consumers' processed-event records make that harmless.
    """

    max_pending = 10_000  # beyond this the rows wait for the poll: they are safe in the table

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
        self._pending: list[dict[str, Any]] = []
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Run the relay in the background."""
        _relays.add(self)
        self._task = asyncio.create_task(self._run(), name=f"outbox-relay-{self.service}")

    async def stop(self) -> None:
        """Stop after the batch in flight."""
        _relays.discard(self)
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def committed(self, rows: list[dict[str, Any]]) -> None:
        """Rows of a transaction that just committed in this process."""
        if len(self._pending) < self.max_pending:
            self._pending.extend(rows)
        self._wakeup.set()

    async def _run(self) -> None:
        next_poll = 0.0
        loop = asyncio.get_running_loop()
        while True:
            # Clear before working, not after: a commit that lands meanwhile must find the flag set.
            self._wakeup.clear()
            try:
                if self._pending:
                    rows, self._pending = self._pending[: self.batch_size], self._pending[self.batch_size :]
                    if not await self._publish_and_delete(rows):
                        next_poll = 0.0  # some failed: the poll picks them up from the table
                    continue
                if loop.time() >= next_poll:
                    if await self.publish_batch() == self.batch_size:
                        continue  # a backlog: keep draining
                    next_poll = loop.time() + self.idle_poll_s
            except Exception:  # the relay must outlive a database or NATS outage
                log.exception("outbox relay batch failed")
                OUTBOX_FAILURES.labels(self.service).inc()
                await asyncio.sleep(self.idle_poll_s)
                continue
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(max(0.0, next_poll - loop.time())):
                    await self._wakeup.wait()

    async def _publish(self, rows: list[Any], key: Any) -> list[Any]:
        """Publish rows concurrently; returns the ids JetStream acknowledged."""
        results = await asyncio.gather(
            *(self.js.publish(key(r, "subject"), key(r, "payload"), headers=key(r, "headers")) for r in rows),
            return_exceptions=True,
        )
        done = [key(r, "id") for r, res in zip(rows, results, strict=True) if not isinstance(res, BaseException)]
        if len(done) < len(rows):
            OUTBOX_FAILURES.labels(self.service).inc(len(rows) - len(done))
            log.warning("outbox publish failed", failed=len(rows) - len(done), first_error=repr(
                next(res for res in results if isinstance(res, BaseException))))
        OUTBOX_PUBLISHED.labels(self.service).inc(len(done))
        return done

    async def _publish_and_delete(self, rows: list[dict[str, Any]]) -> bool:
        done = await self._publish(rows, lambda r, f: r[f])
        if done:
            async with system_session(self.factory) as session:
                await session.execute(delete(self.table).where(self.table.c.id.in_(done)))
        return len(done) == len(rows)

    async def publish_batch(self) -> int:
        """Claim, publish and delete up to one batch from the table; returns how many were published."""
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
            done = await self._publish(list(rows), getattr)
            if done:
                await session.execute(delete(t).where(t.c.id.in_(done)))
        return len(done)
