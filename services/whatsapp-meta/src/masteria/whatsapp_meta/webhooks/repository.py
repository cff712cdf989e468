"""Receipts of provider events, the adapter's dedup by natural key."""

from __future__ import annotations

import uuid

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from masteria.whatsapp_meta.tables import InboundReceipt


async def claim_receipts(session: AsyncSession, tenant_id: uuid.UUID, keys: list[str]) -> set[str]:
    """Record the keys; returns those never received before (Meta's duplicates are dropped here)."""
    if not keys:
        return set()
    table = InboundReceipt.__table__
    stmt = insert(table).on_conflict_do_nothing().returning(table.c.key)
    rows = [{"tenant_id": tenant_id, "key": key} for key in dict.fromkeys(keys)]
    return set((await session.execute(stmt, rows)).scalars())
