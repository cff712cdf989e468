"""Delivery statuses (CAMPAIGNS_STATUS) move recipients forward: queued, sent, delivered, read, or failed.

A batch is folded in Python per dispatch id (statuses may arrive out of order or twice; a recipient only
moves forward, ``status_advances`` decides) and written with one set-based UPDATE whose RETURNING feeds
the counters. A transient failure with attempts left puts the recipient back to pending with a backoff
and no dispatch id: the dispatcher sends it again under a new one, and late news of the abandoned attempt
matches nothing. ``unknown`` (the sender died inside the provider call) is final and never resent.
Statuses of dispatches that are not campaign recipients (cadence sends) go to the hooks.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Row, text
from sqlalchemy.ext.asyncio import AsyncSession

from masteria.campaigns.counters import Moves
from masteria.campaigns.sending.pacing import backoff_s
from masteria.campaigns.tables import processed_events
from masteria.contracts.messages import ErrorClassification, MessageStatus, MessageStatusChanged, status_advances
from masteria.messaging.consuming import Received
from masteria.messaging.dedup import claim_events
from masteria.messaging.outbox import Outbox

CONSUMER = "campaigns-status"
StatusHook = Callable[[AsyncSession, uuid.UUID, list[MessageStatusChanged]], Awaitable[Any]]

# Recipient state <-> the status it stands for ("queued": no status yet).
STATUS_OF_STATE = {
    "sent": MessageStatus.SENT,
    "delivered": MessageStatus.DELIVERED,
    "read": MessageStatus.READ,
    "failed": MessageStatus.FAILED,
    "unknown": MessageStatus.UNKNOWN,
}
STATE_OF_STATUS = {
    MessageStatus.ACCEPTED: "sent",
    MessageStatus.SENT: "sent",
    MessageStatus.DELIVERED: "delivered",
    MessageStatus.READ: "read",
    MessageStatus.FAILED: "failed",
    MessageStatus.UNKNOWN: "unknown",
}
_FIND = text("""
    SELECT r.id, r.campaign_id, r.state, r.dispatch_id, r.attempt, k.max_attempts, k.state AS campaign_state
      FROM campaigns.recipients r JOIN campaigns.campaigns k ON k.id = r.campaign_id
     WHERE r.dispatch_id = ANY(CAST(:ids AS uuid[]))
     ORDER BY r.id
       FOR UPDATE OF r
""")
_SAVE = text("""
    UPDATE campaigns.recipients r
       SET state = v.state, dispatch_id = v.dispatch_id, next_attempt_at = v.next_at,
           error_code = coalesce(v.code, r.error_code), error_title = coalesce(v.title, r.error_title),
           sent_at = coalesce(r.sent_at, v.sent_at), delivered_at = coalesce(r.delivered_at, v.delivered_at),
           read_at = coalesce(r.read_at, v.read_at), failed_at = v.failed_at
      FROM unnest(CAST(:ids AS uuid[]), CAST(:states AS text[]), CAST(:dispatch_ids AS uuid[]),
                  CAST(:next_ats AS timestamptz[]), CAST(:codes AS text[]), CAST(:titles AS text[]),
                  CAST(:sent AS timestamptz[]), CAST(:delivered AS timestamptz[]), CAST(:read AS timestamptz[]),
                  CAST(:failed AS timestamptz[]))
           AS v(id, state, dispatch_id, next_at, code, title, sent_at, delivered_at, read_at, failed_at)
     WHERE r.id = v.id
    RETURNING r.campaign_id, old.state, new.state
