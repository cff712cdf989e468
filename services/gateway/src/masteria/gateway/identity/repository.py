"""Every query on users and sessions."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import and_, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from masteria.gateway.identity.models import BrowserSession, User
from masteria.gateway.tenancy.models import Membership


async def user_by_email(db: AsyncSession, email: str) -> User | None:
    """The user with this (lower-cased) email."""
    result = await db.execute(select(User).where(User.email == email.lower()))
    return result.scalar_one_or_none()


async def user_by_id(db: AsyncSession, user_id: uuid.UUID) -> User | None:
    """The user with this id."""
    return await db.get(User, user_id)


async def add_user(db: AsyncSession, user: User) -> User:
    """Insert ``user``; a duplicate email raises ``IntegrityError`` at flush."""
    db.add(user)
    await db.flush()
    return user


async def add_session(db: AsyncSession, row: BrowserSession) -> BrowserSession:
    """Insert a session row."""
    db.add(row)
    await db.flush()
    return row


async def live_session(db: AsyncSession, token_hash: str, now: datetime) -> BrowserSession | None:
    """The unexpired session whose token hashes to ``token_hash``."""
    result = await db.execute(
        select(BrowserSession).where(BrowserSession.token_hash == token_hash, BrowserSession.expires_at > now)
    )
    return result.scalar_one_or_none()


async def live_session_with_role(
    db: AsyncSession, token_hash: str, now: datetime
) -> tuple[BrowserSession, str | None] | None:
    """The unexpired session and the user's current role in its tenant, in one round trip."""
    result = await db.execute(
        select(BrowserSession, Membership.role)
        .outerjoin(
            Membership,
            and_(Membership.tenant_id == BrowserSession.tenant_id, Membership.user_id == BrowserSession.user_id),
        )
        .where(BrowserSession.token_hash == token_hash, BrowserSession.expires_at > now)
    )
    row = result.one_or_none()
    return (row[0], row[1]) if row else None


async def extend_session(db: AsyncSession, session_id: uuid.UUID, now: datetime, expires_at: datetime) -> None:
    """Slide the expiry of a session forward."""
    await db.execute(
        update(BrowserSession).where(BrowserSession.id == session_id).values(expires_at=expires_at, refreshed_at=now)
    )


async def set_session_tenant(db: AsyncSession, session_id: uuid.UUID, tenant_id: uuid.UUID | None) -> None:
    """Point a session at another tenant."""
    await db.execute(update(BrowserSession).where(BrowserSession.id == session_id).values(tenant_id=tenant_id))


async def delete_session(db: AsyncSession, token_hash: str) -> None:
    """End the session with this token hash (no error when it is already gone)."""
    await db.execute(delete(BrowserSession).where(BrowserSession.token_hash == token_hash))


async def delete_expired_sessions(db: AsyncSession, now: datetime) -> int:
    """Drop sessions past their expiry; returns how many."""
    result = await db.execute(delete(BrowserSession).where(BrowserSession.expires_at <= now))
    return int(getattr(result, "rowcount", 0) or 0)


async def delete_user_sessions(db: AsyncSession, user_id: uuid.UUID) -> None:
    """Sign a user out everywhere."""
    await db.execute(delete(BrowserSession).where(BrowserSession.user_id == user_id))
