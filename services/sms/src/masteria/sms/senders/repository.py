"""Queries on senders."""

from __future__ import annotations

import uuid

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from masteria.sms.tables import Sender


async def add(session: AsyncSession, sender: Sender) -> None:
    """Stage a new sender."""
    session.add(sender)
    await session.flush()


async def list_for_tenant(session: AsyncSession) -> list[Sender]:
    """The tenant's senders, oldest first (RLS scopes the query)."""
    return list((await session.scalars(select(Sender).order_by(Sender.created_at, Sender.id))).all())


async def get(session: AsyncSession, sender_id: uuid.UUID) -> Sender | None:
    """One of the tenant's senders."""
    return await session.get(Sender, sender_id)


async def first(session: AsyncSession) -> Sender | None:
    """The tenant's oldest sender: the default when a command names none."""
    return (await session.scalars(select(Sender).order_by(Sender.created_at, Sender.id).limit(1))).first()


async def remove(session: AsyncSession, sender_id: uuid.UUID) -> bool:
    """Delete; False when the tenant has no such sender."""
    result = await session.execute(delete(Sender).where(Sender.id == sender_id))
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def exists_anywhere(session: AsyncSession, phone_number: str) -> bool:
    """Whether any tenant registered this number (needs the system context)."""
    found = await session.scalar(select(Sender.id).where(Sender.phone_number == phone_number))
    return found is not None


async def by_phone_number(session: AsyncSession, phone_number: str) -> Sender | None:
    """The sender of a number across tenants (system context: webhook routing)."""
    return (await session.scalars(select(Sender).where(Sender.phone_number == phone_number))).first()
