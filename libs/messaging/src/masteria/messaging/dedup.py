"""Consumer-side deduplication: an event id is applied at most once per consumer."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import Table
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession


async def claim_events(
    session: AsyncSession,
    table: Table,
    consumer: str,
    tenant_id: uuid.UUID,
    event_ids: Iterable[uuid.UUID],
) -> set[uuid.UUID]:
    """Record the ids in the caller's transaction; returns those not seen before.

    The record commits with the effect, so a crash before commit leaves the event unclaimed and a
    redelivery applies it; a redelivery after commit finds it claimed and is skipped.
    """
    rows = [{"consumer": consumer, "event_id": eid, "tenant_id": tenant_id} for eid in event_ids]
    if not rows:
        return set()
    # Executemany form: the statement compiles once and is cached whatever the batch size.
    result = await session.execute(insert(table).on_conflict_do_nothing().returning(table.c.event_id), rows)
    return set(result.scalars())
