"""Queries on registered numbers."""

from __future__ import annotations

import uuid

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from masteria.whatsapp_meta.tables import PhoneNumber


async def add(session: AsyncSession, number: PhoneNumber) -> None:
    """Stage a new number."""
    session.add(number)
    await session.flush()


async def list_for_tenant(session: AsyncSession) -> list[PhoneNumber]:
    """The tenant's numbers (RLS scopes the query)."""
    return list((await session.scalars(select(PhoneNumber).order_by(PhoneNumber.created_at))).all())


async def get(session: AsyncSession, number_id: uuid.UUID) -> PhoneNumber | None:
    """One of the tenant's numbers."""
    return await session.get(PhoneNumber, number_id)


async def oldest(session: AsyncSession) -> PhoneNumber | None:
    """The tenant's first connected number: the default sender when a command names none."""
    stmt = select(PhoneNumber).order_by(PhoneNumber.created_at, PhoneNumber.id).limit(1)
    return (await session.scalars(stmt)).first()


async def by_phone_number_id(session: AsyncSession, phone_number_id: str) -> PhoneNumber | None:
    """The tenant's number with this Meta id."""
    stmt = select(PhoneNumber).where(PhoneNumber.phone_number_id == phone_number_id)
    return (await session.scalars(stmt)).first()


async def with_waba(session: AsyncSession, waba_id: str) -> PhoneNumber | None:
    """One of the tenant's numbers of a WhatsApp Business account (whose token reads its templates)."""
    stmt = select(PhoneNumber).where(PhoneNumber.waba_id == waba_id).order_by(PhoneNumber.created_at).limit(1)
    return (await session.scalars(stmt)).first()


async def remove(session: AsyncSession, number_id: uuid.UUID) -> bool:
    """Delete; False when the tenant has no such number."""
    result = await session.execute(delete(PhoneNumber).where(PhoneNumber.id == number_id))
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def exists_anywhere(session: AsyncSession, phone_number_id: str) -> bool:
    """Whether any tenant registered this id (needs the system context)."""
    found = await session.scalar(select(PhoneNumber.id).where(PhoneNumber.phone_number_id == phone_number_id))
    return found is not None


async def by_phone_number_ids(session: AsyncSession, ids: list[str]) -> list[PhoneNumber]:
    """Numbers by Meta id across tenants (system context: webhook routing)."""
    stmt = select(PhoneNumber).where(PhoneNumber.phone_number_id.in_(ids))
    return list((await session.scalars(stmt)).all())


async def by_waba_ids(session: AsyncSession, waba_ids: list[str]) -> list[PhoneNumber]:
    """Numbers of these WhatsApp Business accounts across tenants (system context: account webhooks)."""
    return list((await session.scalars(select(PhoneNumber).where(PhoneNumber.waba_id.in_(waba_ids)))).all())


async def set_quality(
    session: AsyncSession, waba_id: str, display_digits: str, *, tier: str | None, rating: str | None
) -> list[PhoneNumber]:
    """Record the messaging tier and quality rating Meta announced for the tenant's number (matched by
    its digits); returns the numbers matched."""
    rows = (await session.scalars(select(PhoneNumber).where(PhoneNumber.waba_id == waba_id))).all()
    changed = [row for row in rows if "".join(ch for ch in row.display_phone_number if ch.isdigit()) == display_digits]
    for row in changed:
        if tier is not None:
            row.messaging_limit_tier = tier[:32]
        if rating is not None:
            row.quality_rating = rating[:16]
    return changed


async def by_verify_token_hash(session: AsyncSession, token_hash: str) -> PhoneNumber | None:
    """The number whose verify token hashes to ``token_hash`` (system context)."""
    stmt = select(PhoneNumber).where(PhoneNumber.verify_token_hash == token_hash).limit(1)
    return (await session.scalars(stmt)).first()
