"""A campaign's life: draft, launch (snapshot, then scheduled or running), pause, resume, cancel.

Every change locks the campaign row, which waits for a dispatcher tick in progress on it to end: once
the new state commits, no later tick sends for a paused or cancelled campaign. A campaign that has
started refuses edits (409 ``campaign_running``) and a finished one is immutable (``campaign_finished``).
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from masteria.campaigns import counters
from masteria.campaigns.audience.resolve import resolve_audience
from masteria.campaigns.campaign import repository
from masteria.campaigns.campaign.events import publish_state
from masteria.campaigns.campaign.schemas import (
    AudienceSpec,
    CampaignCreate,
    CampaignOut,
    CampaignPatch,
    MessageSpec,
    SnapshotOut,
)
from masteria.campaigns.errors import NotFoundError, RefusedError
from masteria.contracts.campaigns import CampaignState, RecipientCounts
from masteria.contracts.ids import uuid7
from masteria.messaging.outbox import Outbox

DRAFT, SCHEDULED, RUNNING, PAUSED = "draft", "scheduled", "running", "paused"
COMPLETED, CANCELLED = "completed", "cancelled"
FINAL = (COMPLETED, CANCELLED)
# Fields whose change makes a scheduled campaign's snapshot stale.
SNAPSHOT_FIELDS = ("audience", "message", "channel", "duplicate_window_s")


def not_found() -> NotFoundError:
    """The campaign is not the tenant's (or does not exist)."""
    return NotFoundError("campaign_not_found", "no such campaign")


def refusal(state: str, action: str) -> RefusedError:
    """Why ``action`` is not allowed in ``state``."""
    if state in FINAL:
        return RefusedError("campaign_finished", f"the campaign is {state}: it can no longer change")
    if state in (RUNNING, PAUSED):
        return RefusedError("campaign_running", f"the campaign has started ({state}): it cannot be {action}")
    if state == SCHEDULED:
        return RefusedError("campaign_scheduled", f"the campaign is scheduled: cancel it rather than {action} it")
    return RefusedError("campaign_not_launched", f"the campaign is a draft: launch it first ({action})")


async def create(
    session: AsyncSession, tenant_id: uuid.UUID, body: CampaignCreate, user_id: uuid.UUID | None
) -> Row[Any]:
    """A draft campaign; the audience's segment or upload must exist."""
    _check_content(body.channel, body.message)
    await resolve_audience(session, body.audience)
    return await repository.insert_campaign(
        session,
        {
            "id": uuid7(),
            "tenant_id": tenant_id,
            "name": body.name.strip(),
            "channel": body.channel,
            "state": DRAFT,
            "audience": _json(body.audience),
            "message": _json(body.message),
            "schedule": body.schedule.model_dump(mode="json"),
            "messages_per_second": body.messages_per_second,
            "channel_account_ids": body.channel_account_ids,
            "duplicate_window_s": int(body.duplicate_window_hours * 3600),
            "max_attempts": body.max_attempts,
            "created_by": user_id,
        },
    )


async def patch(session: AsyncSession, tenant_id: uuid.UUID, campaign_id: uuid.UUID, body: CampaignPatch) -> Row[Any]:
    """Change a draft or a scheduled campaign (a scheduled one is snapshotted again if its audience changed)."""
    row = await _locked(session, campaign_id)
    if row.state not in (DRAFT, SCHEDULED):
        raise refusal(row.state, "edited")
    values = _changes(body)
    channel = values.get("channel", row.channel)
    message = body.message or MessageSpec.model_validate(row.message)
    _check_content(channel, message)
    if body.audience is not None:
        await resolve_audience(session, body.audience)
    if row.state == SCHEDULED and any(k in values and values[k] != row._mapping[k] for k in SNAPSHOT_FIELDS):
        audience = body.audience or AudienceSpec.model_validate(row.audience)
        await repository.drop_idle_snapshot_job(session, campaign_id)
        await repository.clear_recipients(session, campaign_id)
        await repository.request_snapshot(session, campaign_id, tenant_id)
        values |= {"snapshot": await _pending_snapshot(session, audience), "snapshot_done_at": None}
    if not values:
        return row
    return await repository.update_campaign(session, campaign_id, values)


async def remove(session: AsyncSession, campaign_id: uuid.UUID) -> None:
    """Delete a draft."""
    row = await _locked(session, campaign_id)
    if row.state != DRAFT:
        raise refusal(row.state, "deleted")
    await repository.delete_campaign(session, campaign_id)


async def launch(session: AsyncSession, outbox: Outbox, tenant_id: uuid.UUID, campaign_id: uuid.UUID) -> Row[Any]:
    """Ask for the snapshot and start (or schedule) the campaign; the dispatcher sends once the snapshot is done."""
    row = await _locked(session, campaign_id)
    if row.state != DRAFT:
        raise refusal(row.state, "launched again")
    now = datetime.now(UTC)
    state = SCHEDULED if _starts_later(row, now) else RUNNING
    snapshot = await _pending_snapshot(session, AudienceSpec.model_validate(row.audience))
    await repository.request_snapshot(session, campaign_id, tenant_id)
    updated = await repository.update_campaign(
        session, campaign_id, {"state": state, "launched_at": now, "snapshot": snapshot, "pace_at": None}
    )
    await publish_state(session, outbox, tenant_id, updated, row.state)
    return updated


