"""Demo data: ``python -m masteria.gateway.demo`` makes sure a demo tenant and user exist, and prints them.

Idempotent: a second run finds the user and the tenant and changes nothing (``make up`` calls it
on every start).
"""

from __future__ import annotations

import asyncio
import json
import uuid
from dataclasses import asdict, dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from masteria.gateway.identity import repository as users
from masteria.gateway.identity.models import User
from masteria.gateway.identity.passwords import hash_password
from masteria.gateway.settings import DEV_DEMO_PASSWORD, GatewaySettings
from masteria.gateway.tenancy import repository as tenancy
from masteria.gateway.tenancy.service import create_tenant
from masteria.persistence.engine import create_engine, session_factory
from masteria.persistence.tenancy import system_session


@dataclass(frozen=True)
class DemoAccount:
    """How to sign in to the demo."""

    email: str
    password: str
    user_id: uuid.UUID
    tenant_id: uuid.UUID
    tenant_name: str


async def _demo_user(db: AsyncSession, email: str, password: str, name: str) -> User:
    user = await users.user_by_email(db, email)
    if user is None:
        user = await users.add_user(
            db, User(email=email.lower(), name=name, password_hash=await hash_password(password), email_verified=True)
        )
    return user


async def ensure_demo(
    sessions: async_sessionmaker[AsyncSession], *, email: str, password: str, name: str, tenant_name: str
) -> DemoAccount:
    """The demo user and a tenant of that name where they are owner, created when missing."""
    async with system_session(sessions) as db:
        user = await _demo_user(db, email, password, name)
        owned = [t for m, t in await tenancy.memberships_of(db, user.id) if t.name == tenant_name]
        tenant = owned[0] if owned else await create_tenant(db, user.id, tenant_name)
        user.last_tenant_id = user.last_tenant_id or tenant.id
        return DemoAccount(user.email, password, user.id, tenant.id, tenant.name)


async def _main(settings: GatewaySettings) -> DemoAccount:
    engine = create_engine(settings.database_url, pool_size=2)
    try:
        return await ensure_demo(
            session_factory(engine),
            email=settings.demo_email,
            password=settings.demo_password,
            name=settings.demo_name,
            tenant_name=settings.demo_tenant,
        )
    finally:
        await engine.dispose()


def main() -> None:
    """Create (or find) the demo account and print it as one JSON line."""
    settings = GatewaySettings()
    if settings.environment == "production" and settings.demo_password == DEV_DEMO_PASSWORD:
        raise SystemExit("refusing to create a demo account with the published password in production")
    account = asyncio.run(_main(settings))
    print(json.dumps(asdict(account), default=str))


if __name__ == "__main__":
    main()
