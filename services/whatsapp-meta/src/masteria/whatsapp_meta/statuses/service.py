"""Applying Meta's statuses to our sends: mapped back to message_id/dispatch_id, published only forward.

A status finds its send by the ``biz_opaque_callback_data`` we set (``<lane>:<id>``, echoed by
Meta), else by wamid. Duplicates and out-of-order statuses change nothing (``status_advances``).
A status whose send is not known yet (Meta answered the webhook before our commit of the wamid)
waits in ``orphan_statuses`` and is applied when the send records its wamid.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from masteria.contracts.channels import Channel
from masteria.contracts.envelope import Envelope
from masteria.contracts.messages import DeliveryError, MessageStatus, MessageStatusChanged, status_advances
from masteria.messaging.outbox import Outbox
from masteria.whatsapp_meta.sending import repository as sends
from masteria.whatsapp_meta.sending.model import State
from masteria.whatsapp_meta.sending.repository import Key, Row
from masteria.whatsapp_meta.statuses import repository as orphans

SOURCE = "masteria/whatsapp-meta"
# A send in one of these states has evidently reached Meta once a status about it arrives.
_NOT_YET_ACCEPTED = frozenset({State.QUEUED, State.SENDING, State.RETRYING, State.UNKNOWN})


@dataclass(frozen=True)
class StatusUpdate:
    """One status from Meta, with the envelope (id, trace) staged by the webhook request."""

    envelope: Envelope[MessageStatusChanged]
    headers: dict[str, str]
    callback: Key | None = None

    @property
    def change(self) -> MessageStatusChanged:
        """The normalised status (without our ids yet)."""
        return self.envelope.data


@dataclass
class Tracked:
    """A send row being changed inside one transaction."""

    row: Row
    state: str
    status: str | None
    wamid: str | None
    changes: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, row: Row) -> Tracked:
        """Start tracking a row as read."""
        return cls(row, row.state, row.status, row.wamid)

    def set(self, **values: Any) -> None:
        """Change columns (remembered for the write)."""
        self.changes.update(values)
        for name in ("state", "status", "wamid"):
            if name in values:
                setattr(self, name, values[name])

    def update(self) -> dict[str, Any] | None:
        """The row's update for ``repository.write``, or None when nothing changed."""
        return {"lane": self.row.lane, "id": self.row.id, **self.changes} if self.changes else None


def parse_callback(value: tuple[str, str] | None) -> Key | None:
    """(lane, uuid) from parsed callback data; None when the id is not a UUID."""
    if value is None:
        return None
    try:
        return (value[0], uuid.UUID(value[1]))
    except ValueError:
        return None


async def apply(session: AsyncSession, outbox: Outbox, tenant_id: uuid.UUID, updates: list[StatusUpdate]) -> int:
    """Apply one tenant's statuses; returns how many advanced a send (and were published)."""
    if not updates:
        return 0
    tracked = {
        key: Tracked.of(row)
        for key, row in (
            await sends.read(session, tenant_id, [u.callback for u in updates if u.callback is not None], lock=True)
        ).items()
    }
    by_wamid = {t.wamid: key for key, t in tracked.items() if t.wamid}
    missing = [u.change.external_id for u in updates if _find(u, tracked, by_wamid) is None]
    for wamid, row in (await sends.by_wamids(session, tenant_id, missing)).items():
        tracked.setdefault(row.key, Tracked.of(row))
        by_wamid[wamid] = row.key
    rows, unmatched = [], []
    for update in updates:
        target = _find(update, tracked, by_wamid)
        if target is None:
            unmatched.append(_orphan_row(tenant_id, update.change))
            continue
        event = advance(target, update.change)
        if event is not None:
            staged = outbox.row(update.envelope.model_copy(update={"data": event}))
            rows.append({**staged, "headers": update.headers})
    await sends.write(session, tenant_id, [u for t in tracked.values() if (u := t.update()) is not None])
    await orphans.keep(session, unmatched)
    await outbox.write(session, rows)
    return len(rows)


def advance(target: Tracked, change: MessageStatusChanged) -> MessageStatusChanged | None:
    """Move a send to ``change`` if that is forward; returns the event to publish (with our ids) or None."""
    if target.state in _NOT_YET_ACCEPTED:
        target.set(state=State.ACCEPTED.value, wamid=change.external_id, command=None)
    elif target.wamid is None:
        target.set(wamid=change.external_id)
    current = MessageStatus(target.status) if target.status else None
    if not status_advances(current, change.status):
        return None
    target.set(status=change.status.value, status_at=change.occurred_at)
    return with_ids(change, target.row)


def with_ids(change: MessageStatusChanged, row: Row) -> MessageStatusChanged:
    """A status event naming our send."""
    ids: dict[str, Any] = {"message_id" if row.lane == "outbound" else "dispatch_id": row.id}
    return change.model_copy(
        update={
            **ids,
            "channel_account_id": row.number_id or change.channel_account_id,
            "attempt": row.campaign_attempt if row.lane == "dispatch" else 1,
        }
    )


async def apply_orphans(
    session: AsyncSession, outbox: Outbox, tenant_id: uuid.UUID, targets: dict[str, Tracked]
) -> list[dict[str, Any]]:
    """Statuses that waited for these wamids, applied now; returns outbox rows (not yet written)."""
    waiting = await orphans.take(session, tenant_id, list(targets))
    rows = []
    for orphan in sorted(waiting, key=lambda o: (o.occurred_at, _rank(o.status))):
        target = targets[orphan.wamid]
        event = advance(target, orphan_change(orphan, target.row.number_id))
        if event is not None:
            rows.append(outbox.row(Envelope.wrap(event, tenant=tenant_id, source=SOURCE)))
    return rows


def orphan_change(orphan: Any, number_id: uuid.UUID | None) -> MessageStatusChanged:
    """The status event an orphan row stands for."""
    return MessageStatusChanged(
        channel=Channel.WHATSAPP_META,
        external_id=orphan.wamid,
        channel_account_id=number_id or orphan.number_id,
        status=MessageStatus(orphan.status),
        occurred_at=orphan.occurred_at,
        error=DeliveryError.model_validate(orphan.error) if orphan.error else None,
        recipient=orphan.recipient,
    )


def _find(update: StatusUpdate, tracked: dict[Key, Tracked], by_wamid: dict[str, Key]) -> Tracked | None:
    if update.callback is not None and update.callback in tracked:
        return tracked[update.callback]
    key = by_wamid.get(update.change.external_id)
    return tracked[key] if key is not None else None


def _orphan_row(tenant_id: uuid.UUID, change: MessageStatusChanged) -> dict[str, Any]:
    return {
        "tenant_id": tenant_id,
        "wamid": change.external_id,
        "status": change.status.value,
        "number_id": change.channel_account_id,
        "recipient": change.recipient,
        "occurred_at": change.occurred_at,
        "error": change.error.model_dump(mode="json") if change.error else None,
    }


def _rank(status: str) -> int:
    order = ["unknown", "accepted", "sent", "delivered", "read", "failed"]
    return order.index(status) if status in order else 0
