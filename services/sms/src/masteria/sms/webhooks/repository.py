"""Receipts of inbound messages: Twilio's MessageSid applied once per tenant."""

from __future__ import annotations

import uuid

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from masteria.sms.tables import InboundReceipt


async def claim_inbound(session: AsyncSession, tenant_id: uuid.UUID, key: str) -> bool:
    """Record the key; False when it was received before (Twilio retries a slow or failed webhook)."""
    table = InboundReceipt.__table__
    stmt = insert(table).values(tenant_id=tenant_id, key=key).on_conflict_do_nothing().returning(table.c.key)
    return (await session.execute(stmt)).first() is not None
