"""Putting contacts into a cadence (by hand, by segment or filter, by a lead entering a stage) and taking
them out by hand. Enrolment is one set-based statement whatever the audience's size."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.ext.asyncio import AsyncSession

from masteria.campaigns.audience.filters import AudienceFilter, where_clause
from masteria.campaigns.cadences import repository
from masteria.campaigns.cadences.errors import CadenceFieldError, CadenceNotFoundError, CadenceRefusedError
from masteria.campaigns.cadences.hours import Delay, DelayUnit, due_at
from masteria.campaigns.cadences.schemas import EnrolIn, EnrolmentOut, EnrolOut, hours_from_json
from masteria.campaigns.cadences.service import existing
from masteria.campaigns.tables import contacts, segments


async def enrol(
    session: AsyncSession, tenant_id: uuid.UUID, cadence_id: uuid.UUID, body: EnrolIn, now: datetime
) -> EnrolOut:
    """Enrol the contacts the request names; an active or paused cadence takes them (a paused one holds them)."""
    cadence = await existing(session, cadence_id, for_update=True)
    if cadence.state == "draft":
        raise CadenceRefusedError("cadence_draft", "activate the cadence before enrolling contacts")
    audience, source, asked = await _audience(session, body)
    counts = await _enrol(session, tenant_id, cadence, where_clause(audience, now=now), source, now)
    if counts is None:
        raise CadenceRefusedError("no_steps", "the cadence has no steps")
    skipped: dict[str, int] = {}
    if counts.matching > counts.eligible:
        skipped["opted_out"] = counts.matching - counts.eligible
    if counts.eligible > counts.enrolled:
        skipped["already_enrolled"] = counts.eligible - counts.enrolled
    if asked is not None and asked > counts.matching:
        skipped["unknown_contact"] = asked - counts.matching
    return EnrolOut(enrolled=counts.enrolled, skipped=sum(skipped.values()), skipped_by_reason=skipped)


async def _audience(session: AsyncSession, body: EnrolIn) -> tuple[AudienceFilter, str, int | None]:
    if body.contact_ids is not None:
        ids = sorted(set(body.contact_ids))
        return AudienceFilter(contact_ids=ids), "manual", len(ids)
    if body.segment_id is not None:
        stmt = select(segments.c.filter).where(segments.c.id == body.segment_id)
        saved = (await session.execute(stmt)).scalar_one_or_none()
        if saved is None:
            raise CadenceFieldError("segment_id", "no such segment")
        return AudienceFilter.model_validate(saved), "segment", None
    assert body.filter is not None  # EnrolIn requires exactly one
    return body.filter, "filter", None


async def _enrol(
    session: AsyncSession, tenant_id: uuid.UUID, cadence: Row[Any], audience: Any, source: str, now: datetime
) -> repository.EnrolCounts | None:
    steps = (await repository.steps_of(session, [cadence.id])).get(cadence.id, [])
    if not steps:
        return None
    first = steps[0]
    first_run_at = due_at(now, Delay(first.delay_value, DelayUnit(first.delay_unit)),
                          hours_from_json(cadence.business_hours))
    return await repository.enrol_matching(
        session,
        tenant_id,
        cadence.id,
        audience=audience,
        refused_channels=sorted({step.channel for step in steps}),
        source=source,
        first_run_at=first_run_at,
        now=now,
    )


async def enrol_on_stage(
    session: AsyncSession, tenant_id: uuid.UUID, contact_id: uuid.UUID, stage_id: uuid.UUID, now: datetime
) -> int:
    """Enrol a contact whose lead entered ``stage_id`` into the active cadences that stage triggers."""
    c = repository.cadences_t.c
    stmt = select(repository.cadences_t).where(c.state == "active", c.enrol_on_stage_id == stage_id)
    enrolled = 0
    for cadence in (await session.execute(stmt)).all():
        counts = await _enrol(session, tenant_id, cadence, contacts.c.contact_id == contact_id, "event", now)
        enrolled += counts.enrolled if counts is not None else 0
    return enrolled


async def stop_by_hand(
    session: AsyncSession, cadence_id: uuid.UUID, enrolment_id: uuid.UUID, now: datetime
) -> EnrolmentOut:
    """Stop one enrolment; stopping a finished one changes nothing."""
    await existing(session, cadence_id)
    e = repository.enrolments_t.c
    await repository.stop_where(session, (e.id == enrolment_id) & (e.cadence_id == cadence_id), "manual", now)
    row = await repository.enrolment_by_id(session, cadence_id, enrolment_id)
    if row is None:
        raise CadenceNotFoundError("no such enrolment")
    return enrolment_out(row)


def enrolment_out(row: Row[Any]) -> EnrolmentOut:
    """An enrolment row (with the contact's phone and name) as the API shows it."""
    active = row.state == "active"
    return EnrolmentOut(
        id=row.id,
        contact_id=row.contact_id,
        phone=row.phone,
        name=row.name,
        state=row.state,
        source=row.source,
        next_position=row.next_position if active else None,
        next_run_at=row.next_run_at if active else None,
        enrolled_at=row.enrolled_at,
        last_reply_at=row.last_reply_at,
        stopped_at=row.stopped_at,
        stop_reason=row.stop_reason,
        completed_at=row.completed_at,
    )
