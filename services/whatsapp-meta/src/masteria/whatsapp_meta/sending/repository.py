"""Every query on ``outbound_messages`` and ``customer_windows``; bulk forms, one round trip per batch."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, select, text, tuple_, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from masteria.whatsapp_meta.tables import CustomerWindow, OutboundMessage

T = OutboundMessage.__table__
W = CustomerWindow.__table__
Key = tuple[str, uuid.UUID]  # (lane, id) inside one tenant


@dataclass(frozen=True)
class Row:
    """The columns the pipeline decides on."""

    lane: str
    id: uuid.UUID
    state: str
    status: str | None
    attempts: int
    campaign_attempt: int
    sending_at: datetime | None
    wamid: str | None
    number_id: uuid.UUID | None
    recipient: str

    @property
    def key(self) -> Key:
        """(lane, id)."""
        return (self.lane, self.id)


_ROW_COLUMNS = (
    T.c.lane,
    T.c.id,
    T.c.state,
    T.c.status,
    T.c.attempts,
    T.c.campaign_attempt,
    T.c.sending_at,
    T.c.wamid,
    T.c.number_id,
    T.c.recipient,
)


def _row(r: Any) -> Row:
    return Row(
        r.lane, r.id, r.state, r.status, r.attempts, r.campaign_attempt, r.sending_at, r.wamid, r.number_id, r.recipient
    )


async def insert_new(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """Claim commands never seen before; existing rows are left as they are."""
    if rows:
        await session.execute(insert(T).on_conflict_do_nothing(), rows)


async def read(
    session: AsyncSession, tenant_id: uuid.UUID, keys: Sequence[Key], *, lock: bool = False
) -> dict[Key, Row]:
    """Rows by (lane, id) in the current tenant; ``lock`` takes them FOR UPDATE in a stable order."""
    if not keys:
        return {}
    stmt = (
        select(*_ROW_COLUMNS)
        .where(T.c.tenant_id == tenant_id, tuple_(T.c.lane, T.c.id).in_(list(dict.fromkeys(keys))))
        .order_by(T.c.lane, T.c.id)
    )
    if lock:
        stmt = stmt.with_for_update()
    return {(r.lane, r.id): _row(r) for r in (await session.execute(stmt)).all()}


async def by_wamids(session: AsyncSession, tenant_id: uuid.UUID, wamids: Sequence[str]) -> dict[str, Row]:
    """Rows by the wamid Meta gave them, locked."""
    if not wamids:
        return {}
    stmt = (
        select(*_ROW_COLUMNS)
        .where(T.c.tenant_id == tenant_id, T.c.wamid.in_(list(dict.fromkeys(wamids))))
        .order_by(T.c.lane, T.c.id)
        .with_for_update()
    )
    return {r.wamid: _row(r) for r in (await session.execute(stmt)).all()}


async def restart_for_campaign_attempt(
    session: AsyncSession, tenant_id: uuid.UUID, key: Key, campaign_attempt: int, command: bytes
) -> None:
    """A campaign's new attempt of a failed dispatch starts afresh under the same dispatch_id."""
    await session.execute(
        update(T)
        .where(T.c.tenant_id == tenant_id, T.c.lane == key[0], T.c.id == key[1], T.c.state == "failed")
        .values(
            state="queued",
            status=None,
            status_at=None,
            attempts=0,
            campaign_attempt=campaign_attempt,
            wamid=None,
            last_error=None,
            next_attempt_at=None,
            sending_at=None,
            command=command,
            updated_at=func.now(),
        )
    )


_BEGIN_SENDING = text("""
UPDATE whatsapp_meta.outbound_messages AS m
SET state = 'sending', sending_at = now(), attempts = m.attempts + 1, number_id = v.number_id,
    next_attempt_at = NULL, updated_at = now()
FROM unnest(CAST(:lanes AS text[]), CAST(:ids AS uuid[]), CAST(:attempts AS int[]), CAST(:numbers AS uuid[]))
     AS v(lane, id, attempts, number_id)
WHERE m.tenant_id = :tenant AND m.lane = v.lane AND m.id = v.id
  AND m.state IN ('queued', 'retrying') AND m.attempts = v.attempts
RETURNING m.lane, m.id
""")


async def begin_sending(
    session: AsyncSession, tenant_id: uuid.UUID, items: Sequence[tuple[Key, int, uuid.UUID]]
) -> set[Key]:
    """Mark sends as "sending" (attempt + 1) when nobody moved them since they were read."""
    if not items:
        return set()
    result = await session.execute(
        _BEGIN_SENDING,
        {
            "tenant": tenant_id,
            "lanes": [key[0] for key, _, _ in items],
            "ids": [key[1] for key, _, _ in items],
            "attempts": [attempts for _, attempts, _ in items],
            "numbers": [number for _, _, number in items],
        },
    )
    return {(r.lane, r.id) for r in result.all()}


