"""Merging duplicates: threads, messages, notes, tags, fields, consent and windows move to the kept contact.

Two threads on the same channel account become one (messages and notes move, unread counts add up);
the others change owner. Details the kept contact lacks are taken from the duplicates, in the order
given; per channel the most recent consent decision wins and the latest inbound time is kept.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from masteria.contracts.contacts import ContactsMerged, ContactUpdated
from masteria.contracts.envelope import Envelope
from masteria.crm.contacts import fields, repository
from masteria.crm.contacts.fields import FieldError
from masteria.crm.contacts.service import TRACKED, ContactNotFoundError, state
from masteria.crm.events import wrap
from masteria.crm.inbox import repository as inbox_repo
from masteria.crm.inbox.events import conversation_updated
from masteria.crm.notes import repository as notes_repo
from masteria.messaging.outbox import Outbox


async def merge_contacts(
    session: AsyncSession, outbox: Outbox, tenant_id: uuid.UUID, keep_id: uuid.UUID, duplicate_ids: list[uuid.UUID]
) -> Row[Any]:
    """Fold the duplicates into ``keep_id`` and delete them; returns the kept contact after."""
    duplicates = list(dict.fromkeys(duplicate_ids))
    if keep_id in duplicates:
        raise FieldError("contact_ids", "a contact cannot be merged into itself")
    found = {r.id: r for r in await repository.contacts_by_ids(session, sorted([keep_id, *duplicates]), lock=True)}
    if keep_id not in found:
        raise ContactNotFoundError(keep_id)
    if missing := [str(d) for d in duplicates if d not in found]:
        raise FieldError("contact_ids", f"no such contact: {', '.join(missing)}")
    keep, others = found[keep_id], [found[d] for d in duplicates]
    events: list[Envelope[Any]] = await _merge_threads(session, tenant_id, keep_id, duplicates)
    await repository.delete_contacts(session, duplicates)
    values = _merged_values(keep, others)
    changed = [k for k in TRACKED if k in values and values[k] != _current(keep, k)]
    now = datetime.now(UTC)
    row = await repository.update_contact(session, keep_id, {**values, "updated_at": now})
    events.append(wrap(ContactsMerged(contact_id=keep_id, merged_contact_ids=duplicates, occurred_at=now), tenant_id))
    if changed:
        events.append(wrap(ContactUpdated(**state(row), changed=changed, updated_at=now), tenant_id))
    await outbox.add_many(session, events)
    return row


async def _merge_threads(
    session: AsyncSession, tenant_id: uuid.UUID, keep_id: uuid.UUID, duplicate_ids: list[uuid.UUID]
) -> list[Envelope[Any]]:
    threads = await inbox_repo.conversations_of_contacts(session, [keep_id, *duplicate_ids])
    by_account: dict[tuple[str, uuid.UUID], Row[Any]] = {
        (t.channel, t.channel_account_id): t for t in threads if t.contact_id == keep_id
    }
    moved, touched = [], set()
    for thread in (t for t in threads if t.contact_id != keep_id):
        target = by_account.get((thread.channel, thread.channel_account_id))
        if target is None:
            by_account[(thread.channel, thread.channel_account_id)] = thread
            moved.append(thread.id)
            touched.add(thread.id)
            continue
        await _fold(session, thread, target)
        touched.add(target.id)
    await inbox_repo.reassign_threads(session, moved, keep_id)
    return [wrap(conversation_updated(t), tenant_id) for t in await inbox_repo.threads_by_ids(session, sorted(touched))]


async def _fold(session: AsyncSession, thread: Row[Any], into: Row[Any]) -> None:
    """One thread into another on the same number: messages and notes move, counters combine."""
    await inbox_repo.move_messages(session, [thread.id], into.id)
    await notes_repo.move_notes(session, [thread.id], into.id)
    await inbox_repo.delete_threads(session, [thread.id])
    newer = thread.last_message_at > into.last_message_at
    await inbox_repo.update_conversation(
        session,
        into.id,
        {
            "unread_count": into.unread_count + thread.unread_count,
            "last_message_at": max(into.last_message_at, thread.last_message_at),
            "last_message_preview": thread.last_message_preview if newer else into.last_message_preview,
            "status": "open" if "open" in (into.status, thread.status) else into.status,
            "assignee_user_id": into.assignee_user_id or thread.assignee_user_id,
        },
    )


def _merged_values(keep: Row[Any], others: list[Row[Any]]) -> dict[str, Any]:
    everyone = [keep, *others]
    custom: dict[str, str] = {}
    for contact in reversed(everyone):  # the kept contact's values win, then the first duplicates'
        custom.update(contact.custom_fields or {})
    tags = list(dict.fromkeys(t for c in everyone for t in (c.tags or [])))[: fields.MAX_TAGS]
    consent: dict[str, Any] = {}
    windows: dict[str, str] = {}
    for contact in everyone:
        for channel, entry in (contact.consent or {}).items():
            if channel not in consent or _at(entry["changed_at"]) > _at(consent[channel]["changed_at"]):
                consent[channel] = entry
        for channel, at in (contact.last_inbound_at or {}).items():
            if channel not in windows or _at(at) > _at(windows[channel]):
                windows[channel] = at
    return {
        "name": next((c.name for c in everyone if c.name), None),
        "email": next((c.email for c in everyone if c.email), None),
        "tags": tags,
        "custom_fields": custom,
        "consent": consent,
        "last_inbound_at": windows,
    }


def _at(value: str) -> datetime:
    return datetime.fromisoformat(value)


def _current(row: Row[Any], key: str) -> Any:
    value = getattr(row, key)
    return list(value or []) if key == "tags" else dict(value or {}) if key == "custom_fields" else value
