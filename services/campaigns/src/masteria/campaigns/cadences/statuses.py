"""Hook of the campaigns status consumer: delivery statuses of cadence sends (found by their dispatch id).

Statuses only move a send forward (``status_advances``; accepted counts as sent), so a late or repeated
status never undoes a newer one. A failed cadence send is final: the adapter already retried what a retry
could fix, and the cadence's next step goes at its time anyway.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Row, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from masteria.campaigns.cadences.hooks import payloads
from masteria.campaigns.cadences.repository import sends_t
from masteria.contracts.envelope import Envelope, Payload
from masteria.contracts.messages import MessageStatus, MessageStatusChanged, status_advances
from masteria.messaging.consuming import Received

_STATE_OF = {MessageStatus.ACCEPTED: "sent", MessageStatus.SENT: "sent", MessageStatus.DELIVERED: "delivered",
             MessageStatus.READ: "read", MessageStatus.FAILED: "failed", MessageStatus.UNKNOWN: "unknown"}
_STATUS_OF = {"sent": MessageStatus.SENT, "delivered": MessageStatus.DELIVERED, "read": MessageStatus.READ,
              "failed": MessageStatus.FAILED, "unknown": MessageStatus.UNKNOWN}
_STAMPS = {"sent": ("sent_at",), "delivered": ("sent_at", "delivered_at"),
           "read": ("sent_at", "delivered_at", "read_at"), "failed": ("failed_at",), "unknown": ()}
_COLUMNS = ("state", "sent_at", "delivered_at", "read_at", "failed_at", "error_code", "error_title")


async def apply(
    session: AsyncSession, tenant_id: uuid.UUID, items: Iterable[Received | Envelope[Any] | Payload]
) -> int:
    """Apply the statuses that belong to cadence sends; how many sends moved."""
    by_dispatch: dict[uuid.UUID, list[MessageStatusChanged]] = defaultdict(list)
    for payload in payloads(items):
        if isinstance(payload, MessageStatusChanged) and payload.dispatch_id is not None:
            by_dispatch[payload.dispatch_id].append(payload)
    if not by_dispatch:
        return 0
    stmt = (
        select(sends_t.c.id, sends_t.c.dispatch_id, *(sends_t.c[name] for name in _COLUMNS))
        .where(sends_t.c.dispatch_id.in_(list(by_dispatch)))
        .order_by(sends_t.c.id)
        .with_for_update()
    )
    changes = []
    for row in await session.execute(stmt):
        changed = _fold(row, by_dispatch[row.dispatch_id])
        if changed is not None:
            changes.append(changed)
    if changes:
        columns: dict[str, Any] = {name: bindparam(f"b_{name}") for name in _COLUMNS}
        await session.execute(update(sends_t).where(sends_t.c.id == bindparam("b_id")).values(**columns), changes)
    return len(changes)


def _fold(row: Row[Any], statuses: list[MessageStatusChanged]) -> dict[str, Any] | None:
    """The send's columns after ``statuses`` (None when none of them moves it)."""
    values: dict[str, Any] = {name: getattr(row, name) for name in _COLUMNS}
    current = _STATUS_OF.get(values["state"])
    moved = False
    for status in sorted(statuses, key=lambda s: s.occurred_at):
        if values["state"] == "skipped" or not status_advances(current, status.status):
            continue
        state = _STATE_OF[status.status]
        current, moved = _STATUS_OF[state], True
        values["state"] = state
        for stamp in _STAMPS[state]:
            values[stamp] = values[stamp] or status.occurred_at
        if status.error is not None:
            values["error_code"], values["error_title"] = status.error.code, status.error.title
    return {"b_id": row.id, **{f"b_{k}": v for k, v in values.items()}} if moved else None
