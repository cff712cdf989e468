"""Hook of the campaigns status consumer: delivery statuses of cadence sends (found by their dispatch id).

Statuses only move a send forward (``status_advances``; accepted counts as sent), so a late or repeated
status never undoes a newer one. A failure the adapter classed transient, with attempts left, is retried as
campaigns retry theirs: the send becomes ``retrying`` with a full-jitter exponential backoff and loses its
dispatch id, so late news of the abandoned attempt matches nothing; the timer worker sends it again under a
new dispatch id (see ``retrying``). A permanent failure, or the last attempt's, is final. So is ``unknown``
(the sender died inside the provider call: the message may have gone out), even if a failure follows it.
"""

from __future__ import annotations

import functools
import uuid
from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Row, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from masteria.campaigns.cadences.hooks import payloads
from masteria.campaigns.cadences.repository import sends_t
from masteria.campaigns.cadences.settings import CadenceSettings
from masteria.campaigns.sending.pacing import backoff_s
from masteria.contracts.envelope import Envelope, Payload
from masteria.contracts.messages import ErrorClassification, MessageStatus, MessageStatusChanged, status_advances
from masteria.messaging.consuming import Received

_STATE_OF = {MessageStatus.ACCEPTED: "sent", MessageStatus.SENT: "sent", MessageStatus.DELIVERED: "delivered",
             MessageStatus.READ: "read", MessageStatus.FAILED: "failed", MessageStatus.UNKNOWN: "unknown"}
_STATUS_OF = {"sent": MessageStatus.SENT, "delivered": MessageStatus.DELIVERED, "read": MessageStatus.READ,
              "failed": MessageStatus.FAILED, "unknown": MessageStatus.UNKNOWN}
_STAMPS = {"sent": ("sent_at",), "delivered": ("sent_at", "delivered_at"),
           "read": ("sent_at", "delivered_at", "read_at"), "failed": ("failed_at",), "unknown": ()}
_COLUMNS = ("state", "dispatch_id", "retry_at", "sent_at", "delivered_at", "read_at", "failed_at", "error_code",
            "error_title")
# Same instant (sandboxes answer fast): the natural order, a failure last (a delivered message cannot fail).
_ORDER = (MessageStatus.UNKNOWN, MessageStatus.ACCEPTED, MessageStatus.SENT, MessageStatus.DELIVERED,
          MessageStatus.READ, MessageStatus.FAILED)


@functools.cache
def _settings() -> CadenceSettings:
    # The status consumer calls the hook without settings: the cadence side reads its own, as its worker does.
    return CadenceSettings()


async def apply(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    items: Iterable[Received | Envelope[Any] | Payload],
    *,
    settings: CadenceSettings | None = None,
    now: datetime | None = None,
) -> int:
    """Apply the statuses that belong to cadence sends; how many sends moved."""
    by_dispatch: dict[uuid.UUID, list[MessageStatusChanged]] = defaultdict(list)
    for payload in payloads(items):
        if isinstance(payload, MessageStatusChanged) and payload.dispatch_id is not None:
            by_dispatch[payload.dispatch_id].append(payload)
    if not by_dispatch:
        return 0
    stmt = (
        select(sends_t.c.id, sends_t.c.attempt, *(sends_t.c[name] for name in _COLUMNS))
        .where(sends_t.c.dispatch_id.in_(list(by_dispatch)))
        .order_by(sends_t.c.id)
        .with_for_update()
    )
    retry = _Retry(settings or _settings(), now or datetime.now(UTC))
    changes = []
    for row in await session.execute(stmt):
        changed = _fold(row, by_dispatch[row.dispatch_id], retry)
        if changed is not None:
            changes.append(changed)
    if changes:
        columns: dict[str, Any] = {name: bindparam(f"b_{name}") for name in _COLUMNS}
        await session.execute(update(sends_t).where(sends_t.c.id == bindparam("b_id")).values(**columns), changes)
    return len(changes)


class _Retry:
    """Whether and when a failed attempt goes again."""

    def __init__(self, settings: CadenceSettings, now: datetime) -> None:
        self.settings, self.now = settings, now

    def at(self, row: Row[Any], previous: str, status: MessageStatusChanged) -> datetime | None:
        """When the send goes again; None when this failure is final."""
        error = status.error
        transient = error is not None and error.classification is ErrorClassification.TRANSIENT
        if not transient or previous == "unknown" or row.attempt >= self.settings.max_attempts:
            return None
        wait = backoff_s(row.attempt, self.settings.retry_base_s, self.settings.retry_cap_s)
        return self.now + timedelta(seconds=wait)


def _fold(row: Row[Any], statuses: list[MessageStatusChanged], retry: _Retry) -> dict[str, Any] | None:
    """The send's columns after ``statuses`` (None when none of them moves it)."""
    values: dict[str, Any] = {name: getattr(row, name) for name in _COLUMNS}
    current = _STATUS_OF.get(values["state"])
    moved = False
    for status in sorted(statuses, key=lambda s: (s.occurred_at, _ORDER.index(s.status))):
        if values["state"] in ("skipped", "retrying") or not status_advances(current, status.status):
            continue  # a retrying send's later statuses belong to the attempt it abandoned
        state = _STATE_OF[status.status]
        if status.error is not None:
            values["error_code"], values["error_title"] = status.error.code, status.error.title
        retry_at = retry.at(row, values["state"], status) if state == "failed" else None
        current, moved = _STATUS_OF[state], True
        if retry_at is not None:
            values.update(state="retrying", dispatch_id=None, retry_at=retry_at, failed_at=status.occurred_at)
            continue
        values["state"] = state
        for stamp in _STAMPS[state]:
            values[stamp] = values[stamp] or status.occurred_at
    return {"b_id": row.id, **{f"b_{k}": v for k, v in values.items()}} if moved else None
