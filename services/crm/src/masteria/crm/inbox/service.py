"""Recording inbound messages: contact on first contact, thread, message, service window, consent, events,
all in one unit."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from masteria.contracts.contacts import ContactCreated, ContactSource, OptOutReason
from masteria.contracts.content import preview as preview_of
from masteria.contracts.conversations import ConversationOpened, Direction, MessageStored
from masteria.contracts.ids import uuid7
from masteria.contracts.messages import ConsentAction, InboundMessage
from masteria.crm.contacts import repository as contacts_repo
from masteria.crm.contacts.consent import change_consent
from masteria.crm.contacts.phones import InvalidPhoneNumber, to_e164
from masteria.crm.events import SOURCE, wrap
from masteria.crm.inbox import bulk
from masteria.crm.inbox.arrivals import SenderThread, arrive
from masteria.crm.inbox.events import conversation_updated
from masteria.crm.tables import processed_events
from masteria.messaging.consuming import Received, consume_span
from masteria.messaging.dedup import claim_events
from masteria.messaging.outbox import Outbox
from masteria.observability.logging import get_logger

log = get_logger(__name__)
CONSUMER = "crm-inbound"
__all__ = ["CONSUMER", "SOURCE", "record_inbound"]


@dataclass(frozen=True)
class _Incoming:
    """An inbound message with the fields the inbox needs, normalised."""

    received: Received
    message: InboundMessage
    phone: str


async def record_inbound(
    session: AsyncSession, outbox: Outbox, tenant_id: uuid.UUID, items: list[Received], default_region: str
) -> int:
    """Store one tenant's share of a batch; returns how many messages were new.

    Three set-based statements per batch whatever its size (senders and their threads; messages and thread
    counters; the events), beside the event claim: each round trip costs, the more so on a busy machine.
    """
    fresh = await claim_events(session, processed_events, CONSUMER, tenant_id, [r.envelope.id for r in items])
    incoming = [i for r in items if r.envelope.id in fresh and (i := _normalise(r, default_region))]
    if not incoming:
        return 0
    first_at: dict[SenderThread, datetime] = {}
    for i in incoming:
        key = (i.phone, i.message.channel.value, i.message.channel_account_id)
        first_at[key] = min(first_at.get(key, i.message.sent_at), i.message.sent_at)
    names = {i.phone: i.message.sender.display_name for i in incoming}
    arrived = await arrive(session, tenant_id, names, _latest_inbound(incoming), first_at)
    contact_ids, thread_ids = arrived.contact_ids, arrived.thread_ids
    rows = [_message_row(i, tenant_id, thread_ids[_thread_key(i, contact_ids)]) for i in incoming]
    result = await bulk.store_messages(session, rows, unread=True)
    stored = [(i, row) for i, row in zip(incoming, rows, strict=True) if row["id"] in result.inserted]
    if not stored:
        return 0
    await _apply_consent_keywords(session, outbox, tenant_id, stored, contact_ids)
    events = _events(
        outbox,
        tenant_id,
        stored=stored,
        contact_ids=contact_ids,
        new_contacts=arrived.new_contacts,
        thread_ids=thread_ids,
        new_threads=arrived.new_threads,
    )
    # A reply reopens a resolved (or pending) thread: the inbox hears it like any other status change.
    events += [outbox.row(wrap(conversation_updated(t), tenant_id)) for t in result.reopened()]
    await outbox.write(session, events)
    return len(stored)


def _normalise(received: Received, default_region: str) -> _Incoming | None:
    message = received.envelope.data
    if not isinstance(message, InboundMessage):
        return None
    try:
        phone = to_e164(message.sender.address, default_region)
    except InvalidPhoneNumber:
        log.warning("inbound message from an invalid number skipped", external_id=message.external_id)
        return None
    return _Incoming(received, message, phone)


def _thread_key(i: _Incoming, contact_ids: dict[str, uuid.UUID]) -> bulk.ThreadKey:
    return (contact_ids[i.phone], i.message.channel.value, i.message.channel_account_id)


def _message_row(i: _Incoming, tenant_id: uuid.UUID, conversation_id: uuid.UUID) -> dict[str, Any]:
    return {
        "id": uuid7(),
        "tenant_id": tenant_id,
        "conversation_id": conversation_id,
        "direction": Direction.INBOUND.value,
        "channel": i.message.channel.value,
        "external_id": i.message.external_id,
        "content": i.message.content.model_dump(mode="json"),
        "preview": preview_of(i.message.content),
        "sender_name": i.message.sender.display_name,
        "occurred_at": i.message.sent_at,
        "created_at": datetime.now(UTC),
    }


def _latest_inbound(incoming: list[_Incoming]) -> dict[str, dict[str, datetime]]:
    """Per sender and channel, when they last wrote: the service window moves there."""
    latest: dict[str, dict[str, datetime]] = {}
    for i in incoming:
        channels = latest.setdefault(i.phone, {})
        channel = i.message.channel.value
        channels[channel] = max(channels.get(channel, i.message.sent_at), i.message.sent_at)
    return latest


async def _apply_consent_keywords(
    session: AsyncSession,
    outbox: Outbox,
    tenant_id: uuid.UUID,
    stored: list[tuple[_Incoming, dict[str, Any]]],
    contact_ids: dict[str, uuid.UUID],
) -> None:
    """STOP/START recognised by the adapter change the contact's consent on that channel, in message order."""
    keywords = sorted((i for i, _ in stored if i.message.consent is not None), key=lambda i: i.message.sent_at)
    if not keywords:
        return
    rows = await contacts_repo.contacts_by_ids(session, sorted({contact_ids[i.phone] for i in keywords}), lock=True)
    contacts = {r.id: r for r in rows}
    for i in keywords:
        consent = i.message.consent
        assert consent is not None  # filtered above; mypy cannot follow it through the sort
        contact_id = contact_ids[i.phone]
        with consume_span(CONSUMER, i.received):
            changed = await change_consent(
                session,
                outbox,
                tenant_id,
                contacts[contact_id],
                i.message.channel,
                allowed=consent.action is ConsentAction.OPT_IN,
                reason=OptOutReason.KEYWORD,
                keyword=consent.keyword,
                at=i.message.sent_at,
                caused_by=i.received.envelope,
            )
        if changed is not None:
            contacts[contact_id] = changed


