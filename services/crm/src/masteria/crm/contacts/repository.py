"""Bulk contact queries for the inbound path."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from masteria.contracts.ids import uuid7
from masteria.crm.tables import Contact

contacts = Contact.__table__


async def ensure_contacts(
    session: AsyncSession, tenant_id: uuid.UUID, names_by_phone: dict[str, str | None]
) -> tuple[dict[str, uuid.UUID], set[str]]:
    """Ids of the contacts for these numbers, creating the missing ones; also the phones created now."""
    if not names_by_phone:
        return {}, set()
    rows = [{"id": uuid7(), "tenant_id": tenant_id, "phone": p, "name": n} for p, n in names_by_phone.items()]
    created = {
        r.phone: r.id
        for r in await session.execute(
            insert(contacts).on_conflict_do_nothing().returning(contacts.c.id, contacts.c.phone), rows
        )
    }
    missing = [p for p in names_by_phone if p not in created]
    existing: dict[str, uuid.UUID] = {}
    if missing:
        existing = {
            r.phone: r.id
            for r in await session.execute(select(contacts.c.id, contacts.c.phone).where(contacts.c.phone.in_(missing)))
        }
    return {**existing, **created}, set(created)
