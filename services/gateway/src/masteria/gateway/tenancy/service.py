"""Tenant and membership behaviour: creation, listing, role changes, never losing the last owner."""

from __future__ import annotations

import uuid

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from masteria.gateway.identity import repository as users
from masteria.gateway.tenancy import repository as repo
from masteria.gateway.tenancy.models import Membership, Tenant
from masteria.gateway.tenancy.roles import change_denial, grant_denial, removal_denial, settings_denial
from masteria.gateway.tenancy.schemas import MemberOut, TenantOut, TenantSettingsIn
from masteria.runtime.pagination import Page, decode_cursor, encode_cursor
from masteria.runtime.problems import Problem


async def create_tenant(db: AsyncSession, owner_id: uuid.UUID, name: str) -> Tenant:
    """A new tenant with ``owner_id`` as its first owner (needs a system transaction)."""
    tenant = await repo.add_tenant(db, name)
    await repo.add_membership(db, tenant.id, owner_id, "owner")
    return tenant


def tenant_out(tenant: Tenant, role: str) -> TenantOut:
    """A tenant as the API shows it to someone holding ``role`` there."""
    return TenantOut(id=tenant.id, name=tenant.name, timezone=tenant.timezone, role=role, created_at=tenant.created_at)


async def tenants_of(db: AsyncSession, user_id: uuid.UUID) -> list[TenantOut]:
    """Every tenant a user belongs to, with their role."""
    rows = await repo.memberships_of(db, user_id)
    return [tenant_out(t, m.role) for m, t in rows]


async def change_settings(db: AsyncSession, tenant_id: uuid.UUID, actor_role: str, data: TenantSettingsIn) -> TenantOut:
    """Change the tenant's settings (owners and admins)."""
    if denial := settings_denial(actor_role):
        raise Problem(403, "Forbidden", denial)
    tenant = await repo.update_tenant(db, tenant_id, data.model_dump(exclude_unset=True))
    if tenant is None:
        raise Problem(404, "Tenant not found", "the current tenant no longer exists")
    return tenant_out(tenant, actor_role)


def _member_out(membership: Membership, email: str, name: str) -> MemberOut:
    return MemberOut(
        user_id=membership.user_id, email=email, name=name, role=membership.role, joined_at=membership.created_at
    )


def _decode_after(cursor: str | None) -> tuple[str, uuid.UUID] | None:
    if cursor is None:
        return None
    values = decode_cursor(cursor)
    try:
        return str(values[0]), uuid.UUID(str(values[1]))
    except (IndexError, ValueError) as exc:
        raise Problem(400, "Invalid cursor", "the cursor is not one this API returned") from exc


async def list_members(db: AsyncSession, tenant_id: uuid.UUID, cursor: str | None, limit: int) -> Page[MemberOut]:
    """One page of the tenant's members, by email."""
    rows = await repo.members_page(db, tenant_id, _decode_after(cursor), limit + 1)
    items = [_member_out(m, u.email, u.name) for m, u in rows[:limit]]
    next_cursor = encode_cursor([items[-1].email, str(items[-1].user_id)]) if len(rows) > limit else None
    return Page[MemberOut](items=items, next_cursor=next_cursor)


async def add_member(db: AsyncSession, tenant_id: uuid.UUID, actor_role: str, email: str, role: str) -> MemberOut:
    """Add an existing user to the tenant."""
    if denial := grant_denial(actor_role, role):
        raise Problem(403, "Forbidden", denial)
    user = await users.user_by_email(db, email)
    if user is None:
        raise Problem(404, "User not found", "no user has signed up with that email; ask them to sign up first")
    if await repo.membership(db, tenant_id, user.id) is not None:
        raise Problem(409, "Already a member", "that user already belongs to this tenant")
    try:
        membership = await repo.add_membership(db, tenant_id, user.id, role)
    except IntegrityError as exc:  # a concurrent add of the same person
        raise Problem(409, "Already a member", "that user already belongs to this tenant") from exc
    return _member_out(membership, user.email, user.name)


async def _existing(db: AsyncSession, tenant_id: uuid.UUID, user_id: uuid.UUID) -> Membership:
    membership = await repo.membership(db, tenant_id, user_id)
    if membership is None:
        raise Problem(404, "Member not found", "that user is not a member of this tenant")
    return membership


async def _keep_an_owner(db: AsyncSession, tenant_id: uuid.UUID, membership: Membership) -> None:
    if membership.role == "owner" and await repo.lock_owners(db, tenant_id) <= 1:
        raise Problem(409, "Last owner", "a tenant must keep at least one owner; make someone else owner first")


async def change_role(
    db: AsyncSession, tenant_id: uuid.UUID, actor_role: str, user_id: uuid.UUID, role: str
) -> MemberOut:
    """Give a member another role."""
    membership = await _existing(db, tenant_id, user_id)
    if denial := change_denial(actor_role, membership.role, role):
        raise Problem(403, "Forbidden", denial)
    if role != "owner":
        await _keep_an_owner(db, tenant_id, membership)
    membership.role = role
    await db.flush()
    user = await users.user_by_id(db, user_id)
    assert user is not None  # the membership's foreign key guarantees it
    return _member_out(membership, user.email, user.name)


async def remove_member(
    db: AsyncSession, tenant_id: uuid.UUID, actor_id: uuid.UUID | None, actor_role: str, user_id: uuid.UUID
) -> None:
    """Take a member out of the tenant; members may leave on their own."""
    membership = await _existing(db, tenant_id, user_id)
    if denial := removal_denial(actor_role, membership.role, is_self=actor_id == user_id):
        raise Problem(403, "Forbidden", denial)
    await _keep_an_owner(db, tenant_id, membership)
    await repo.remove_membership(db, membership.id)