async def write(session: AsyncSession, tenant_id: uuid.UUID, updates: list[dict[str, Any]]) -> None:
    """Apply outcomes: each dict has ``lane`` and ``id`` plus the columns to set (one statement per shape)."""
    shapes: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for u in updates:
        shapes.setdefault(tuple(sorted(k for k in u if k not in ("lane", "id"))), []).append(u)
    for fields, group in shapes.items():
        stmt = (
            update(T)
            .where(T.c.tenant_id == bindparam("k_tenant"), T.c.lane == bindparam("k_lane"), T.c.id == bindparam("k_id"))
            .values(**{name: bindparam(f"v_{name}") for name in fields}, updated_at=func.now())
        )
        params = [
            {"k_tenant": tenant_id, "k_lane": u["lane"], "k_id": u["id"], **{f"v_{n}": u[n] for n in fields}}
            for u in group
        ]
        await session.execute(stmt, params)


async def last_inbound(
    session: AsyncSession, tenant_id: uuid.UUID, pairs: Sequence[tuple[uuid.UUID, str]]
) -> dict[tuple[uuid.UUID, str], datetime]:
    """When each (number, customer) last wrote, for the pairs that ever did."""
    if not pairs:
        return {}
    stmt = select(W.c.number_id, W.c.wa_id, W.c.last_inbound_at).where(
        W.c.tenant_id == tenant_id, tuple_(W.c.number_id, W.c.wa_id).in_(list(dict.fromkeys(pairs)))
    )
    return {(r.number_id, r.wa_id): r.last_inbound_at for r in (await session.execute(stmt)).all()}


async def record_inbound(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """Move each customer's window forward (never back: Meta may deliver an old message late)."""
    if not rows:
        return
    latest: dict[tuple[Any, Any, Any], dict[str, Any]] = {}
    for row in rows:  # one row per key, or PostgreSQL refuses to update a row twice in one statement
        key = (row["tenant_id"], row["number_id"], row["wa_id"])
        if key not in latest or row["last_inbound_at"] > latest[key]["last_inbound_at"]:
            latest[key] = row
    stmt = insert(W)
    stmt = stmt.on_conflict_do_update(
        index_elements=[W.c.tenant_id, W.c.number_id, W.c.wa_id],
        set_={"last_inbound_at": func.greatest(W.c.last_inbound_at, stmt.excluded.last_inbound_at)},
    )
    await session.execute(stmt, sorted(latest.values(), key=lambda r: (str(r["number_id"]), r["wa_id"])))


# --- across tenants (system context): retries and the crash reaper ----------------------------

_CLAIM_DUE = text("""
UPDATE whatsapp_meta.outbound_messages AS m
SET next_attempt_at = now() + make_interval(secs => :lease), updated_at = now()
FROM (
  SELECT tenant_id, lane, id FROM whatsapp_meta.outbound_messages
  WHERE state = 'retrying' AND next_attempt_at <= now() AND lane = :lane
  ORDER BY next_attempt_at
  LIMIT :limit
  FOR UPDATE SKIP LOCKED
) AS due
WHERE m.tenant_id = due.tenant_id AND m.lane = due.lane AND m.id = due.id
RETURNING m.tenant_id, m.lane, m.id, m.command
""")


async def claim_due(session: AsyncSession, lane: str, limit: int, lease_s: float) -> list[tuple[uuid.UUID, bytes]]:
    """Retries whose time has come, hidden from other replicas for ``lease_s``; (tenant, command)."""
    rows = (await session.execute(_CLAIM_DUE, {"lane": lane, "limit": limit, "lease": lease_s})).all()
    return [(r.tenant_id, r.command) for r in rows if r.command is not None]


async def next_due_in(session: AsyncSession, lane: str) -> float | None:
    """Seconds until the next retry of a lane is due (None: none waiting)."""
    value = await session.scalar(
        text(
            "SELECT EXTRACT(EPOCH FROM min(next_attempt_at) - now()) FROM whatsapp_meta.outbound_messages "
            "WHERE state = 'retrying' AND lane = :lane"
        ),
        {"lane": lane},
    )
    return float(value) if value is not None else None


_STALE_SENDING = text("""
SELECT command FROM whatsapp_meta.outbound_messages
WHERE state = 'sending' AND sending_at < now() - make_interval(secs => :lease) AND command IS NOT NULL
ORDER BY sending_at LIMIT :limit FOR UPDATE SKIP LOCKED
""")


async def stale_sending(session: AsyncSession, lease_s: float, limit: int) -> list[bytes]:
    """Commands stuck in "sending" longer than the lease: their process died inside the Graph call."""
    rows = (await session.execute(_STALE_SENDING, {"lease": lease_s, "limit": limit})).all()
    return [r.command for r in rows]


_REQUEUE_STALE = text("""
UPDATE whatsapp_meta.outbound_messages SET state = 'retrying', next_attempt_at = now(), updated_at = now()
WHERE state = 'queued' AND updated_at < now() - make_interval(secs => :older) AND command IS NOT NULL
""")


async def requeue_stale_queued(session: AsyncSession, older_than_s: float) -> int:
    """Claimed sends that nobody moved for long (their command left JetStream): back to the retry queue."""
    result = await session.execute(_REQUEUE_STALE, {"older": older_than_s})
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
