"""The dispatcher: every tick, each running campaign sends what its pace and in-flight window allow.

One transaction per campaign and tick. The campaign row is locked with SKIP LOCKED, so replicas never
work the same campaign at once and an API pause (which waits for that lock) commits between two ticks;
recipients are taken with SKIP LOCKED too. Taken recipients are rendered, checked, written to the outbox
and marked queued (or skipped) in that same transaction: a crash at any point leaves either all of it or
none of it, so nothing is lost and nothing is sent twice. The outbox relay publishes after commit.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
import uuid
from collections import deque
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from masteria.campaigns import counters
from masteria.campaigns.campaign.events import publish_state
from masteria.campaigns.campaign.schemas import MessageSpec
from masteria.campaigns.counters import Moves
from masteria.campaigns.events import wrap
from masteria.campaigns.sending import repository
from masteria.campaigns.sending.dispatch import DispatchItem, DispatchOutcome, queue_dispatches
from masteria.campaigns.sending.pacing import Inflight, refill
from masteria.campaigns.sending.schedule import may_send
from masteria.campaigns.settings import CampaignsSettings
from masteria.contracts.campaigns import CampaignProgressed, CampaignState
from masteria.contracts.channels import Channel
from masteria.observability.logging import get_logger
from masteria.persistence.tenancy import set_tenant, system_session
from masteria.runtime.service import Service

log = get_logger(__name__)
RATE_WINDOW_S = 5.0


class Dispatcher:
    """One loop per process; ``wake`` after a launch, resume or pause commits to act before the next tick."""

    def __init__(self, service: Service, settings: CampaignsSettings) -> None:
        self.service, self.settings = service, settings
        self._inflight: dict[uuid.UUID, Inflight] = {}
        self._sends: dict[uuid.UUID, deque[tuple[float, int]]] = {}
        self._tail: dict[uuid.UUID, tuple[uuid.UUID, float]] = {}  # finished campaigns still reporting progress
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Dispatch in the background."""
        self._task = asyncio.create_task(self._run(), name="campaign-dispatcher")

    async def stop(self) -> None:
        """Stop after the tick in progress (an interrupted tick rolls back: its recipients stay pending)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def wake(self) -> None:
        """Run the next tick now."""
        self._wake.set()

    async def _run(self) -> None:
        while True:
            started = time.monotonic()
            self._wake.clear()
            try:
                await self.tick()
            except Exception:  # the loop outlives a database outage; a failed tick rolled back
                log.exception("dispatcher tick failed")
                await asyncio.sleep(1.0)
            pause = self.settings.tick_s - (time.monotonic() - started)
            if pause > 0:
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(pause):
                        await self._wake.wait()

    async def tick(self) -> None:
        """One pass over every campaign that may have work."""
        async with system_session(self.service.sessions) as session:
            active = await repository.active_campaigns(session)
        for campaign in active:
            await self.tick_campaign(campaign.tenant_id, campaign.id)
        await self._report_tails()

    async def tick_campaign(self, tenant_id: uuid.UUID, campaign_id: uuid.UUID) -> None:
        """Sweep, promote, send and report for one campaign, in one transaction."""
        assert self.service.outbox is not None
        async with self.service.sessions() as session, session.begin():
            await set_tenant(session, tenant_id)
            row = await repository.lock_campaign(session, campaign_id)
            if row is None:
                return
            if row.needs_sweep:
                await self._sweep(session, row)
                return
            now = datetime.now(UTC)
            if row.snapshot_done_at is None:
                return
            if row.state == CampaignState.SCHEDULED and may_start(row, now):
                row = await self._set_state(session, tenant_id, row, CampaignState.RUNNING)
            if row.state != CampaignState.RUNNING:
                return
            moves = Moves()
            values = await self._send(session, tenant_id, row, now, moves)
            if values.pop("finished", False):
                await moves.apply(session)  # the completion event carries final counts
                row = await self._set_state(session, tenant_id, row, CampaignState.COMPLETED, completed_at=now)
                self._tail[row.id] = (tenant_id, time.monotonic() + self.settings.progress_tail_s)
            if _due(row.progress_at, now, self.settings.progress_interval_s):
                await self._progress(session, tenant_id, row)
                values["progress_at"] = now
            await repository.save_campaign(session, row.id, values)
            # Last: the status consumer waits on this row only for the commit, not for the whole tick.
            await moves.apply(session)

    async def _send(
        self, session: AsyncSession, tenant_id: uuid.UUID, row: Row[Any], now: datetime, moves: Moves
    ) -> dict[str, Any]:
        """Dispatch what the bucket and the window allow; returns the campaign's new pacing values."""
        tokens = refill(row.pace_tokens, row.pace_at, now, row.messages_per_second)
        values: dict[str, Any] = {"pace_tokens": tokens, "pace_at": now}
        if not may_send(row.schedule, now, self.settings.default_timezone):
            return values
        in_flight = await repository.inflight(session, row.id)
        cap = row.messages_per_second * self.settings.inflight_s * 2  # never more than 2 x target of the pace
        window = self._window(row.id).observe(in_flight, time.monotonic(), cap)
        n = min(math.floor(tokens), window, self.settings.dispatch_batch_max)
        picked = await repository.pick(session, row.id, n) if n > 0 else []
        outcomes = await self._dispatch(session, tenant_id, row, picked, moves)
        queued = sum(1 for o in outcomes if o.queued)
        self._window(row.id).dispatched(queued)
        self._count_sends(row.id, queued)
        values |= {"pace_tokens": tokens - queued, "sender_cursor": row.sender_cursor + queued}
        if len(picked) < n or n == 0:
            values["finished"] = in_flight + queued == 0 and not await repository.has_pending(session, row.id)
        return values

    async def _dispatch(
        self, session: AsyncSession, tenant_id: uuid.UUID, row: Row[Any], picked: list[Row[Any]], moves: Moves
    ) -> list[DispatchOutcome]:
        if not picked:
            return []
        assert self.service.outbox is not None
        message = MessageSpec.model_validate(row.message)
        accounts = list(row.channel_account_ids or [])
        items = [
            DispatchItem(
                channel=Channel(row.channel),
                channel_account_id=accounts[(row.sender_cursor + i) % len(accounts)] if accounts else None,
                contact_row=r,
                content_spec=message.content_of(r.variant),
                campaign_id=row.id,
                recipient_id=r.id,
                attempt=r.attempt + 1,
            )
            for i, r in enumerate(picked)
        ]
        window = timedelta(seconds=row.duplicate_window_s)
        outcomes = await queue_dispatches(session, self.service.outbox, tenant_id, items, duplicate_window=window)
        moves.moved(await repository.mark(session, [_mark(o, r) for o, r in zip(outcomes, picked, strict=True)]))
        return outcomes

    async def _sweep(self, session: AsyncSession, row: Row[Any]) -> None:
        moved = await repository.sweep(session, row.id, self.settings.sweep_chunk)
        moves = Moves()
        moves.moved(moved)
        await moves.apply(session)
        if len(moved) < self.settings.sweep_chunk:
            await repository.save_campaign(session, row.id, {"needs_sweep": False})

    async def _set_state(
        self, session: AsyncSession, tenant_id: uuid.UUID, row: Row[Any], state: CampaignState, **values: Any
    ) -> Row[Any]:
        assert self.service.outbox is not None
        updated = await repository.save_campaign(session, row.id, {"state": state.value, **values})
        await publish_state(session, self.service.outbox, tenant_id, updated, row.state)
        log.info("campaign state changed", campaign_id=str(row.id), state=state.value, previous=row.state)
        return updated

    async def _progress(self, session: AsyncSession, tenant_id: uuid.UUID, row: Row[Any]) -> None:
        assert self.service.outbox is not None
        payload = CampaignProgressed(
            campaign_id=row.id,
            state=CampaignState(row.state),
            counts=await counters.read(session, row.id),
            sent_per_second=self.sent_per_second(row.id),
            occurred_at=datetime.now(UTC),
        )
        await self.service.outbox.add(session, wrap(payload, tenant_id))

    async def _report_tails(self) -> None:
        """Progress of campaigns finished in the last ``progress_tail_s``: statuses still arrive.

        (A campaign completes inside a tick that counted it active, so being active is no reason to stop: a
        completed campaign never runs again.)
        """
        clock = time.monotonic()
        for campaign_id, (tenant_id, until) in list(self._tail.items()):
            if clock > until:
                self._tail.pop(campaign_id, None)
                self._inflight.pop(campaign_id, None)
                self._sends.pop(campaign_id, None)
                continue
            await self._report_finished(tenant_id, campaign_id)

    async def _report_finished(self, tenant_id: uuid.UUID, campaign_id: uuid.UUID) -> None:
        async with self.service.sessions() as session, session.begin():
            await set_tenant(session, tenant_id)
            row = await repository.lock_campaign(session, campaign_id)
            now = datetime.now(UTC)
            if row is not None and _due(row.progress_at, now, self.settings.progress_interval_s):
                await self._progress(session, tenant_id, row)
                await repository.save_campaign(session, campaign_id, {"progress_at": now})

    def _window(self, campaign_id: uuid.UUID) -> Inflight:
        window = self._inflight.get(campaign_id)
        if window is None:
            window = self._inflight[campaign_id] = Inflight(self.settings.inflight_min, self.settings.inflight_s)
        return window

    def _count_sends(self, campaign_id: uuid.UUID, n: int) -> None:
        sends = self._sends.setdefault(campaign_id, deque())
        clock = time.monotonic()
        if n:
            sends.append((clock, n))
        while sends and sends[0][0] < clock - RATE_WINDOW_S:
            sends.popleft()

    def sent_per_second(self, campaign_id: uuid.UUID) -> float:
        """Dispatches per second over the last few seconds (this process's)."""
        sends = self._sends.get(campaign_id)
        if not sends:
            return 0.0
        return round(sum(n for _, n in sends) / RATE_WINDOW_S, 1)


def may_start(row: Row[Any], now: datetime) -> bool:
    """A scheduled campaign whose start time has come."""
    start_at = (row.schedule or {}).get("start_at")
    return start_at is None or datetime.fromisoformat(start_at) <= now


def _due(last: datetime | None, now: datetime, interval_s: float) -> bool:
    return last is None or (now - last).total_seconds() >= interval_s


def _mark(outcome: DispatchOutcome, row: Row[Any]) -> dict[str, Any]:
    if outcome.queued:
        item = outcome.item
        return {
            "id": row.id,
            "state": "queued",
            "reason": None,
            "dispatch_id": item.dispatch_id,
            "attempt": item.attempt,
            "account": item.channel_account_id,
            "phone": row.phone,  # the number sent to (the contact's current one): replies are matched by it
        }
    return {
        "id": row.id,
        "state": "skipped",
        "reason": outcome.reason,
        "dispatch_id": None,
        "attempt": row.attempt,
        "account": None,
        "phone": None,
    }