async def pause(session: AsyncSession, outbox: Outbox, tenant_id: uuid.UUID, campaign_id: uuid.UUID) -> Row[Any]:
    """Stop sending; what is already handed to the channel (at most the in-flight window) still goes."""
    row = await _locked(session, campaign_id)
    if row.state == PAUSED:
        return row
    if row.state not in (RUNNING, SCHEDULED):
        raise refusal(row.state, "paused")
    return await _move(session, outbox, tenant_id, row, PAUSED, paused_at=datetime.now(UTC))


async def resume(session: AsyncSession, outbox: Outbox, tenant_id: uuid.UUID, campaign_id: uuid.UUID) -> Row[Any]:
    """Send again, at the campaign's pace (the token bucket starts empty, so no burst)."""
    row = await _locked(session, campaign_id)
    if row.state in (RUNNING, SCHEDULED):
        return row
    if row.state != PAUSED:
        raise refusal(row.state, "resumed")
    state = SCHEDULED if _starts_later(row, datetime.now(UTC)) else RUNNING
    return await _move(session, outbox, tenant_id, row, state, paused_at=None, pace_at=None)


async def cancel(session: AsyncSession, outbox: Outbox, tenant_id: uuid.UUID, campaign_id: uuid.UUID) -> Row[Any]:
    """Stop for good; pending recipients become cancelled (swept in chunks by the dispatcher)."""
    row = await _locked(session, campaign_id)
    if row.state == CANCELLED:
        return row
    if row.state not in (RUNNING, SCHEDULED, PAUSED):
        raise refusal(row.state, "cancelled")
    await repository.drop_idle_snapshot_job(session, campaign_id)
    return await _move(session, outbox, tenant_id, row, CANCELLED, completed_at=datetime.now(UTC), needs_sweep=True)


async def to_out(session: AsyncSession, row: Row[Any]) -> CampaignOut:
    """The API shape of a campaign, with its counts."""
    return (await to_outs(session, [row]))[0]


async def to_outs(session: AsyncSession, rows: list[Row[Any]]) -> list[CampaignOut]:
    """The API shapes of several campaigns (one counters query)."""
    counts = await counters.read_many(session, [r.id for r in rows])
    return [_out(r, counts.get(r.id)) for r in rows]


def _out(row: Row[Any], counts: Any) -> CampaignOut:
    snapshot = dict(row.snapshot or {})
    return CampaignOut(
        id=row.id,
        name=row.name,
        channel=row.channel,
        state=CampaignState(row.state),
        audience=row.audience,
        message=row.message,
        schedule=row.schedule or {},
        messages_per_second=row.messages_per_second,
        channel_account_ids=list(row.channel_account_ids or []),
        duplicate_window_hours=row.duplicate_window_s / 3600,
        max_attempts=row.max_attempts,
        counts=counts or RecipientCounts(total=0),
        snapshot=SnapshotOut(
            state=snapshot.get("state", "not_started"),
            total=snapshot.get("total", 0),
            skipped_by_reason=snapshot.get("skipped_by_reason", {}),
            took_ms=snapshot.get("took_ms"),
        ),
        launched_at=row.launched_at,
        paused_at=row.paused_at,
        completed_at=row.completed_at,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


async def _locked(session: AsyncSession, campaign_id: uuid.UUID) -> Row[Any]:
    row = await repository.campaign_by_id(session, campaign_id, lock=True)
    if row is None:
        raise not_found()
    return row


async def _move(
    session: AsyncSession, outbox: Outbox, tenant_id: uuid.UUID, row: Row[Any], state: str, **values: Any
) -> Row[Any]:
    updated = await repository.update_campaign(session, row.id, {"state": state, **values})
    await publish_state(session, outbox, tenant_id, updated, row.state)
    return updated


async def _pending_snapshot(session: AsyncSession, audience: AudienceSpec) -> dict[str, Any]:
    # The filter is resolved now: a segment edited or deleted after launch does not change this campaign.
    resolved = await resolve_audience(session, audience)
    return {"state": "pending", "filter": resolved.model_dump(mode="json")}


def _starts_later(row: Row[Any], now: datetime) -> bool:
    start_at = (row.schedule or {}).get("start_at")
    return start_at is not None and datetime.fromisoformat(start_at) > now


def _check_content(channel: str, message: MessageSpec) -> None:
    refused = message.refused_kinds(channel)
    if refused:
        raise RefusedError("unsupported_content", f"{channel} cannot carry {', '.join(refused)} content", status=422)


def _changes(body: CampaignPatch) -> dict[str, Any]:
    given = body.model_dump(exclude_unset=True)
    values: dict[str, Any] = {}
    for key in ("name", "channel", "messages_per_second", "channel_account_ids", "max_attempts"):
        if key in given and given[key] is not None:
            values[key] = getattr(body, key)
    if body.audience is not None:
        values["audience"] = _json(body.audience)
    if body.message is not None:
        values["message"] = _json(body.message)
    if body.schedule is not None:
        values["schedule"] = body.schedule.model_dump(mode="json")
    if body.duplicate_window_hours is not None:
        values["duplicate_window_s"] = int(body.duplicate_window_hours * 3600)
    return values


def _json(model: Any) -> dict[str, Any]:
    dumped: dict[str, Any] = model.model_dump(mode="json", exclude_none=True)
    return dumped


Action = Callable[[AsyncSession, Outbox, uuid.UUID, uuid.UUID], Awaitable[Row[Any]]]
