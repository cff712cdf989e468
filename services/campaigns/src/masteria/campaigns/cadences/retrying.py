"""One turn of the retry timers: take cadence sends whose retry fell due and send them again, in ONE transaction.

A send that failed transiently waits as ``retrying`` until ``retry_at`` (see ``statuses``). The claim
(``FOR UPDATE SKIP LOCKED``, across tenants like the step timers), the new command in the outbox (a new
dispatch id, the next attempt) and the send's new state are committed together: a process killed before the
commit leaves the retry due as it was, after it the attempt is recorded and the outbox publishes it, so each
attempt goes exactly once. The send log is not consulted for an attempt after the first (its first attempt
wrote the entry), so a retry is never refused as a duplicate of itself.

A retry goes only while the step itself still would: it is given up (the send stays failed) once the enrolment
was stopped, the cadence deleted, or the contact replied to a cadence that stops on reply; it waits while the
cadence is paused, and for the next opening when the cadence keeps business hours. Consent, the number and the
variables are checked again, as for any dispatch.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Row, bindparam, not_, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from masteria.campaigns.cadences import repository
from masteria.campaigns.cadences.hours import BusinessHours
from masteria.campaigns.cadences.repository import (
    cadences_t,
    claim_across_tenants,
    each_tenant,
    enrolments_t,
    sends_t,
    steps_t,
)
from masteria.campaigns.cadences.schemas import hours_from_json
from masteria.campaigns.cadences.stepping import CONTACT_FIELDS, STOPPING
from masteria.campaigns.sending.dispatch import DispatchItem, queue_dispatches
from masteria.campaigns.tables import contacts
from masteria.contracts.channels import Channel
from masteria.contracts.ids import uuid7
from masteria.messaging.outbox import Outbox


async def run_retries(
    sessions: async_sessionmaker[AsyncSession], outbox: Outbox, *, batch: int, grace: timedelta, now: datetime
) -> int:
    """Send again up to ``batch`` cadence sends of every tenant whose retry is due; how many were taken."""
    async with sessions() as session, session.begin():
        claimed = await claim_across_tenants(session, _claim(batch), {"now": now})
        await each_tenant(session, claimed, lambda t, ids: retry(session, outbox, t, ids, grace=grace, now=now))
    return len(claimed)


def _claim(batch: int) -> Any:
    s, e, cad = sends_t.c, enrolments_t.c, cadences_t.c
    # A paused cadence holds its retries as it holds its timers; a stopped enrolment's retry is given up at once.
    held = (cad.state == "paused") & (e.state != "stopped")
    return (
        select(s.id, s.tenant_id)
        .select_from(sends_t.join(enrolments_t, e.id == s.enrolment_id).join(cadences_t, cad.id == s.cadence_id))
        .where(s.state == "retrying", s.retry_at <= bindparam("now"), not_(held))
        .order_by(s.retry_at)
        .limit(batch)
        .with_for_update(skip_locked=True, of=sends_t)
    )


@dataclass
class _Outcome:
    """What one due retry does to its send: go again (``item``), wait (``retry_at``), or end (``state``)."""

    row: Row[Any]
    state: str
    item: DispatchItem | None = None
    retry_at: datetime | None = None
    reason: str | None = None

    def saved(self) -> dict[str, Any]:
        """The send's new columns."""
        sent = self.item if self.state == "queued" else None
        return {
            "id": self.row.id,
            "state": self.state,
            "dispatch_id": sent.dispatch_id if sent is not None else None,
            "attempt": sent.attempt if sent is not None else self.row.attempt,
            "retry_at": self.retry_at,
            "reason": self.reason,
        }


async def retry(
    session: AsyncSession,
    outbox: Outbox,
    tenant_id: uuid.UUID,
    send_ids: list[uuid.UUID],
    *,
    grace: timedelta,
    now: datetime,
) -> None:
    """Send again (or give up, or postpone) each claimed send of one tenant."""
    hours: dict[uuid.UUID, BusinessHours | None] = {}
    outcomes = []
    for row in await _load(session, send_ids):
        if row.cadence_id not in hours:
            hours[row.cadence_id] = hours_from_json(row.business_hours)
        outcomes.append(_decide(row, hours[row.cadence_id], grace, now))
    await _dispatch(session, outbox, tenant_id, outcomes)
    for reason, enrolment_ids in _stopping(outcomes).items():
        await repository.stop_where(session, enrolments_t.c.id.in_(enrolment_ids), reason, now)
    await _save(session, [outcome.saved() for outcome in outcomes], now)


