"""The async engine and the session factory a service keeps for its lifetime."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine


def create_engine(url: str, *, pool_size: int = 10, max_overflow: int = 10, echo: bool = False) -> AsyncEngine:
    """An asyncpg engine.

    No ``pool_pre_ping``: it costs a round trip on every checkout, i.e. on every transaction of the
    hot paths. After a database restart the first use of each stale connection fails and the pool
    replaces it; the webhook is retried by Meta and a consumer batch is redelivered, so nothing is
    lost. Connections are recycled hourly so none outlives a failover for long.
    """
    return create_async_engine(
        url, pool_size=pool_size, max_overflow=max_overflow, pool_recycle=3600, echo=echo
    )


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded objects usable after commit (the edge encodes them afterwards)."""
    return async_sessionmaker(engine, expire_on_commit=False)
