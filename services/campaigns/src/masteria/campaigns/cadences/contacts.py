"""Hook of the campaigns contacts consumer: opt-outs, deletions, merges and lead stage moves.

Call it after the contacts view has applied the same events (an enrolment by stage reads the view).
- an opt-out stops the contact's enrolments in cadences that use that channel (or all, for every channel);
- a deleted contact, or one merged into another, is stopped;
- a lead moving to another stage stops the enrolments of cadences with ``stop_on_stage_change`` (only those
  enrolled before the move), then enrols the contact into the active cadences that stage triggers.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from masteria.campaigns.cadences import repository
from masteria.campaigns.cadences.enrolling import enrol_on_stage
from masteria.campaigns.cadences.hooks import payloads
from masteria.contracts.contacts import ContactDeleted, ContactOptedOut, ContactsMerged
from masteria.contracts.envelope import Envelope, Payload
from masteria.contracts.leads import LeadStageChanged
from masteria.messaging.consuming import Received

e = repository.enrolments_t.c


async def apply(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    items: Iterable[Received | Envelope[Any] | Payload],
    *,
    now: datetime | None = None,
) -> int:
    """Apply the contact and lead events among ``items`` to enrolments; how many enrolments changed."""
    moment = now or datetime.now(UTC)
    changed = 0
    for payload in payloads(items):
        if isinstance(payload, ContactOptedOut):
            changed += await repository.stop_where(session, _refusing(payload), "opted_out", moment)
        elif isinstance(payload, ContactDeleted):
            changed += await repository.stop_where(session, e.contact_id == payload.contact_id,
                                                   "contact_deleted", moment)
        elif isinstance(payload, ContactsMerged):
            changed += await repository.stop_where(session, e.contact_id.in_(payload.merged_contact_ids),
                                                   "contact_merged", moment)
        elif isinstance(payload, LeadStageChanged):
            changed += await _stage_changed(session, tenant_id, payload, moment)
    return changed


def _refusing(event: ContactOptedOut) -> ColumnElement[bool]:
    mine: ColumnElement[bool] = e.contact_id == event.contact_id
    if event.channel is None:
        return mine
    steps = repository.steps_t.c
    uses_channel = exists().where(steps.cadence_id == e.cadence_id, steps.channel == event.channel.value)
    both: ColumnElement[bool] = mine & uses_channel
    return both


async def _stage_changed(session: AsyncSession, tenant_id: uuid.UUID, event: LeadStageChanged, now: datetime) -> int:
    stopped = 0
    if event.previous_stage_id != event.stage_id:
        cad = repository.cadences_t.c
        stopping = select(cad.id).where(cad.stop_on_stage_change)
        condition = (
            (e.contact_id == event.contact_id) & e.cadence_id.in_(stopping) & (e.enrolled_at <= event.occurred_at)
        )
        stopped = await repository.stop_where(session, condition, "stage_changed", now)
    return stopped + await enrol_on_stage(session, tenant_id, event.contact_id, event.stage_id, now)
