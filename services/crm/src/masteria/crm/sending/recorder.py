"""Recording sends others asked for (AI replies, API sends) in their threads, beside the adapter sending them.

Sends made from the inbox are already stored under their message id, so they are skipped here: one
message per send whoever observes it. A send names its thread (``conversation_id``), or its number
(``channel_account_id``) which opens the thread if needed; without either it goes to the contact's
latest thread on the channel, and is not recorded when there is none (the number is unknown).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from masteria.contracts.contacts import ContactCreated, ContactSource
from masteria.contracts.conversations import ConversationOpened
from masteria.contracts.envelope import Envelope
from masteria.contracts.messages import SendMessage
from masteria.crm.contacts import repository as contacts_repo
from masteria.crm.delivery import repository as delivery_repo
from masteria.crm.delivery.service import apply_pending
from masteria.crm.events import wrap
from masteria.crm.inbox import repository as inbox_repo
from masteria.crm.sending.service import outbound_row, stored_event
from masteria.crm.tables import processed_events
from masteria.messaging.consuming import Received
from masteria.messaging.dedup import claim_events
from masteria.messaging.outbox import Outbox
from masteria.observability.logging import get_logger

log = get_logger(__name__)
CONSUMER = "crm-outbound"
_Send = tuple[SendMessage, Envelope[Any]]


async def record_sends(session: AsyncSession, outbox: Outbox, tenant_id: uuid.UUID, items: list[Received]) -> int:
    """Store one tenant's share of a batch of send commands; returns how many were new to crm."""
    fresh = await claim_events(session, processed_events, CONSUMER, tenant_id, [r.envelope.id for r in items])
    sends = [
        (r.envelope.data, r.envelope)
        for r in items
        if r.envelope.id in fresh and isinstance(r.envelope.data, SendMessage)
    ]
    known = await inbox_repo.existing_message_ids(session, [s.message_id for s, _ in sends])
    sends = [(s, env) for s, env in sends if s.message_id not in known]
    if not sends:
        return 0
    contact_ids, new_contacts = await contacts_repo.ensure_contacts(session, tenant_id, {s.to: None for s, _ in sends})
    threads, opened = await _threads(session, tenant_id, sends, contact_ids)
    rows: list[dict[str, Any]] = []
    events: list[Envelope[Any]] = []
    placed = []
    for send, env in sends:
        thread = threads.get(send.message_id)
        if thread is None:
            log.warning("send not recorded: no thread for it", message_id=str(send.message_id))
            continue
        rows.append(
            outbound_row(
                tenant_id,
                send.message_id,
                thread[0],
                send.channel.value,
                send.content,
                origin=send.origin,
                author_user_id=send.author_user_id,
                at=env.time,
            )
        )
        placed.append((send, env, thread))
    inserted = await inbox_repo.insert_messages(session, rows)
    for (send, env, (thread_id, contact_id)), row in zip(placed, rows, strict=True):
        if row["id"] not in inserted:
            continue
        if send.to in new_contacts:
            new_contacts.discard(send.to)
            events.append(
                wrap(
                    ContactCreated(contact_id=contact_id, phone=send.to, source=ContactSource.API, created_at=env.time),
                    tenant_id,
                    env,
                )
            )
        if thread_id in opened:
            opened.discard(thread_id)
            events.append(
                wrap(
                    ConversationOpened(
                        conversation_id=thread_id,
                        contact_id=contact_id,
                        channel=send.channel,
                        channel_account_id=send.channel_account_id,
                        opened_at=env.time,
                    ),
                    tenant_id,
                    env,
                )
            )
        events.append(wrap(stored_event(row, contact_id, send.origin, send.content.kind), tenant_id, env))
    await inbox_repo.bump_conversations(session, _bumps([r for r in rows if r["id"] in inserted]), reopen=False)
    await outbox.add_many(session, events)
    await apply_pending(session, outbox, tenant_id, sorted(inserted))
    await delivery_repo.drop_pending(session, [s.message_id for s, _ in sends if s.message_id not in threads])
    return len(inserted)


async def _threads(
    session: AsyncSession, tenant_id: uuid.UUID, sends: list[_Send], contact_ids: dict[str, uuid.UUID]
) -> tuple[dict[uuid.UUID, tuple[uuid.UUID, uuid.UUID]], set[uuid.UUID]]:
    """(thread, contact) per send's message id, and the threads opened now."""
    named = {
        t.id: t
        for t in await inbox_repo.threads_by_ids(
            session, sorted({s.conversation_id for s, _ in sends if s.conversation_id is not None})
        )
    }
    placed: dict[uuid.UUID, tuple[uuid.UUID, uuid.UUID]] = {}
    wanted: dict[inbox_repo.ThreadKey, datetime] = {}
    for send, env in sends:
        contact_id = contact_ids[send.to]
        thread = named.get(send.conversation_id) if send.conversation_id is not None else None
        if thread is not None and thread.contact_id == contact_id and thread.channel == send.channel.value:
            placed[send.message_id] = (thread.id, contact_id)
        elif send.channel_account_id is not None:
            key = (contact_id, send.channel.value, send.channel_account_id)
            wanted[key] = min(wanted.get(key, env.time), env.time)
        elif (latest := await inbox_repo.latest_conversation(session, contact_id, send.channel.value)) is not None:
            placed[send.message_id] = (latest.id, contact_id)
    ids, opened_keys = await inbox_repo.ensure_conversations(session, tenant_id, wanted)
    for send, _ in sends:
        if send.message_id in placed or send.channel_account_id is None:
            continue
        key = (contact_ids[send.to], send.channel.value, send.channel_account_id)
        if key in ids:
            placed[send.message_id] = (ids[key], key[0])
    return placed, {ids[k] for k in opened_keys}


def _bumps(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    per_thread: dict[uuid.UUID, dict[str, Any]] = {}
    for row in sorted(rows, key=lambda r: r["occurred_at"]):
        per_thread[row["conversation_id"]] = {
            "b_id": row["conversation_id"],
            "b_unread": 0,
            "b_at": row["occurred_at"],
            "b_preview": row["preview"],
        }
    return list(per_thread.values())