def _events(
    outbox: Outbox,
    tenant_id: uuid.UUID,
    *,
    stored: list[tuple[_Incoming, dict[str, Any]]],
    contact_ids: dict[str, uuid.UUID],
    new_contacts: set[str],
    thread_ids: dict[bulk.ThreadKey, uuid.UUID],
    new_threads: set[bulk.ThreadKey],
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    announced: set[object] = set()
    for i, row in stored:
        cause = i.received.envelope
        contact_id, key = contact_ids[i.phone], _thread_key(i, contact_ids)
        # Each event is staged inside the message's span, so its trace continues downstream.
        with consume_span(CONSUMER, i.received):
            payloads: list[Any] = []
            if i.phone in new_contacts and i.phone not in announced:
                announced.add(i.phone)
                payloads.append(
                    ContactCreated(
                        contact_id=contact_id,
                        phone=i.phone,
                        name=i.message.sender.display_name,
                        source=ContactSource.INBOUND,
                        created_at=row["created_at"],
                    )
                )
            if key in new_threads and key not in announced:
                announced.add(key)
                payloads.append(
                    ConversationOpened(
                        conversation_id=thread_ids[key],
                        contact_id=contact_id,
                        channel=i.message.channel,
                        channel_account_id=i.message.channel_account_id,
                        opened_at=row["occurred_at"],
                    )
                )
            payloads.append(
                MessageStored(
                    conversation_id=row["conversation_id"],
                    message_id=row["id"],
                    contact_id=contact_id,
                    direction=Direction.INBOUND,
                    channel=i.message.channel,
                    external_id=i.message.external_id,
                    content_kind=i.message.content.kind,
                    preview=row["preview"][:280],
                    occurred_at=row["occurred_at"],
                )
            )
            rows.extend(outbox.row(wrap(p, tenant_id, caused_by=cause)) for p in payloads)
    return rows
