"""Sign-up, login, logout, tenant switching and the description of who is signed in."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from masteria.gateway.access.principal import Principal
from masteria.gateway.identity import repository as repo
from masteria.gateway.identity.models import BrowserSession, User
from masteria.gateway.identity.passwords import hash_password, needs_rehash, verify_password
from masteria.gateway.identity.schemas import LoginIn, MembershipOut, MeOut, SignupIn, TenantRef, UserOut
from masteria.gateway.identity.tokens import digest, new_token
from masteria.gateway.tenancy import repository as tenancy_repo
from masteria.gateway.tenancy.service import create_tenant
from masteria.persistence.base import utcnow
from masteria.runtime.problems import Problem


def _invalid_credentials() -> Problem:
    # One answer for an unknown email and a wrong password: no account enumeration.
    return Problem(401, "Invalid credentials", "the email or the password is wrong")


@dataclass(frozen=True)
class ClientInfo:
    """Where a sign-in came from, kept on the session for the user's security page."""

    ip: str
    user_agent: str | None


@dataclass(frozen=True)
class IssuedSession:
    """A new session: the raw token goes to the cookie and nowhere else."""

    token: str
    csrf_token: str
    user_id: uuid.UUID
    tenant_id: uuid.UUID | None
    expires_at: datetime


async def start_session(
    db: AsyncSession, user: User, tenant_id: uuid.UUID | None, *, ttl_s: int, client: ClientInfo
) -> IssuedSession:
    """Record a session for ``user`` acting for ``tenant_id``."""
    token, csrf, now = new_token(), new_token(), utcnow()
    row = BrowserSession(
        token_hash=digest(token),
        user_id=user.id,
        tenant_id=tenant_id,
        csrf_token=csrf,
        expires_at=now + timedelta(seconds=ttl_s),
        refreshed_at=now,
        ip=client.ip,
        user_agent=(client.user_agent or "")[:400] or None,
    )
    await repo.add_session(db, row)
    user.last_login_at = now
    return IssuedSession(token, csrf, user.id, tenant_id, row.expires_at)


async def signup(db: AsyncSession, data: SignupIn, *, ttl_s: int, client: ClientInfo) -> IssuedSession:
    """Create the user, their tenant and owner membership, and sign them in."""
    duplicate = Problem(409, "Email already registered", "sign in instead, or use another email", field="email")
    if await repo.user_by_email(db, data.email) is not None:
        raise duplicate
    user = User(email=data.email, name=data.name, password_hash=await hash_password(data.password))
    try:
        await repo.add_user(db, user)
    except IntegrityError as exc:  # a concurrent sign-up with the same email
        raise duplicate from exc
    tenant = await create_tenant(db, user.id, data.tenant_name)
    user.last_tenant_id = tenant.id
    return await start_session(db, user, tenant.id, ttl_s=ttl_s, client=client)


async def preferred_tenant(db: AsyncSession, user: User) -> uuid.UUID | None:
    """The tenant used last, if still a member, else the oldest membership."""
    tenant_ids = [m.tenant_id for m, _ in await tenancy_repo.memberships_of(db, user.id)]
    if user.last_tenant_id in tenant_ids:
        return user.last_tenant_id
    return tenant_ids[0] if tenant_ids else None


async def login(db: AsyncSession, data: LoginIn, *, ttl_s: int, client: ClientInfo) -> IssuedSession:
    """Check the password and open a session; every failure is the same 401."""
    user = await repo.user_by_email(db, data.email.strip())
    if not await verify_password(user.password_hash if user else None, data.password) or user is None:
        raise _invalid_credentials()
    assert user.password_hash is not None  # verify_password fails on a missing hash
    if needs_rehash(user.password_hash):
        user.password_hash = await hash_password(data.password)
    return await start_session(db, user, await preferred_tenant(db, user), ttl_s=ttl_s, client=client)


async def logout(db: AsyncSession, token: str) -> None:
    """End the session behind ``token``."""
    await repo.delete_session(db, digest(token))


async def switch_tenant(db: AsyncSession, session_id: uuid.UUID, user_id: uuid.UUID, tenant_id: uuid.UUID) -> None:
    """Make the session act for another of the user's tenants."""
    if await tenancy_repo.membership(db, tenant_id, user_id) is None:
        raise Problem(404, "Tenant not found", "you are not a member of that tenant")
    await repo.set_session_tenant(db, session_id, tenant_id)
    user = await repo.user_by_id(db, user_id)
    if user is not None:
        user.last_tenant_id = tenant_id


async def describe(db: AsyncSession, user_id: uuid.UUID, tenant_id: uuid.UUID | None, csrf_token: str) -> MeOut:
    """The ``/auth/me`` answer: user, current tenant and role, all memberships."""
    user = await repo.user_by_id(db, user_id)
    if user is None:
        raise Problem(401, "Unauthorized", "the session's user no longer exists")
    rows = await tenancy_repo.memberships_of(db, user_id)
    memberships = [
        MembershipOut(tenant=TenantRef(id=t.id, name=t.name, timezone=t.timezone), role=m.role) for m, t in rows
    ]
    current = next((m for m in memberships if m.tenant.id == tenant_id), None)
    return MeOut(
        user=UserOut(id=user.id, email=user.email, name=user.name, email_verified=user.email_verified),
        tenant=current.tenant if current else None,
        role=current.role if current else None,
        memberships=memberships,
        csrf_token=csrf_token,
    )


async def authenticate(
    db: AsyncSession, token: str, now: datetime, *, ttl_s: int, refresh_s: int | None
) -> tuple[Principal, bool] | None:
    """The principal of a live session and whether its expiry slid forward (needs a system transaction).

    ``refresh_s=None`` never slides it: for a check made where no cookie can be re-issued.
    """
    found = await repo.live_session_with_role(db, digest(token), now)
    if found is None:
        return None
    row, role = found
    refreshed = refresh_s is not None and now - row.refreshed_at >= timedelta(seconds=refresh_s)
    if refreshed:
        await repo.extend_session(db, row.id, now, now + timedelta(seconds=ttl_s))
    principal = Principal(
        kind="session",
        user_id=row.user_id,
        tenant_id=row.tenant_id if role else None,
        role=role,
        session_id=row.id,
        csrf_token=row.csrf_token,
    )
    return principal, refreshed
