"""Statuses that arrived before the send recorded its wamid, kept until it does."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, func, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from masteria.whatsapp_meta.tables import OrphanStatus

ORPHANS = OrphanStatus.__table__


async def keep(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """Store unmatched statuses (a repeat of the same wamid and status is one row)."""
    if rows:
        await session.execute(insert(ORPHANS).on_conflict_do_nothing(), rows)


async def take(session: AsyncSession, tenant_id: uuid.UUID, wamids: Sequence[str]) -> list[Any]:
    """Remove and return the waiting statuses of these wamids."""
    if not wamids:
        return []
    stmt = (
        delete(ORPHANS)
        .where(ORPHANS.c.tenant_id == tenant_id, ORPHANS.c.wamid.in_(list(dict.fromkeys(wamids))))
        .returning(*(ORPHANS.c[name] for name in ("wamid", "status", "number_id", "recipient", "occurred_at", "error")))
    )
    return list((await session.execute(stmt)).all())


_EXPIRED = text("""
DELETE FROM whatsapp_meta.orphan_statuses
WHERE ctid IN (
  SELECT ctid FROM whatsapp_meta.orphan_statuses
  WHERE received_at < now() - make_interval(secs => :ttl)
  LIMIT :limit FOR UPDATE SKIP LOCKED)
RETURNING tenant_id, wamid, status, number_id, recipient, occurred_at, error
""")


async def take_expired(session: AsyncSession, ttl_s: float, limit: int) -> list[Any]:
    """Orphans no send claimed within the TTL (system context): sends of another system, most likely."""
    return list((await session.execute(_EXPIRED, {"ttl": ttl_s, "limit": limit})).all())


async def waiting(session: AsyncSession, tenant_id: uuid.UUID) -> int:
    """How many statuses of the tenant wait for their send (for tests and metrics)."""
    stmt = select(func.count()).select_from(ORPHANS).where(ORPHANS.c.tenant_id == tenant_id)
    return int(await session.scalar(stmt) or 0)
