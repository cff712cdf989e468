"""A channel service's table of pending downloads: staged with the webhook's commit, claimed by the worker."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Row, Table, delete, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from masteria.contracts.envelope import Envelope

ERROR_CHARS = 2000  # enough for a provider's error body; the column is for people reading it


def pending_row(
    tenant_id: uuid.UUID, envelope: Envelope[Any], headers: dict[str, str], **locator: Any
) -> dict[str, Any]:
    """A download to do before ``envelope`` (an InboundMessage) is published; ``locator`` holds the
    service's own columns that say where the file is."""
    return {
        "id": envelope.id,
        "tenant_id": tenant_id,
        **locator,
        "envelope": envelope.model_dump_json().encode(),
        "headers": headers,
    }


class PendingDownloads:
    """Every query on one service's pending-downloads table.

    The table has ``id`` (uuid primary key: the message's event id), ``tenant_id`` uuid,
    ``envelope`` bytea, ``headers`` jsonb, ``attempts`` integer (default 0), ``next_attempt_at``
    timestamptz (default now(), indexed), ``last_error`` text, and the service's own columns that
    locate the file. Its RLS policy lets the system context through: claims run across tenants.
    """

    def __init__(self, table: Table) -> None:
        self.table = table
        # The claim reads the table inside an UPDATE of the same table: the alias keeps them apart.
        self._candidates = table.alias("candidates")

    async def add(self, session: AsyncSession, rows: list[dict[str, Any]]) -> None:
        """Stage downloads in the caller's transaction (a webhook delivered twice stages one)."""
        if rows:
            await session.execute(insert(self.table).on_conflict_do_nothing(), rows)

    async def claim_due(self, session: AsyncSession, limit: int, lease_s: float) -> list[Row[Any]]:
        """Due downloads (system context), hidden from other replicas for ``lease_s``; attempt counted."""
        t, c = self.table, self._candidates
        due = (
            select(c.c.id)
            .where(c.c.next_attempt_at <= func.now())
            .order_by(c.c.next_attempt_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
            .subquery("due")
        )
        claim = (
            update(t)
            .where(t.c.id == due.c.id)
            .values(next_attempt_at=func.now() + timedelta(seconds=lease_s), attempts=t.c.attempts + 1)
            .returning(*t.c)
        )
        return list((await session.execute(claim)).all())

    async def done(self, session: AsyncSession, download_id: uuid.UUID) -> None:
        """Forget a download whose message is now in the outbox."""
        await session.execute(delete(self.table).where(self.table.c.id == download_id))

    async def later(self, session: AsyncSession, download_id: uuid.UUID, delay_s: float, error: str) -> None:
        """Try again after ``delay_s``; ``error`` says why it failed this time."""
        due = datetime.now(UTC) + timedelta(seconds=delay_s)
        await session.execute(
            update(self.table)
            .where(self.table.c.id == download_id)
            .values(next_attempt_at=due, last_error=error[:ERROR_CHARS])
        )

    async def pending_count(self, session: AsyncSession) -> int:
        """How many downloads wait (in the current tenant or system context)."""
        return int(await session.scalar(select(func.count()).select_from(self.table)) or 0)
