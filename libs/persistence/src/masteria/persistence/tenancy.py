"""Units of work bound to one tenant, enforced by PostgreSQL Row-Level Security.

The edge (an HTTP request or a message handler) opens the unit of work, domain code only flushes,
and the commit happens when the block ends without an exception.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from masteria.observability.context import current_tenant

_SET_TENANT = text("SELECT set_config('app.tenant_id', :tenant, true)")
_SET_SYSTEM = text("SELECT set_config('app.system', 'on', true)")


@asynccontextmanager
async def tenant_session(
    factory: async_sessionmaker[AsyncSession], tenant_id: uuid.UUID
) -> AsyncIterator[AsyncSession]:
    """A transaction that sees only ``tenant_id``'s rows; commits on success."""
    token = current_tenant.set(tenant_id)
    try:
        async with factory() as session, session.begin():
            await session.execute(_SET_TENANT, {"tenant": str(tenant_id)})
            yield session
    finally:
        current_tenant.reset(token)


@asynccontextmanager
async def system_session(factory: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """A transaction for infrastructure work across tenants (outbox relay, webhook routing).

    Only tables whose policy names ``app.system`` open up; every other tenant table stays closed.
    """
    async with factory() as session, session.begin():
        await session.execute(_SET_SYSTEM)
        yield session


async def set_tenant(session: AsyncSession, tenant_id: uuid.UUID) -> None:
    """Switch the tenant inside an already open transaction (batch consumers use this)."""
    current_tenant.set(tenant_id)
    await session.execute(_SET_TENANT, {"tenant": str(tenant_id)})
