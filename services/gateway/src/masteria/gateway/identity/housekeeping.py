"""Expired sessions are refused at once (the lookup checks ``expires_at``); this only reclaims their rows."""

from __future__ import annotations

import asyncio
import contextlib

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from masteria.gateway.identity import repository as repo
from masteria.observability.logging import get_logger
from masteria.persistence.base import utcnow
from masteria.persistence.tenancy import system_session

log = get_logger(__name__)


class SessionPurger:
    """Deletes expired sessions periodically; every replica may run one, the delete is idempotent."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], *, interval_s: float = 3600) -> None:
        self.sessions, self.interval_s = sessions, interval_s
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Begin purging in the background."""
        self._task = asyncio.create_task(self._run(), name="gateway-session-purger")

    async def stop(self) -> None:
        """Stop purging."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def purge_once(self) -> int:
        """Delete what has expired; returns how many rows went."""
        async with system_session(self.sessions) as db:
            return await repo.delete_expired_sessions(db, utcnow())

    async def _run(self) -> None:
        while True:
            try:
                if removed := await self.purge_once():
                    log.info("expired sessions purged", count=removed)
            except Exception as exc:  # housekeeping must never take the gateway down
                log.warning("session purge failed", error=repr(exc)[:200])
            await asyncio.sleep(self.interval_s)
