"""Every query on OAuth identities."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from masteria.gateway.oauth.models import OAuthIdentity


async def identity(db: AsyncSession, provider: str, subject: str) -> OAuthIdentity | None:
    """The link for (provider, subject)."""
    result = await db.execute(
        select(OAuthIdentity).where(OAuthIdentity.provider == provider, OAuthIdentity.subject == subject)
    )
    return result.scalar_one_or_none()


async def link(db: AsyncSession, user_id: uuid.UUID, provider: str, subject: str, email: str | None) -> None:
    """Link a provider account to a user."""
    db.add(OAuthIdentity(user_id=user_id, provider=provider, subject=subject, email=email))
    await db.flush()
