"""One turn of the durable timers: take due enrolments, run their step, schedule the next, in ONE transaction.

The claim (``FOR UPDATE SKIP LOCKED``), the condition, the dispatch command in the outbox (through the bulk
lane's shared ``queue_dispatches``: opt-out, number, variables and duplicate checks), the ``cadence_sends``
row and the enrolment's next timer are committed together. A process killed anywhere before the commit
leaves the enrolment due as it was (the step runs again, nothing went out); after it, the step is recorded
and the outbox publishes it. Replicas never take the same enrolment: the lock is held until the commit.
A step that falls due while an earlier step's send of the enrolment waits for its retry waits for that retry.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Row, bindparam, func, insert, select, text, true
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from masteria.campaigns.cadences.conditions import Condition, Facts, ReplySince, StepRule, holds
from masteria.campaigns.cadences.hours import BusinessHours, Delay, DelayUnit, due_at
from masteria.campaigns.cadences.repository import (
    cadences_t,
    claim_across_tenants,
    each_tenant,
    enrolments_t,
    sends_t,
    steps_t,
)
from masteria.campaigns.cadences.schemas import hours_from_json
from masteria.campaigns.sending.dispatch import CONTACT_DELETED, OPTED_OUT, DispatchItem, queue_dispatches
from masteria.campaigns.tables import contacts
from masteria.contracts.channels import Channel
from masteria.contracts.ids import uuid7
from masteria.messaging.outbox import Outbox

# Skips that end the enrolment: the contact may not (or can no longer) be messaged at all.
STOPPING = {OPTED_OUT: "opted_out", CONTACT_DELETED: "contact_deleted"}
CONTACT_FIELDS = ("phone", "name", "email", "custom_fields", "lead_stage_name", "opted_out", "deleted")


async def run_due(
    sessions: async_sessionmaker[AsyncSession], outbox: Outbox, *, batch: int, grace: timedelta, now: datetime
) -> int:
    """Run the steps of up to ``batch`` due enrolments of every tenant; how many were taken."""
    async with sessions() as session, session.begin():
        # Due enrolments are found across tenants; everything else happens inside each tenant's context.
        claimed = await claim_across_tenants(session, _claim(batch), {"now": now})
        await each_tenant(session, claimed, lambda t, ids: advance(session, outbox, t, ids, grace=grace, now=now))
    return len(claimed)


def _claim(batch: int) -> Any:
    e = enrolments_t.c
    active = select(cadences_t.c.id).where(cadences_t.c.state == "active")
    return (
        select(e.id, e.tenant_id)
        .where(e.state == "active", e.next_run_at <= bindparam("now"), e.cadence_id.in_(active))
        .limit(batch)
        .with_for_update(skip_locked=True, of=enrolments_t)
    )


@dataclass
class _Turn:
    """What one enrolment's turn writes: the enrolment's new columns and, maybe, a send row."""

    row: Row[Any]
    values: dict[str, Any]
    send: dict[str, Any] | None = None
    item: DispatchItem | None = None


@dataclass
class _Batch:
    turns: list[_Turn] = field(default_factory=list)
    hours: dict[uuid.UUID, BusinessHours | None] = field(default_factory=dict)

    def hours_of(self, row: Row[Any]) -> BusinessHours | None:
        if row.cadence_id not in self.hours:
            self.hours[row.cadence_id] = hours_from_json(row.business_hours)
        return self.hours[row.cadence_id]


async def advance(
    session: AsyncSession,
    outbox: Outbox,
    tenant_id: uuid.UUID,
    enrolment_ids: list[uuid.UUID],
    *,
    grace: timedelta,
    now: datetime,
) -> None:
    """Run the due step of each (claimed) enrolment of one tenant."""
    batch = _Batch()
    for row in await _load(session, enrolment_ids):
        batch.turns.append(_decide(row, batch.hours_of(row), grace, now))
    await _dispatch(session, outbox, tenant_id, batch, now)
    sends = [turn.send for turn in batch.turns if turn.send is not None]
    if sends:
        await session.execute(insert(sends_t), sends)
    await _save(session, [turn.values for turn in batch.turns], now)


async def _load(session: AsyncSession, enrolment_ids: list[uuid.UUID]) -> list[Any]:
    e, cad, ct, s = enrolments_t.c, cadences_t.c, contacts.c, sends_t.c
    step, following = steps_t.alias("step"), steps_t.alias("following")
    previous = (
        select(s.state.label("previous_state"), s.created_at.label("previous_sent_at"))
        .where(s.enrolment_id == e.id, s.state != "skipped")
        .order_by(s.position.desc())
        .limit(1)
        .lateral("previous")
    )
    # An earlier step's send waiting for its retry (see ``retrying``): this step waits for it to go.
    retry_at = select(func.min(s.retry_at)).where(s.enrolment_id == e.id, s.state == "retrying").scalar_subquery()
    stmt = (
        select(
            e.id, e.tenant_id, e.cadence_id, e.contact_id, e.next_position, e.next_run_at, e.enrolled_at,
            e.last_reply_at, e.last_step_at, retry_at.label("retry_at"),
            cad.business_hours, cad.duplicate_window_s, cad.stop_on_reply,
            step.c.id.label("step_id"), step.c.channel, step.c.channel_account_id, step.c.content, step.c.condition,
            step.c.condition_stage_id, step.c.condition_since,
            following.c.delay_value.label("next_delay_value"), following.c.delay_unit.label("next_delay_unit"),
            ct.contact_id.label("known_contact"), ct.phone, ct.name, ct.email, ct.custom_fields, ct.lead_stage_id,
            ct.lead_stage_name, ct.opted_out, ct.deleted, ct.last_inbound_at,
            previous.c.previous_state, previous.c.previous_sent_at,
        )
        .select_from(
            enrolments_t.join(cadences_t, cad.id == e.cadence_id)
            .outerjoin(step, (step.c.cadence_id == e.cadence_id) & (step.c.position == e.next_position))
            .outerjoin(following, (following.c.cadence_id == e.cadence_id)
                       & (following.c.position == e.next_position + 1))
            .outerjoin(contacts, ct.contact_id == e.contact_id)
            .outerjoin(previous, true())
        )
        .where(e.id.in_(enrolment_ids))
        .order_by(e.id)
    )
    return list((await session.execute(stmt)).all())


def _latest(*moments: datetime | None) -> datetime | None:
    known = [m for m in moments if m is not None]
    return max(known) if known else None


def _postponed(row: Row[Any], hours: BusinessHours | None, grace: timedelta, now: datetime) -> datetime | None:
    """When a due step must wait, the moment it is due again; None when it may go now."""
    if hours is not None and not hours.is_open(now) and now - row.next_run_at > grace:
        # Due inside business hours but taken outside them (the cadence was paused, or the service was down).
        return hours.next_opening(now)
    retry_at: datetime | None = row.retry_at
    if retry_at is not None:
        # An earlier send waits for its retry (seconds to minutes): the contact gets the steps in order.
        return max(retry_at, now)
    return None


def _decide(row: Row[Any], hours: BusinessHours | None, grace: timedelta, now: datetime) -> _Turn:
    if row.known_contact is None or row.deleted:
        return _Turn(row, _stopped(row, "contact_deleted", now))
    if row.step_id is None:  # the steps changed under it, or it ran out of them
        return _Turn(row, _completed(row, now))
    later = _postponed(row, hours, grace, now)
    if later is not None:
        return _Turn(row, _values(row, next_run_at=later))
    last_reply = _latest(row.last_reply_at, row.last_inbound_at)
    if row.stop_on_reply and last_reply is not None and last_reply >= row.enrolled_at:
        # The reply consumer stops it too; the view already knows, so not one more message goes meanwhile.
        return _Turn(row, _stopped(row, "replied", now))
    facts = Facts(row.enrolled_at, last_reply, row.previous_sent_at, row.previous_state, row.lead_stage_id)
    rule = StepRule(Condition(row.condition), row.condition_stage_id, ReplySince(row.condition_since))
    if not holds(rule, facts):
        return _Turn(row, _next(row, hours, now), send=_send_row(row, now, "skipped", reason="condition"))
    item = DispatchItem(
        channel=Channel(row.channel),
        channel_account_id=row.channel_account_id,
        contact_row={name: getattr(row, name) for name in CONTACT_FIELDS},
        content_spec=row.content,
        campaign_id=row.cadence_id,
        recipient_id=row.id,
        cadence_step_id=row.step_id,
        dispatch_id=uuid7(),
    )
    return _Turn(row, _next(row, hours, now), item=item)


async def _dispatch(session: AsyncSession, outbox: Outbox, tenant_id: uuid.UUID, batch: _Batch, now: datetime) -> None:
    by_window: dict[int, list[_Turn]] = defaultdict(list)
    for turn in batch.turns:
        if turn.item is not None:
            by_window[turn.row.duplicate_window_s].append(turn)
    for window, turns in by_window.items():
        items = [turn.item for turn in turns if turn.item is not None]
        outcomes = await queue_dispatches(session, outbox, tenant_id, items, duplicate_window=timedelta(seconds=window))
        for turn, outcome in zip(turns, outcomes, strict=True):
            if outcome.queued:
                turn.send = _send_row(turn.row, now, "queued", dispatch_id=outcome.item.dispatch_id)
                continue
            turn.send = _send_row(turn.row, now, "skipped", reason=outcome.reason)
            if outcome.reason in STOPPING:
                turn.values = _stopped(turn.row, STOPPING[outcome.reason], now)


def _send_row(
    row: Row[Any], now: datetime, state: str, *, reason: str | None = None, dispatch_id: uuid.UUID | None = None
) -> dict[str, Any]:
    return {
        "id": uuid7(),
        "tenant_id": row.tenant_id,
        "cadence_id": row.cadence_id,
        "enrolment_id": row.id,
        "step_id": row.step_id,
        "position": row.next_position,
        "contact_id": row.contact_id,
        "channel": row.channel,
        "dispatch_id": dispatch_id,
        "state": state,
        "skip_reason": reason,
        "created_at": now,
    }


def _values(row: Row[Any], **changes: Any) -> dict[str, Any]:
    values = {
        "id": row.id,
        "state": "active",
        "next_position": row.next_position,
        "next_run_at": row.next_run_at,
        "last_step_at": row.last_step_at,
        "stop_reason": None,
        "stopped_at": None,
        "completed_at": None,
    }
    values.update(changes)
    return values


def _stopped(row: Row[Any], reason: str, now: datetime) -> dict[str, Any]:
    return _values(row, state="stopped", next_run_at=None, stop_reason=reason, stopped_at=now)


def _completed(row: Row[Any], now: datetime) -> dict[str, Any]:
    return _values(row, state="completed", next_run_at=None, completed_at=now)


def _next(row: Row[Any], hours: BusinessHours | None, now: datetime) -> dict[str, Any]:
    """After this step: the next one's timer (its delay counts from now), or the end of the cadence."""
    if row.next_delay_value is None:
        return _values(row, state="completed", next_position=row.next_position + 1, next_run_at=None,
                       last_step_at=now, completed_at=now)
    delay = Delay(row.next_delay_value, DelayUnit(row.next_delay_unit))
    return _values(row, next_position=row.next_position + 1, next_run_at=due_at(now, delay, hours), last_step_at=now)