""")


@dataclass
class Fold:
    """One recipient while a batch of its statuses is folded in."""

    row: Row[Any]
    state: str
    dispatch_id: uuid.UUID | None
    next_at: datetime | None = None
    code: str | None = None
    title: str | None = None
    sent_at: datetime | None = None
    delivered_at: datetime | None = None
    read_at: datetime | None = None
    failed_at: datetime | None = None
    dirty: bool = False

    def apply(self, status: MessageStatusChanged, retry_in: Callable[[int], float]) -> None:
        """Fold one status in (ignored once a retry has been decided: it belongs to the abandoned attempt)."""
        if self.dispatch_id is None or self.state == "pending":
            return
        current = STATUS_OF_STATE.get(self.state)
        if not status_advances(current, status.status):
            return
        at = status.occurred_at
        self.dirty = True
        if status.status is MessageStatus.FAILED:
            self._failed(status, retry_in)
            return
        self.state = STATE_OF_STATUS[status.status]
        if self.state in ("sent", "delivered", "read"):
            self.sent_at = self.sent_at or at
        if self.state in ("delivered", "read"):
            self.delivered_at = self.delivered_at or at
        if self.state == "read":
            self.read_at = self.read_at or at

    def _failed(self, status: MessageStatusChanged, retry_in: Callable[[int], float]) -> None:
        error = status.error
        self.code, self.title = (error.code, error.title) if error else ("unknown", "Failed without a reason")
        transient = error is not None and error.classification is ErrorClassification.TRANSIENT
        attempts_left = self.row.attempt < self.row.max_attempts
        if transient and attempts_left and self.row.campaign_state != "cancelled":
            self.state, self.dispatch_id = "pending", None
            self.next_at = datetime.now(UTC) + timedelta(seconds=retry_in(self.row.attempt))
            return
        self.state, self.failed_at = "failed", status.occurred_at

    def saved(self) -> dict[str, Any]:
        """The UPDATE's values for this recipient."""
        return {
            "id": self.row.id,
            "state": self.state,
            "dispatch_id": self.dispatch_id,
            "next_at": self.next_at,
            "code": self.code,
            "title": self.title,
            "sent": self.sent_at,
            "delivered": self.delivered_at,
            "read": self.read_at,
            "failed": self.failed_at,
        }


def status_work(
    retry_base_s: float, retry_cap_s: float, hooks: list[StatusHook]
) -> Callable[[AsyncSession, Outbox, uuid.UUID, list[Received]], Awaitable[int]]:
    """The consumer's work with its settings bound (the shape ``consumers.batch_handler`` runs)."""

    def retry_in(attempt: int) -> float:
        return backoff_s(attempt, retry_base_s, retry_cap_s)

    async def work(session: AsyncSession, outbox: Outbox, tenant_id: uuid.UUID, items: list[Received]) -> int:
        del outbox
        return await apply_statuses(session, tenant_id, items, retry_in, hooks)

    return work


async def apply_statuses(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    items: list[Received],
    retry_in: Callable[[int], float],
    hooks: list[StatusHook] | None = None,
) -> int:
    """Apply one tenant's statuses; returns how many recipients moved."""
    fresh = await claim_events(session, processed_events, CONSUMER, tenant_id, [r.envelope.id for r in items])
    statuses: list[MessageStatusChanged] = [
        r.envelope.data
        for r in items
        if r.envelope.id in fresh and isinstance(r.envelope.data, MessageStatusChanged) and r.envelope.data.dispatch_id
    ]
    if not statuses:
        return 0
    ids = sorted({s.dispatch_id for s in statuses if s.dispatch_id is not None}, key=lambda u: u.int)
    rows = (await session.execute(_FIND, {"ids": ids})).all()
    folds = {r.dispatch_id: Fold(r, r.state, r.dispatch_id) for r in rows}
    others: list[MessageStatusChanged] = []
    for status in sorted(statuses, key=lambda s: (s.occurred_at, _rank(s.status))):
        fold = folds.get(status.dispatch_id)
        if fold is None:
            others.append(status)
            continue
        fold.apply(status, retry_in)
    moves = Moves()
    moved = await _save(session, [f.saved() for f in folds.values() if f.dirty], moves)
    for hook in hooks or []:
        if others:
            await hook(session, tenant_id, others)
    # Last: the dispatcher waits on the counters row only for our commit.
    await moves.apply(session)
    return moved


async def _save(session: AsyncSession, saved: list[dict[str, Any]], moves: Moves) -> int:
    if not saved:
        return 0
    params = {
        "ids": [s["id"] for s in saved],
        "states": [s["state"] for s in saved],
        "dispatch_ids": [s["dispatch_id"] for s in saved],
        "next_ats": [s["next_at"] for s in saved],
        "codes": [s["code"] for s in saved],
        "titles": [s["title"] for s in saved],
        "sent": [s["sent"] for s in saved],
        "delivered": [s["delivered"] for s in saved],
        "read": [s["read"] for s in saved],
        "failed": [s["failed"] for s in saved],
    }
    return moves.moved((await session.execute(_SAVE, params)).all())


def _rank(status: MessageStatus) -> int:
    # Same instant (sandboxes answer fast): apply in the natural order; a failure last.
    order = (
        MessageStatus.UNKNOWN,
        MessageStatus.ACCEPTED,
        MessageStatus.SENT,
        MessageStatus.DELIVERED,
        MessageStatus.READ,
        MessageStatus.FAILED,
    )
    return order.index(status)
