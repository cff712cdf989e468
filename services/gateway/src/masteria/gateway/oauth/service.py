"""Finding or creating the user behind a provider profile."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from masteria.gateway.identity import repository as users
from masteria.gateway.identity.models import User
from masteria.gateway.oauth import repository as repo
from masteria.gateway.oauth.providers import ExternalProfile
from masteria.gateway.tenancy.service import create_tenant
from masteria.runtime.problems import Problem


async def _new_user(db: AsyncSession, profile: ExternalProfile, email: str) -> User:
    """A brand-new person gets a personal tenant to start in."""
    user = await users.add_user(
        db, User(email=email, name=profile.name[:200], password_hash=None, email_verified=profile.email_verified)
    )
    # In Portuguese: the platform's first users are Brazilian businesses.
    tenant = await create_tenant(db, user.id, f"Empresa de {profile.name[:180]}")
    user.last_tenant_id = tenant.id
    return user


async def user_for(db: AsyncSession, provider: str, profile: ExternalProfile) -> User:
    """The user linked to (provider, subject); else the user with the same verified email; else a new one."""
    linked = await repo.identity(db, provider, profile.subject)
    if linked is not None:
        user = await users.user_by_id(db, linked.user_id)
        assert user is not None  # the link's foreign key guarantees it
        return user
    if not profile.email:
        raise Problem(400, "Email required", f"{provider} did not share an email address; allow it and retry")
    user = await users.user_by_email(db, profile.email)
    if user is not None and not profile.email_verified:
        # Linking on an unverified address would let anyone claim an account by typing its email.
        raise Problem(409, "Account exists", "sign in with your password; this provider's email is not verified")
    if user is None:
        user = await _new_user(db, profile, profile.email)
    elif not user.email_verified:
        # Someone may have signed up with this address without owning it (pre-account takeover):
        # the provider proves ownership, so the unproven password and its sessions go.
        user.email_verified, user.password_hash = True, None
        await users.delete_user_sessions(db, user.id)
    await repo.link(db, user.id, provider, profile.subject, profile.email)
    return user
