"""Every query of the saved segments."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from masteria.campaigns.tables import Campaign, Segment

# A segment is read when its campaign launches (the snapshot); a draft still needs it.
WAITING_STATES = ("draft",)


async def segment_by_id(session: AsyncSession, segment_id: uuid.UUID) -> Segment | None:
    """One segment of the session's tenant."""
    return await session.get(Segment, segment_id)


async def segment_named(session: AsyncSession, tenant_id: uuid.UUID, name: str) -> Segment | None:
    """The tenant's segment with this name, case aside; holds the name until the transaction ends.

    Names are unique per tenant by this check (the table has no constraint); the transaction lock on the
    name makes two saves of the same new name take turns, so the second one sees the first.
    """
    await session.execute(select(func.pg_advisory_xact_lock(func.hashtextextended(f"{tenant_id}:{name.lower()}", 0))))
    query = select(Segment).where(func.lower(Segment.name) == name.lower()).limit(1)
    return (await session.scalars(query)).first()


async def segment_page(session: AsyncSession, *, q: str | None, limit: int, after: uuid.UUID | None) -> list[Segment]:
    """Segments newest first, optionally those whose name holds ``q``."""
    query = select(Segment).order_by(Segment.id.desc()).limit(limit)
    if after is not None:
        query = query.where(Segment.id < after)
    if q:
        pattern = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(Segment.name.ilike(f"%{pattern}%", escape="\\"))
    return list((await session.scalars(query)).all())


async def add_segment(session: AsyncSession, segment: Segment) -> None:
    """Insert a segment."""
    session.add(segment)
    await session.flush()


async def delete_segment(session: AsyncSession, segment: Segment) -> None:
    """Delete a segment."""
    await session.delete(segment)
    await session.flush()


async def campaigns_waiting_on(session: AsyncSession, segment_id: uuid.UUID) -> list[uuid.UUID]:
    """Campaigns not yet launched whose audience is this segment."""
    query = (
        select(Campaign.id)
        .where(Campaign.state.in_(WAITING_STATES), Campaign.audience["segment_id"].astext == str(segment_id))
        .limit(20)
    )
    return list((await session.scalars(query)).all())
