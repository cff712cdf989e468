"""The snapshot worker: takes launched campaigns' snapshot jobs, one transaction each.

A job row is claimed with ``FOR UPDATE SKIP LOCKED`` and deleted in the transaction that inserts the
recipients, so exactly one worker snapshots a campaign and a crash (the transaction never commits)
leaves the job for the next worker. The campaign row is locked only at the very end, so pausing or
cancelling during a long snapshot answers at once; a snapshot that finishes on a cancelled campaign
hands its recipients to the dispatcher's sweep.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from masteria.campaigns.audience.filters import AudienceFilter
from masteria.campaigns.campaign.schemas import MessageSpec
from masteria.campaigns.campaign.snapshot import SnapshotResult, take_snapshot
from masteria.campaigns.counters import Moves
from masteria.campaigns.tables import campaigns, snapshot_jobs
from masteria.observability.logging import get_logger
from masteria.persistence.tenancy import set_tenant
from masteria.runtime.service import Service

log = get_logger(__name__)
_SYSTEM_ON = text("SELECT set_config('app.system', 'on', true)")
_SYSTEM_OFF = text("SELECT set_config('app.system', 'off', true)")


class SnapshotWorker:
    """Runs snapshot jobs in the background; ``wake`` after a launch commits."""

    def __init__(self, service: Service, poll_s: float) -> None:
        self.service, self.poll_s = service, poll_s
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.done = asyncio.Event()  # set after each snapshot (tests wait on it)

    def start(self) -> None:
        """Work in the background."""
        self._task = asyncio.create_task(self._run(), name="campaign-snapshots")

    async def stop(self) -> None:
        """Stop; a snapshot in progress rolls back and its job waits for the next process."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def wake(self) -> None:
        """A job was just committed."""
        self._wake.set()

    async def _run(self) -> None:
        while True:
            self._wake.clear()
            try:
                while await self.run_one():
                    self.done.set()
            except Exception:  # the worker outlives a database outage; the job stays for the next try
                log.exception("campaign snapshot failed")
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.poll_s):
                    await self._wake.wait()

    async def run_one(self) -> bool:
        """Take and run one job; False when there was none."""
        async with self.service.sessions() as session, session.begin():
            await session.execute(_SYSTEM_ON)
            j = snapshot_jobs.c
            job = (
                await session.execute(
                    select(j.campaign_id, j.tenant_id)
                    .order_by(j.requested_at)
                    .limit(1)
                    .with_for_update(skip_locked=True)
                )
            ).first()
            if job is None:
                return False
            await session.execute(_SYSTEM_OFF)
            await set_tenant(session, job.tenant_id)
            await snapshot_campaign(session, job.campaign_id)
            await session.execute(snapshot_jobs.delete().where(j.campaign_id == job.campaign_id))
        return True


async def snapshot_campaign(session: AsyncSession, campaign_id: uuid.UUID) -> SnapshotResult | None:
    """Snapshot one campaign inside the caller's transaction (tenant context set)."""
    c = campaigns.c
    row = (await session.execute(select(campaigns).where(c.id == campaign_id))).first()
    if row is None or row.snapshot_done_at is not None:
        return None
    result = await take_snapshot(
        session,
        tenant_id=row.tenant_id,
        campaign_id=row.id,
        channel=row.channel,
        audience=AudienceFilter.model_validate((row.snapshot or {}).get("filter", {})),
        message=MessageSpec.model_validate(row.message),
        duplicate_window_s=row.duplicate_window_s,
    )
    moves = Moves()
    moves.add(row.id, "total", result.total)
    moves.add(row.id, "pending", result.pending)
    moves.add(row.id, "skipped", result.skipped)
    await moves.apply(session)
    # Locked only now: a pause or cancel meanwhile has committed, and one after this waits for our commit.
    state = (await session.execute(select(c.state).where(c.id == row.id).with_for_update())).scalar_one()
    snapshot: dict[str, Any] = {
        "state": "done",
        "total": result.total,
        "skipped_by_reason": result.skipped_by_reason,
        "took_ms": result.took_ms,
    }
    await session.execute(
        update(campaigns)
        .where(c.id == row.id)
        .values(snapshot=snapshot, snapshot_done_at=datetime.now(UTC), needs_sweep=state == "cancelled")
    )
    log.info("campaign snapshot taken", campaign_id=str(row.id), total=result.total, took_ms=result.took_ms)
    return result
