"""Every query of campaigns as the API sees them (one tenant, under RLS)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Row, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from masteria.campaigns.tables import campaigns, contacts, counters, recipients, snapshot_jobs

c = campaigns.c
r = recipients.c
# What the recipients list shows of each recipient (the contact's name comes from the audience view).
_RECIPIENT_COLUMNS = (
    r.id,
    r.contact_id,
    r.phone,
    r.variant,
    r.state,
    r.skip_reason,
    r.attempt,
    r.channel_account_id,
    r.error_code,
    r.error_title,
    r.queued_at,
    r.sent_at,
    r.delivered_at,
    r.read_at,
    r.failed_at,
    r.replied_at,
)


async def insert_campaign(session: AsyncSession, values: dict[str, Any]) -> Row[Any]:
    """A new campaign and its (zero) counters."""
    row: Row[Any] = (await session.execute(insert(campaigns).values(values).returning(campaigns))).one()
    await session.execute(insert(counters).values(campaign_id=row.id, tenant_id=row.tenant_id))
    return row


async def campaign_by_id(session: AsyncSession, campaign_id: uuid.UUID, *, lock: bool = False) -> Row[Any] | None:
    """One campaign of the tenant; ``lock`` waits for the dispatcher's tick on it to end, then holds it."""
    stmt = select(campaigns).where(c.id == campaign_id)
    if lock:
        stmt = stmt.with_for_update()
    row: Row[Any] | None = (await session.execute(stmt)).first()
    return row


async def campaign_page(
    session: AsyncSession, *, limit: int, before: uuid.UUID | None, state: str | None, q: str | None
) -> list[Row[Any]]:
    """Campaigns, newest first."""
    stmt = select(campaigns).order_by(c.id.desc()).limit(limit)
    if before is not None:
        stmt = stmt.where(c.id < before)
    if state is not None:
        stmt = stmt.where(c.state == state)
    if q:
        stmt = stmt.where(c.name.ilike(f"%{_escape_like(q)}%", escape="\\"))
    return list((await session.execute(stmt)).all())


async def update_campaign(session: AsyncSession, campaign_id: uuid.UUID, values: dict[str, Any]) -> Row[Any]:
    """Change a campaign and return it."""
    stmt = update(campaigns).where(c.id == campaign_id).values(updated_at=func.now(), **values).returning(campaigns)
    row: Row[Any] = (await session.execute(stmt)).one()
    return row


async def delete_campaign(session: AsyncSession, campaign_id: uuid.UUID) -> None:
    """Delete a campaign with its recipients (its counters and jobs cascade)."""
    await session.execute(delete(recipients).where(recipients.c.campaign_id == campaign_id))
    await session.execute(delete(campaigns).where(c.id == campaign_id))


async def request_snapshot(session: AsyncSession, campaign_id: uuid.UUID, tenant_id: uuid.UUID) -> None:
    """The durable to-do the snapshot worker takes."""
    await session.execute(insert(snapshot_jobs).values(campaign_id=campaign_id, tenant_id=tenant_id))


async def drop_idle_snapshot_job(session: AsyncSession, campaign_id: uuid.UUID) -> None:
    """Forget a snapshot no worker has started (one in progress notices the campaign's state at its end)."""
    j = snapshot_jobs.c
    idle = select(j.campaign_id).where(j.campaign_id == campaign_id).with_for_update(skip_locked=True)
    await session.execute(delete(snapshot_jobs).where(j.campaign_id.in_(idle.scalar_subquery())))


async def clear_recipients(session: AsyncSession, campaign_id: uuid.UUID) -> None:
    """Drop a scheduled campaign's snapshot (it is taken again) and zero its counters."""
    await session.execute(delete(recipients).where(recipients.c.campaign_id == campaign_id))
    zero = {col.name: 0 for col in counters.c if col.name not in ("campaign_id", "tenant_id")}
    await session.execute(update(counters).where(counters.c.campaign_id == campaign_id).values(zero))


async def recipient_page(
    session: AsyncSession, campaign_id: uuid.UUID, *, state: str | None, after: uuid.UUID | None, limit: int
) -> list[Row[Any]]:
    """Recipients in snapshot order (by id, after the cursor's), optionally of one state, with the contact's name."""
    page = select(*_RECIPIENT_COLUMNS).where(r.campaign_id == campaign_id).order_by(r.id).limit(limit)
    if state is not None:
        page = page.where(r.state == state)
    if after is not None:
        page = page.where(r.id > after)
    # The page is cut first, then joined: one primary-key lookup per listed row, however large the campaign.
    rows = page.subquery("page")
    named = rows.outerjoin(contacts, contacts.c.contact_id == rows.c.contact_id)
    stmt = select(rows, contacts.c.name).select_from(named).order_by(rows.c.id)
    return list((await session.execute(stmt)).all())


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
