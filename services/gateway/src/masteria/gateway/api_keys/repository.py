"""Every query on API keys."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from masteria.gateway.api_keys.models import ApiKey


async def add(db: AsyncSession, key: ApiKey) -> ApiKey:
    """Insert a key."""
    db.add(key)
    await db.flush()
    return key


async def by_prefix(db: AsyncSession, prefix: str) -> ApiKey | None:
    """The key with this prefix, revoked or not (needs a system transaction: the tenant is unknown)."""
    result = await db.execute(select(ApiKey).where(ApiKey.prefix == prefix))
    return result.scalar_one_or_none()


async def of_tenant(db: AsyncSession, tenant_id: uuid.UUID) -> list[ApiKey]:
    """The tenant's keys, newest first."""
    result = await db.execute(
        select(ApiKey).where(ApiKey.tenant_id == tenant_id).order_by(ApiKey.created_at.desc(), ApiKey.id.desc())
    )
    return list(result.scalars())


async def by_id(db: AsyncSession, tenant_id: uuid.UUID, key_id: uuid.UUID) -> ApiKey | None:
    """One of the tenant's keys."""
    result = await db.execute(select(ApiKey).where(ApiKey.tenant_id == tenant_id, ApiKey.id == key_id))
    return result.scalar_one_or_none()


async def touch(db: AsyncSession, key_id: uuid.UUID, now: datetime) -> None:
    """Record a use of the key."""
    await db.execute(update(ApiKey).where(ApiKey.id == key_id).values(last_used_at=now))
