"""Status events of sends: built from a send's row, published only when they move it forward."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from masteria.contracts.channels import Channel
from masteria.contracts.envelope import Envelope
from masteria.contracts.messages import DeliveryError, MessageStatus, MessageStatusChanged, status_advances
from masteria.messaging.outbox import Outbox
from masteria.sms.errors import delivery_error
from masteria.sms.sending import repository
from masteria.sms.tables import Send
from masteria.sms.webhooks.normalize import TWILIO_STATUSES

SOURCE = "masteria/sms"
_RANK = {s: i for i, s in enumerate(MessageStatus)}


class Callback(Protocol):
    """What a status callback tells (a StatusReceipt row has these fields)."""

    status: str
    error_code: str | None
    segments: int | None
    received_at: datetime


def status_event(
    send: Send, status: MessageStatus, at: datetime, *, error: DeliveryError | None = None, segments: int | None = None
) -> MessageStatusChanged:
    """The event for ``send`` (mapped back to our message or dispatch id) at ``status``."""
    return MessageStatusChanged(
        channel=Channel.SMS,
        message_id=send.command_id if send.lane == "message" else None,
        dispatch_id=send.command_id if send.lane == "dispatch" else None,
        # Before Twilio gave a MessageSid (a refusal decided here), our own id stands in for it.
        external_id=send.sid or str(send.command_id),
        channel_account_id=send.sender_id,
        status=status,
        occurred_at=at,
        error=error,
        recipient=send.recipient,
        segments=segments or send.segments,
        attempt=send.attempt,
    )


async def publish(session: AsyncSession, outbox: Outbox, send: Send, event: MessageStatusChanged) -> None:
    """Record the status on the row and stage the event in the same transaction."""
    send.status = event.status.value
    await outbox.add(session, Envelope.wrap(event, tenant=send.tenant_id, source=SOURCE))


async def apply_callbacks(session: AsyncSession, outbox: Outbox, send: Send, callbacks: Sequence[Callback]) -> int:
    """Apply callbacks in status order (so a late "sent" before "delivered" still counts); the ones published."""
    published = 0
    ordered = sorted(callbacks, key=lambda c: _RANK.get(TWILIO_STATUSES.get(c.status, MessageStatus.UNKNOWN), 0))
    for callback in ordered:
        new = TWILIO_STATUSES.get(callback.status)
        current = MessageStatus(send.status) if send.status else None
        if new is None or not status_advances(current, new):
            continue
        if callback.segments:
            send.segments = callback.segments
        error = delivery_error(callback.error_code) if new is MessageStatus.FAILED else None
        await publish(session, outbox, send, status_event(send, new, callback.received_at, error=error))
        published += 1
    await repository.mark_applied(session, send.sid or "", [c.status for c in callbacks])
    return published
