"""Applying delivery statuses: a message only moves forward, whatever order or how often statuses arrive.

A status is matched to its message by our message id (the send command's), the dispatch id, or the
provider id. A later send attempt supersedes an earlier one's statuses; within an attempt
``status_advances`` decides. Each move is published as message.delivery_updated (the live ticks).
A status whose message is not recorded yet (crm records AI, API and campaign sends from other streams)
waits in ``pending_statuses`` under our id (message or dispatch id) and is applied when the send is
recorded; campaign messages are stored under their dispatch id, so their ticks work like any other's.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from masteria.contracts.channels import Channel
from masteria.contracts.conversations import MessageDeliveryUpdated
from masteria.contracts.envelope import Envelope
from masteria.contracts.ids import uuid7
from masteria.contracts.messages import MessageStatus, MessageStatusChanged, status_advances
from masteria.contracts.streams import CAMPAIGN_DISPATCH, MESSAGES_OUTBOUND
from masteria.crm.delivery import repository
from masteria.crm.events import wrap
from masteria.crm.tables import processed_events
from masteria.messaging.consuming import Received
from masteria.messaging.dedup import claim_events
from masteria.messaging.outbox import Outbox

CONSUMER = "crm-status"
# A send arrives within its stream's retention or never: a status still waiting after that is dropped.
PENDING_KEPT = max(MESSAGES_OUTBOUND.max_age, CAMPAIGN_DISPATCH.max_age)


@dataclass
class _State:
    """A message's delivery state while a batch is folded into it."""

    row: Row[Any]
    status: MessageStatus | None
    attempt: int
    external_id: str | None
    at: Any = None
    error: dict[str, Any] | None = None
    dirty: bool = False


async def record_statuses(session: AsyncSession, outbox: Outbox, tenant_id: uuid.UUID, items: list[Received]) -> int:
    """Apply one tenant's share of a batch; returns how many statuses moved a message."""
    fresh = await claim_events(session, processed_events, CONSUMER, tenant_id, [r.envelope.id for r in items])
    statuses = [
        (r.envelope.data, r.envelope)
        for r in items
        if r.envelope.id in fresh and isinstance(r.envelope.data, MessageStatusChanged)
    ]
    return await apply_statuses(session, outbox, tenant_id, statuses, keep_unmatched=True)


async def apply_statuses(
    session: AsyncSession,
    outbox: Outbox,
    tenant_id: uuid.UUID,
    statuses: Sequence[tuple[MessageStatusChanged, Envelope[Any] | None]],
    *,
    keep_unmatched: bool,
) -> int:
    """Fold statuses into their messages, save the moves and publish them."""
    if not statuses:
        return 0
    ids = sorted({i for s, _ in statuses if (i := _our_id(s)) is not None})
    externals = sorted({(s.channel.value, s.external_id) for s, _ in statuses if _our_id(s) is None})
    rows = await repository.messages_for_status(session, ids, externals)
    if keep_unmatched and (missing := sorted(set(ids) - {r.id for r in rows})):
        # The send may be being recorded right now by another consumer: take its lock (the recorder takes it
        # before applying what waits), then look again. Either we see the message, or it sees our waiting status.
        await repository.lock_sends(session, missing)
        rows += await repository.messages_for_status(session, missing, [])
    by_id = {r.id: r for r in rows}
    by_external = {(r.channel, r.external_id): r for r in rows if r.external_id}
    states: dict[uuid.UUID, _State] = {}
    events: list[Envelope[Any]] = []
    unmatched: list[dict[str, Any]] = []
    for status, cause in sorted(statuses, key=lambda s: (s[0].attempt, s[0].occurred_at)):
        our_id = _our_id(status)
        row = by_id.get(our_id) if our_id is not None else by_external.get((status.channel.value, status.external_id))
        if row is None:
            # A send or dispatch crm records from another stream may not be recorded yet: the status waits.
            if our_id is not None:
                unmatched.append(_pending_row(tenant_id, our_id, status))
            continue
        state = states.setdefault(row.id, _initial(row))
        if _advance(state, status):
            events.append(wrap(_delivery_updated(row, status), tenant_id, caused_by=cause))
    await repository.save_statuses(session, [_saved(s) for s in states.values() if s.dirty])
    if keep_unmatched and unmatched:
        await repository.drop_pending_before(session, datetime.now(UTC) - PENDING_KEPT)
        await repository.add_pending(session, unmatched)
    await outbox.add_many(session, events)
    return len(events)


async def apply_pending(
    session: AsyncSession, outbox: Outbox, tenant_id: uuid.UUID, message_ids: list[uuid.UUID]
) -> None:
    """Apply the statuses that arrived before these messages (just inserted) were recorded.

    The sends' locks are held until commit, so a status consumer that missed these messages waits for
    them and then finds them, or has committed its waiting statuses before we read them here.
    """
    if not message_ids:
        return
    await repository.lock_sends(session, message_ids)
    payloads = await repository.take_pending(session, message_ids)
    statuses = [(MessageStatusChanged.model_validate(p), None) for p in payloads]
    await apply_statuses(session, outbox, tenant_id, statuses, keep_unmatched=False)


def _our_id(status: MessageStatusChanged) -> uuid.UUID | None:
    return status.message_id or status.dispatch_id


def _initial(row: Row[Any]) -> _State:
    try:
        current: MessageStatus | None = MessageStatus(row.status)
    except ValueError:
        current = None  # "queued": crm stored it, no adapter has reported yet
    return _State(
        row=row,
        status=current,
        attempt=row.status_attempt or 0,
        external_id=row.external_id,
        at=row.status_at,
        error=row.error,
    )


def _advance(state: _State, status: MessageStatusChanged) -> bool:
    """Fold one status in; True when it moved the message."""
    if status.attempt < state.attempt:
        return False  # an earlier attempt's news: the message has moved on
    current = state.status if status.attempt == state.attempt else None  # a new attempt starts afresh
    if state.external_id is None:
        state.external_id, state.dirty = status.external_id, True
    if not status_advances(current, status.status):
        return False
    state.status, state.attempt, state.at, state.dirty = status.status, status.attempt, status.occurred_at, True
    state.error = status.error.model_dump(mode="json") if status.error is not None else None
    state.external_id = state.external_id or status.external_id
    return True


def _saved(state: _State) -> dict[str, Any]:
    row = state.row
    return {
        "s_id": row.id,
        "s_status": state.status.value if state.status else row.status,
        "s_at": state.at,
        "s_error": state.error,
        "s_external_id": state.external_id,
        "s_attempt": state.attempt or None,
    }


def _delivery_updated(row: Row[Any], status: MessageStatusChanged) -> MessageDeliveryUpdated:
    return MessageDeliveryUpdated(
        conversation_id=row.conversation_id,
        message_id=row.id,
        contact_id=row.contact_id,
        channel=Channel(row.channel),
        external_id=status.external_id,
        status=status.status,
        error=status.error,
        occurred_at=status.occurred_at,
    )


def _pending_row(tenant_id: uuid.UUID, our_id: uuid.UUID, status: MessageStatusChanged) -> dict[str, Any]:
    return {
        "id": uuid7(),
        "tenant_id": tenant_id,
        "message_id": our_id,
        "payload": status.model_dump(mode="json"),
    }
