"""The async engine and the session factory a service keeps for its lifetime."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine


def create_engine(url: str, *, pool_size: int = 10, max_overflow: int = 10, echo: bool = False) -> AsyncEngine:
    """An asyncpg engine; ``pool_pre_ping`` survives a database restart."""
    return create_async_engine(
        url, pool_size=pool_size, max_overflow=max_overflow, pool_pre_ping=True, echo=echo
    )


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded objects usable after commit (the edge encodes them afterwards)."""
    return async_sessionmaker(engine, expire_on_commit=False)
