"""Every query on tenants and memberships."""

from __future__ import annotations

import uuid

from sqlalchemy import delete, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from masteria.gateway.identity.models import User
from masteria.gateway.tenancy.models import Membership, Tenant


async def add_tenant(db: AsyncSession, name: str) -> Tenant:
    """Insert a tenant."""
    tenant = Tenant(name=name)
    db.add(tenant)
    await db.flush()
    return tenant


async def add_membership(db: AsyncSession, tenant_id: uuid.UUID, user_id: uuid.UUID, role: str) -> Membership:
    """Insert a membership; a duplicate raises ``IntegrityError`` at flush."""
    membership = Membership(tenant_id=tenant_id, user_id=user_id, role=role)
    db.add(membership)
    await db.flush()
    return membership


async def tenant_by_id(db: AsyncSession, tenant_id: uuid.UUID) -> Tenant | None:
    """The tenant with this id (if RLS lets this transaction see it)."""
    return await db.get(Tenant, tenant_id)


async def update_tenant(db: AsyncSession, tenant_id: uuid.UUID, values: dict[str, str]) -> Tenant | None:
    """Change the tenant's columns in ``values``; None when RLS does not let this transaction see it."""
    result = await db.execute(update(Tenant).where(Tenant.id == tenant_id).values(values).returning(Tenant))
    return result.scalar_one_or_none()


async def memberships_of(db: AsyncSession, user_id: uuid.UUID) -> list[tuple[Membership, Tenant]]:
    """Every tenant of a user, oldest first (needs a system transaction: it crosses tenants)."""
    result = await db.execute(
        select(Membership, Tenant)
        .join(Tenant, Tenant.id == Membership.tenant_id)
        .where(Membership.user_id == user_id)
        .order_by(Membership.created_at, Membership.id)
    )
    return [(m, t) for m, t in result.all()]


async def membership(db: AsyncSession, tenant_id: uuid.UUID, user_id: uuid.UUID) -> Membership | None:
    """A user's membership in a tenant."""
    result = await db.execute(
        select(Membership).where(Membership.tenant_id == tenant_id, Membership.user_id == user_id)
    )
    return result.scalar_one_or_none()


async def members_page(
    db: AsyncSession, tenant_id: uuid.UUID, after: tuple[str, uuid.UUID] | None, limit: int
) -> list[tuple[Membership, User]]:
    """Members ordered by (email, user id), starting after the cursor's key."""
    query = (
        select(Membership, User)
        .join(User, User.id == Membership.user_id)
        .where(Membership.tenant_id == tenant_id)
        .order_by(User.email, User.id)
        .limit(limit)
    )
    if after is not None:
        query = query.where(tuple_(User.email, User.id) > tuple_(*after))
    result = await db.execute(query)
    return [(m, u) for m, u in result.all()]


async def lock_owners(db: AsyncSession, tenant_id: uuid.UUID) -> int:
    """Lock the tenant's owner rows and count them, so two demotions cannot both pass the check."""
    rows = await db.execute(
        select(Membership.id).where(Membership.tenant_id == tenant_id, Membership.role == "owner").with_for_update()
    )
    return len(rows.all())


async def remove_membership(db: AsyncSession, membership_id: uuid.UUID) -> None:
    """Delete one membership."""
    await db.execute(delete(Membership).where(Membership.id == membership_id))
