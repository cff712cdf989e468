"""Issuing, listing and revoking API keys, and checking a presented key."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from masteria.gateway.access.principal import Principal
from masteria.gateway.api_keys import keys
from masteria.gateway.api_keys import repository as repo
from masteria.gateway.api_keys.models import ApiKey
from masteria.gateway.api_keys.schemas import ApiKeyCreated, ApiKeyIn, ApiKeyOut
from masteria.gateway.identity.tokens import digest, same
from masteria.gateway.tenancy.roles import grant_denial
from masteria.persistence.base import utcnow
from masteria.runtime.problems import Problem

# last_used_at is advisory: writing it at most once a minute keeps hot keys from writing on every call.
LAST_USED_GRANULARITY = timedelta(seconds=60)


def _out(key: ApiKey) -> ApiKeyOut:
    return ApiKeyOut.model_validate(key, from_attributes=True)


async def issue(db: AsyncSession, tenant_id: uuid.UUID, actor: Principal, data: ApiKeyIn) -> ApiKeyCreated:
    """Mint a key; its role may not exceed what the caller may grant."""
    if denial := grant_denial(actor.role or "", data.role):
        raise Problem(403, "Forbidden", denial)
    for _ in range(3):  # a prefix collision is astronomically rare; retry rather than fail
        minted = keys.mint()
        row = ApiKey(
            tenant_id=tenant_id,
            name=data.name,
            prefix=minted.prefix,
            key_hash=minted.key_hash,
            scopes=data.scopes,
            role=data.role,
            created_by=actor.user_id,
        )
        try:
            async with db.begin_nested():
                await repo.add(db, row)
        except IntegrityError:
            continue
        return ApiKeyCreated(**_out(row).model_dump(), key=minted.plaintext)
    raise Problem(503, "Try again", "could not allocate a key prefix")


async def list_keys(db: AsyncSession, tenant_id: uuid.UUID) -> list[ApiKeyOut]:
    """The tenant's keys, without secrets."""
    return [_out(k) for k in await repo.of_tenant(db, tenant_id)]


async def revoke(db: AsyncSession, tenant_id: uuid.UUID, key_id: uuid.UUID) -> None:
    """Revoke a key at once; revoking twice is harmless."""
    row = await repo.by_id(db, tenant_id, key_id)
    if row is None:
        raise Problem(404, "API key not found", "no API key with that id in this tenant")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        await db.flush()


async def authenticate(db: AsyncSession, presented: str, now: datetime) -> Principal | None:
    """The principal of a valid, unrevoked key, or None (needs a system transaction)."""
    prefix = keys.prefix_of(presented)
    row = await repo.by_prefix(db, prefix) if prefix else None
    if row is None or row.revoked_at is not None or not same(row.key_hash, digest(presented)):
        return None
    if row.last_used_at is None or now - row.last_used_at >= LAST_USED_GRANULARITY:
        await repo.touch(db, row.id, now)
    return Principal(
        kind="api_key",
        user_id=None,
        tenant_id=row.tenant_id,
        role=row.role,
        scopes=tuple(row.scopes),
        api_key_id=row.id,
    )
