"""Queries on opt-outs: one row per (our number, recipient), the latest keyword wins."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from masteria.sms.tables import OptOut


async def current(session: AsyncSession, sender_number: str, recipient: str) -> OptOut | None:
    """The pair's row, whatever its state."""
    stmt = select(OptOut).where(OptOut.sender_number == sender_number, OptOut.recipient == recipient)
    return (await session.scalars(stmt)).first()


async def record(
    session: AsyncSession,
    *,
    tenant_id: uuid.UUID,
    sender_number: str,
    recipient: str,
    opted_out: bool,
    keyword: str,
    at: datetime,
    confirmation_id: uuid.UUID | None = None,
) -> None:
    """Upsert the pair's state; an older change arriving late never overrides a newer one."""
    table = OptOut.__table__
    values = {
        "tenant_id": tenant_id,
        "sender_number": sender_number,
        "recipient": recipient,
        "opted_out": opted_out,
        "keyword": keyword,
        "changed_at": at,
        "confirmation_id": confirmation_id,
    }
    stmt = insert(table).values(values)
    stmt = stmt.on_conflict_do_update(
        index_elements=[table.c.tenant_id, table.c.sender_number, table.c.recipient],
        set_={k: stmt.excluded[k] for k in ("opted_out", "keyword", "changed_at", "confirmation_id")},
        where=table.c.changed_at <= stmt.excluded.changed_at,
    )
    await session.execute(stmt)