async def _load(session: AsyncSession, send_ids: list[uuid.UUID]) -> list[Any]:
    s, e, cad, step, ct = sends_t.c, enrolments_t.c, cadences_t.c, steps_t.c, contacts.c
    stmt = (
        select(
            s.id,
            s.cadence_id,
            s.enrolment_id,
            s.step_id,
            s.attempt,
            s.retry_at,
            e.state.label("enrolment_state"),
            e.enrolled_at,
            e.last_reply_at,
            cad.state.label("cadence_state"),
            cad.business_hours,
            cad.duplicate_window_s,
            cad.stop_on_reply,
            step.channel,
            step.channel_account_id,
            step.content,
            ct.contact_id.label("known_contact"),
            ct.phone,
            ct.name,
            ct.email,
            ct.custom_fields,
            ct.lead_stage_name,
            ct.opted_out,
            ct.deleted,
            ct.last_inbound_at,
        )
        .select_from(
            sends_t.join(enrolments_t, e.id == s.enrolment_id)
            .join(cadences_t, cad.id == s.cadence_id)
            .join(steps_t, step.id == s.step_id)
            .outerjoin(contacts, ct.contact_id == s.contact_id)
        )
        .where(s.id.in_(send_ids))
        .order_by(s.id)
    )
    return list((await session.execute(stmt)).all())


def _decide(row: Row[Any], hours: BusinessHours | None, grace: timedelta, now: datetime) -> _Outcome:
    if row.enrolment_state == "stopped" or row.cadence_state != "active":
        return _Outcome(row, "failed")
    if hours is not None and not hours.is_open(now) and now - row.retry_at > grace:
        return _Outcome(row, "retrying", retry_at=hours.next_opening(now))
    replies = [at for at in (row.last_reply_at, row.last_inbound_at) if at is not None]
    if row.stop_on_reply and replies and max(replies) >= row.enrolled_at:
        # The contact wrote back: the reply consumer stops (or stopped) the enrolment; this message stays unsent.
        return _Outcome(row, "failed")
    contact = {name: getattr(row, name) for name in CONTACT_FIELDS}
    contact["deleted"] = row.known_contact is None or bool(row.deleted)
    item = DispatchItem(
        channel=Channel(row.channel),
        channel_account_id=row.channel_account_id,
        contact_row=contact,
        content_spec=row.content,
        campaign_id=row.cadence_id,
        recipient_id=row.enrolment_id,
        cadence_step_id=row.step_id,
        attempt=row.attempt + 1,
        dispatch_id=uuid7(),
    )
    return _Outcome(row, "queued", item=item)


async def _dispatch(session: AsyncSession, outbox: Outbox, tenant_id: uuid.UUID, outcomes: list[_Outcome]) -> None:
    by_window: dict[int, list[_Outcome]] = defaultdict(list)
    for outcome in outcomes:
        if outcome.item is not None:
            by_window[outcome.row.duplicate_window_s].append(outcome)
    for window, group in by_window.items():
        items = [outcome.item for outcome in group if outcome.item is not None]
        done = await queue_dispatches(session, outbox, tenant_id, items, duplicate_window=timedelta(seconds=window))
        for outcome, result in zip(group, done, strict=True):
            if not result.queued:
                outcome.state, outcome.reason = "skipped", result.reason


def _stopping(outcomes: list[_Outcome]) -> dict[str, list[uuid.UUID]]:
    stops: dict[str, list[uuid.UUID]] = defaultdict(list)
    for outcome in outcomes:
        if outcome.state == "skipped" and outcome.reason in STOPPING:
            stops[STOPPING[outcome.reason]].append(outcome.row.enrolment_id)
    return stops


# One statement for the whole batch. A resent attempt starts afresh (no stamps of the failed one); a send given
# up keeps the time its last attempt failed.
_SAVE = text("""
    UPDATE campaigns.cadence_sends s
       SET state = v.state, dispatch_id = v.dispatch_id, attempt = v.attempt, retry_at = v.retry_at,
           skip_reason = v.reason,
           sent_at = CASE WHEN v.state = 'queued' THEN NULL ELSE s.sent_at END,
           failed_at = CASE WHEN v.state IN ('failed', 'retrying') THEN coalesce(s.failed_at, :now) END
      FROM unnest(CAST(:ids AS uuid[]), CAST(:states AS text[]), CAST(:dispatch_ids AS uuid[]),
                  CAST(:attempts AS smallint[]), CAST(:retry_ats AS timestamptz[]), CAST(:reasons AS text[]))
           AS v(id, state, dispatch_id, attempt, retry_at, reason)
     WHERE s.id = v.id
""")


async def _save(session: AsyncSession, saved: list[dict[str, Any]], now: datetime) -> None:
    if not saved:
        return
    await session.execute(
        _SAVE,
        {
            "now": now,
            "ids": [v["id"] for v in saved],
            "states": [v["state"] for v in saved],
            "dispatch_ids": [v["dispatch_id"] for v in saved],
            "attempts": [v["attempt"] for v in saved],
            "retry_ats": [v["retry_at"] for v in saved],
            "reasons": [v["reason"] for v in saved],
        },
    )
