"""What the cadences API does with a cadence: create, change, activate, pause, delete, describe."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from masteria.campaigns.cadences import repository
from masteria.campaigns.cadences.errors import CadenceFieldError, CadenceNotFoundError, CadenceRefusedError
from masteria.campaigns.cadences.hours import DelayUnit
from masteria.campaigns.cadences.schemas import (
    BusinessHoursIn,
    CadenceIn,
    CadenceOut,
    CadencePatch,
    DelayIn,
    EnrolmentCounts,
    StepIn,
    StepOut,
    window_seconds,
)
from masteria.campaigns.cadences.settings import CadenceSettings
from masteria.contracts.ids import uuid7

NOT_FOUND = "no such cadence"


def _check_units(steps: list[StepIn], settings: CadenceSettings) -> None:
    for index, step in enumerate(steps):
        if step.delay.unit is DelayUnit.SECONDS and not settings.allow_seconds:
            raise CadenceFieldError(f"steps.{index}.delay.unit", "delays are counted in minutes, hours or days")


def _step_rows(tenant_id: uuid.UUID, cadence_id: uuid.UUID, steps: list[StepIn]) -> list[dict[str, Any]]:
    return [
        {
            "id": uuid7(),
            "tenant_id": tenant_id,
            "cadence_id": cadence_id,
            "position": position,
            "channel": step.channel,
            "channel_account_id": step.channel_account_id,
            "content": step.content,
            "delay_value": step.delay.value,
            "delay_unit": step.delay.unit.value,
            "condition": step.condition.value,
            "condition_stage_id": step.stage_id,
            "condition_since": step.since.value,
        }
        for position, step in enumerate(steps, start=1)
    ]


def _hours_json(hours: BusinessHoursIn | None) -> dict[str, Any] | None:
    return hours.model_dump() if hours is not None else None


async def create(
    session: AsyncSession, tenant_id: uuid.UUID, body: CadenceIn, settings: CadenceSettings, now: datetime
) -> CadenceOut:
    """A new draft cadence with its steps."""
    _check_units(body.steps, settings)
    cadence_id = uuid7()
    await repository.insert_cadence(session, {
        "id": cadence_id,
        "tenant_id": tenant_id,
        "name": body.name,
        "state": "draft",
        "business_hours": _hours_json(body.business_hours),
        "stop_on_reply": body.stop_on_reply,
        "stop_on_stage_change": body.stop_on_stage_change,
        "enrol_on_stage_id": body.enrol_on_stage_id,
        "duplicate_window_s": window_seconds(body.duplicate_window_hours),
        "created_at": now,
        "updated_at": now,
    })
    await repository.replace_steps(session, cadence_id, _step_rows(tenant_id, cadence_id, body.steps))
    return await view(session, cadence_id)


async def existing(session: AsyncSession, cadence_id: uuid.UUID, *, for_update: bool = False) -> Row[Any]:
    """The cadence, or not found."""
    row = await repository.cadence_by_id(session, cadence_id, for_update=for_update)
    if row is None:
        raise CadenceNotFoundError(NOT_FOUND)
    return row


async def view(session: AsyncSession, cadence_id: uuid.UUID) -> CadenceOut:
    """The cadence as the API shows it."""
    [out] = await describe(session, [await existing(session, cadence_id)])
    return out


async def describe(session: AsyncSession, rows: list[Row[Any]]) -> list[CadenceOut]:
    """Cadences with their steps and enrolment counts (two queries for any number of them)."""
    ids = [row.id for row in rows]
    steps = await repository.steps_of(session, ids)
    states = await repository.enrolment_states(session, ids)
    return [_out(row, steps.get(row.id, []), states.get(row.id, {})) for row in rows]


def _out(row: Row[Any], steps: list[Row[Any]], states: dict[str, int]) -> CadenceOut:
    return CadenceOut(
        id=row.id,
        name=row.name,
        state=row.state,
        steps=[_step_out(step) for step in steps],
        business_hours=BusinessHoursIn.model_validate(row.business_hours) if row.business_hours else None,
        stop_on_reply=row.stop_on_reply,
        stop_on_stage_change=row.stop_on_stage_change,
        enrol_on_stage_id=row.enrol_on_stage_id,
        duplicate_window_hours=row.duplicate_window_s / 3600,
        enrolments=EnrolmentCounts(total=sum(states.values()), **states),
        created_at=row.created_at,
        updated_at=row.updated_at,
        activated_at=row.activated_at,
        paused_at=row.paused_at,
    )


def _step_out(step: Row[Any]) -> StepOut:
    return StepOut(
        id=step.id,
        position=step.position,
        channel=step.channel,
        content=step.content,
        delay=DelayIn.model_construct(value=step.delay_value, unit=DelayUnit(step.delay_unit)),
        condition=step.condition,
        stage_id=step.condition_stage_id,
        since=step.condition_since,
        channel_account_id=step.channel_account_id,
    )


async def change(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    cadence_id: uuid.UUID,
    patch: CadencePatch,
    settings: CadenceSettings,
    now: datetime,
) -> CadenceOut:
    """Apply the fields given; the steps of a cadence somebody went through are its history and stay."""
    await existing(session, cadence_id, for_update=True)
    given = patch.model_fields_set
    values: dict[str, Any] = {"updated_at": now}
    for name in ("name", "stop_on_reply", "stop_on_stage_change"):
        if name in given and getattr(patch, name) is not None:
            values[name] = getattr(patch, name)
    if "enrol_on_stage_id" in given:
        values["enrol_on_stage_id"] = patch.enrol_on_stage_id
    if "business_hours" in given:
        values["business_hours"] = _hours_json(patch.business_hours)
    if "duplicate_window_hours" in given and patch.duplicate_window_hours is not None:
        values["duplicate_window_s"] = window_seconds(patch.duplicate_window_hours)
    if "steps" in given and patch.steps is not None:
        _check_units(patch.steps, settings)
        if await repository.ever_enrolled(session, cadence_id):
            raise CadenceRefusedError(
                "cadence_in_use", "contacts went through these steps: create a new cadence to change them"
            )
        await repository.replace_steps(session, cadence_id, _step_rows(tenant_id, cadence_id, patch.steps))
    await repository.update_cadence(session, cadence_id, values)
    return await view(session, cadence_id)


async def activate(session: AsyncSession, cadence_id: uuid.UUID, now: datetime) -> CadenceOut:
    """Start (or resume) sending; due steps of a paused cadence go at once, inside business hours."""
    row = await existing(session, cadence_id, for_update=True)
    if row.state != "active":
        steps = await repository.steps_of(session, [cadence_id])
        if not steps.get(cadence_id):
            raise CadenceRefusedError("no_steps", "a cadence needs at least one step to be activated")
        await repository.update_cadence(
            session, cadence_id, {"state": "active", "activated_at": now, "paused_at": None, "updated_at": now}
        )
    return await view(session, cadence_id)


async def pause(session: AsyncSession, cadence_id: uuid.UUID, now: datetime) -> CadenceOut:
    """Hold every enrolment where it is (their timers keep); activate resumes them."""
    row = await existing(session, cadence_id, for_update=True)
    if row.state == "draft":
        raise CadenceRefusedError("cadence_draft", "a draft cadence is not running: there is nothing to pause")
    if row.state == "active":
        await repository.update_cadence(session, cadence_id, {"state": "paused", "paused_at": now, "updated_at": now})
    return await view(session, cadence_id)


async def remove(session: AsyncSession, cadence_id: uuid.UUID, now: datetime) -> None:
    """Delete the cadence: its active enrolments stop; its history stays for the records."""
    await existing(session, cadence_id, for_update=True)
    await repository.stop_where(session, repository.enrolments_t.c.cadence_id == cadence_id, "cadence_deleted", now)
    await repository.update_cadence(session, cadence_id, {"state": "deleted", "deleted_at": now, "updated_at": now})