# One statement for the whole batch (an executemany costs a round of the protocol per enrolment).
_SAVE = text("""
    UPDATE campaigns.enrolments e
       SET state = v.state, next_position = v.next_position, next_run_at = v.next_run_at,
           last_step_at = v.last_step_at, stop_reason = v.stop_reason, stopped_at = v.stopped_at,
           completed_at = v.completed_at, updated_at = :now
      FROM unnest(CAST(:ids AS uuid[]), CAST(:states AS text[]), CAST(:positions AS integer[]),
                  CAST(:run_ats AS timestamptz[]), CAST(:step_ats AS timestamptz[]), CAST(:reasons AS text[]),
                  CAST(:stopped_ats AS timestamptz[]), CAST(:completed_ats AS timestamptz[]))
           AS v(id, state, next_position, next_run_at, last_step_at, stop_reason, stopped_at, completed_at)
     WHERE e.id = v.id
""")


async def _save(session: AsyncSession, values: list[dict[str, Any]], now: datetime) -> None:
    if not values:
        return
    await session.execute(_SAVE, {
        "now": now,
        "ids": [v["id"] for v in values],
        "states": [v["state"] for v in values],
        "positions": [v["next_position"] for v in values],
        "run_ats": [v["next_run_at"] for v in values],
        "step_ats": [v["last_step_at"] for v in values],
        "reasons": [v["stop_reason"] for v in values],
        "stopped_ats": [v["stopped_at"] for v in values],
        "completed_ats": [v["completed_at"] for v in values],
    })
