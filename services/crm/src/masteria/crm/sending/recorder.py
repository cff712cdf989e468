"""Recording sends others asked for in their threads, beside the adapter sending them: interactive sends (AI
replies, API sends: message.outbound) and campaign sends (campaign.dispatch, see ``dispatches``).

Sends made from the inbox are already stored under their message id, so they are skipped here: one
message per send whoever observes it. A send names its thread (``conversation_id``), or its number
(``channel_account_id``) which opens the thread if needed; without either it goes to the contact's
latest thread on the channel, and is not recorded when there is none (the number is unknown).
Outbound messages never count as unread and never reopen a thread; they move its last activity.
Every step is one set-based statement per batch: a 100k campaign arrives at about 1,000 a second.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from masteria.contracts.channels import Channel
from masteria.contracts.contacts import ContactCreated, ContactSource
from masteria.contracts.content import AnyContent
from masteria.contracts.conversations import ConversationOpened
from masteria.contracts.envelope import Envelope
from masteria.contracts.messages import MessageOrigin, SendMessage
from masteria.crm.contacts import repository as contacts_repo
from masteria.crm.delivery import repository as delivery_repo
from masteria.crm.delivery.service import apply_pending
from masteria.crm.events import wrap
from masteria.crm.inbox import bulk
from masteria.crm.inbox import repository as inbox_repo
from masteria.crm.sending.service import Campaign, outbound_row, stored_event
from masteria.crm.tables import processed_events
from masteria.messaging.consuming import Received
from masteria.messaging.dedup import claim_events
from masteria.messaging.outbox import Outbox
from masteria.observability.logging import get_logger

log = get_logger(__name__)
CONSUMER = "crm-outbound"
Placed = dict[uuid.UUID, tuple[uuid.UUID, uuid.UUID]]  # message id -> (thread, contact)


@dataclass(frozen=True)
class Observed:
    """A send command seen on a lane, as the inbox records it; ``origin`` is None for a campaign's."""

    message_id: uuid.UUID
    to: str
    channel: Channel
    content: AnyContent
    envelope: Envelope[Any]
    origin: MessageOrigin | None = None
    conversation_id: uuid.UUID | None = None
    channel_account_id: uuid.UUID | None = None
    author_user_id: uuid.UUID | None = None
    campaign: Campaign | None = None


async def record_sends(session: AsyncSession, outbox: Outbox, tenant_id: uuid.UUID, items: list[Received]) -> int:
    """Store one tenant's share of a batch of send commands; returns how many were new to crm."""
    fresh = await claim_events(session, processed_events, CONSUMER, tenant_id, [r.envelope.id for r in items])
    sends = [
        Observed(
            message_id=s.message_id,
            to=s.to,
            channel=s.channel,
            content=s.content,
            envelope=r.envelope,
            origin=s.origin,
            conversation_id=s.conversation_id,
            channel_account_id=s.channel_account_id,
            author_user_id=s.author_user_id,
        )
        for r in items
        if r.envelope.id in fresh and isinstance(s := r.envelope.data, SendMessage)
    ]
    return await record(session, outbox, tenant_id, sends)


async def record(session: AsyncSession, outbox: Outbox, tenant_id: uuid.UUID, sends: list[Observed]) -> int:
    """Store sends not stored yet in their threads, with their events; returns how many were stored."""
    known = await inbox_repo.existing_message_ids(session, [s.message_id for s in sends])
    # A send seen twice (a campaign's retry keeps its dispatch id) is recorded once, as first seen.
    sends = list({s.message_id: s for s in reversed(sends) if s.message_id not in known}.values())[::-1]
    if not sends:
        return 0
    contact_ids, new_contacts = await contacts_repo.ensure_contacts(session, tenant_id, {s.to: None for s in sends})
    threads, opened = await _threads(session, tenant_id, sends, contact_ids)
    placed = [(s, threads[s.message_id]) for s in sends if s.message_id in threads]
    if unplaced := [s.message_id for s in sends if s.message_id not in threads]:
        log.warning("sends not recorded: no thread for them", count=len(unplaced), first=str(unplaced[0]))
    rows = [_row(tenant_id, s, thread_id) for s, (thread_id, _) in placed]
    inserted = (await bulk.store_messages(session, rows, unread=False)).inserted
    events: list[Envelope[Any]] = []
    for (send, (thread_id, contact_id)), row in zip(placed, rows, strict=True):
        if row["id"] not in inserted:
            continue
        env = send.envelope
        if send.to in new_contacts:
            new_contacts.discard(send.to)
            created = ContactCreated(
                contact_id=contact_id, phone=send.to, source=ContactSource.API, created_at=env.time
            )
            events.append(wrap(created, tenant_id, env))
        if thread_id in opened:
            opened.discard(thread_id)
            thread_opened = ConversationOpened(
                conversation_id=thread_id,
                contact_id=contact_id,
                channel=send.channel,
                channel_account_id=send.channel_account_id,
                opened_at=env.time,
            )
            events.append(wrap(thread_opened, tenant_id, env))
        events.append(wrap(stored_event(row, contact_id, send.content.kind), tenant_id, env))
    await outbox.add_many(session, events)
    await apply_pending(session, outbox, tenant_id, sorted(inserted))
    await delivery_repo.drop_pending(session, unplaced)
    return len(inserted)


def _row(tenant_id: uuid.UUID, send: Observed, thread_id: uuid.UUID) -> dict[str, Any]:
    return outbound_row(
        tenant_id,
        send.message_id,
        thread_id,
        send.channel.value,
        send.content,
        origin=send.origin,
        author_user_id=send.author_user_id,
        at=send.envelope.time,
        campaign=send.campaign,
    )


async def _threads(
    session: AsyncSession, tenant_id: uuid.UUID, sends: list[Observed], contact_ids: dict[str, uuid.UUID]
) -> tuple[Placed, set[uuid.UUID]]:
    """(thread, contact) per send's message id, and the threads opened now."""
    named = {
        t.id: t
        for t in await inbox_repo.threads_by_ids(
            session, sorted({s.conversation_id for s in sends if s.conversation_id is not None})
        )
    }
    placed: Placed = {}
    wanted: dict[bulk.ThreadKey, datetime] = {}
    latest_wanted: set[tuple[uuid.UUID, str]] = set()
    for send in sends:
        contact_id = contact_ids[send.to]
        thread = named.get(send.conversation_id) if send.conversation_id is not None else None
        if thread is not None and thread.contact_id == contact_id and thread.channel == send.channel.value:
            placed[send.message_id] = (thread.id, contact_id)
        elif send.channel_account_id is not None:
            key = (contact_id, send.channel.value, send.channel_account_id)
            wanted[key] = min(wanted.get(key, send.envelope.time), send.envelope.time)
        else:
            latest_wanted.add((contact_id, send.channel.value))
    ids, opened_keys = await bulk.ensure_threads(session, tenant_id, wanted)
    latest = await bulk.latest_threads(session, sorted(latest_wanted))
    for send in sends:
        if send.message_id in placed:
            continue
        contact_id = contact_ids[send.to]
        if send.channel_account_id is not None:
            thread_id = ids.get((contact_id, send.channel.value, send.channel_account_id))
        else:
            thread_id = latest.get((contact_id, send.channel.value))
        if thread_id is not None:
            placed[send.message_id] = (thread_id, contact_id)
    return placed, {ids[k] for k in opened_keys}
