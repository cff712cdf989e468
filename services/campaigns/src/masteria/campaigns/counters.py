"""Per-campaign recipient counters, moved in the same transaction as the recipients they count.

Every statement that changes recipients' states returns (campaign, old state, new state) per row
(PostgreSQL's ``RETURNING old.state, new.state``); the moves are summed per campaign and applied with
one UPDATE per campaign. Live progress then costs one row read, however large the campaign.
"""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from masteria.campaigns.tables import counters
from masteria.contracts.campaigns import RecipientCounts

STATES = ("pending", "queued", "sent", "delivered", "read", "failed", "unknown", "skipped", "cancelled")
COLUMNS = (*STATES, "replied", "total")


class Moves:
    """Counter deltas per campaign, gathered over a transaction's statements."""

    def __init__(self) -> None:
        self.deltas: dict[uuid.UUID, Counter[str]] = defaultdict(Counter)

    def move(self, campaign_id: uuid.UUID, old: str | None, new: str) -> None:
        """One recipient went from ``old`` (None: it is new) to ``new``."""
        if old == new:
            return
        delta = self.deltas[campaign_id]
        if old is None:
            delta["total"] += 1
        else:
            delta[old] -= 1
        delta[new] += 1

    def moved(self, rows: Iterable[Any]) -> int:
        """Add rows of (campaign_id, old_state, new_state); returns how many changed state."""
        changed = 0
        for campaign_id, old, new in rows:
            if old != new:
                self.move(campaign_id, old, new)
                changed += 1
        return changed

    def add(self, campaign_id: uuid.UUID, column: str, n: int) -> None:
        """Add ``n`` to one column (``replied``, or a state for a bulk insert)."""
        self.deltas[campaign_id][column] += n

    async def apply(self, session: AsyncSession) -> None:
        """Write the deltas, one UPDATE per campaign in id order (so concurrent writers never deadlock)."""
        rows = [
            {"c_id": campaign_id, **{f"d_{col}": delta.get(col, 0) for col in COLUMNS}}
            for campaign_id, delta in sorted(self.deltas.items(), key=lambda kv: kv[0].int)
            if any(delta.values())
        ]
        self.deltas.clear()
        if not rows:
            return
        c = counters.c
        stmt = (
            update(counters)
            .where(c.campaign_id == bindparam("c_id"))
            .values({col: c[col] + bindparam(f"d_{col}") for col in COLUMNS})
        )
        connection = await session.connection()
        await connection.execute(stmt, rows)


async def read(session: AsyncSession, campaign_id: uuid.UUID) -> RecipientCounts:
    """The counts of one campaign."""
    counts = await read_many(session, [campaign_id])
    return counts.get(campaign_id, RecipientCounts(total=0))


async def read_many(session: AsyncSession, campaign_ids: list[uuid.UUID]) -> dict[uuid.UUID, RecipientCounts]:
    """The counts of several campaigns (a list page)."""
    if not campaign_ids:
        return {}
    c = counters.c
    rows = (await session.execute(select(counters).where(c.campaign_id.in_(campaign_ids)))).all()
    return {row.campaign_id: to_counts(row._mapping) for row in rows}


def to_counts(row: Any) -> RecipientCounts:
    """A counters row as the contract's counts (never negative, whatever a bug might have done)."""
    return RecipientCounts(**{col: max(0, int(row[col])) for col in COLUMNS})
