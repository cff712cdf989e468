"""Queries of the inbox: keyset pages and single rows for the API (the consumers' bulk writes are in bulk.py)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Row,
    Uuid,
    any_,
    bindparam,
    delete,
    exists,
    func,
    or_,
    select,
    tuple_,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from masteria.crm.rows import all_rows, first_row
from masteria.crm.search import like_pattern, phone_digits
from masteria.crm.tables import Contact, Conversation, Message

conversations = Conversation.__table__
messages = Message.__table__
contacts = Contact.__table__
_WITH_CONTACT = (
    contacts.c.phone.label("contact_phone"),
    contacts.c.name.label("contact_name"),
    contacts.c.consent.label("contact_consent"),
    contacts.c.last_inbound_at.label("contact_last_inbound_at"),
)


@dataclass(frozen=True)
class ConversationFilters:
    """What the inbox list filters on; ``unassigned`` and ``assignee`` exclude each other."""

    status: str | None = None
    query: str | None = None
    channel: str | None = None
    assignee: uuid.UUID | None = None
    unassigned: bool = False
    contact_id: uuid.UUID | None = None


def _filter_clauses(f: ConversationFilters) -> list[ColumnElement[bool]]:
    c = conversations.c
    clauses: list[ColumnElement[bool]] = []
    if f.status is not None:
        clauses.append(c.status == f.status)
    if f.channel is not None:
        clauses.append(c.channel == f.channel)
    if f.unassigned:
        clauses.append(c.assignee_user_id.is_(None))
    elif f.assignee is not None:
        clauses.append(c.assignee_user_id == f.assignee)
    if f.contact_id is not None:
        clauses.append(c.contact_id == f.contact_id)
    if f.query:
        pattern = like_pattern(f.query)
        m = messages.c
        matches = [
            contacts.c.name.ilike(pattern, escape="\\"),
            # Any message of the thread, not only the last: trigram-indexed (ix_messages_search_trgm).
            exists().where(m.conversation_id == c.id, m.search_text.ilike(pattern, escape="\\")),
        ]
        if digits := phone_digits(f.query):
            matches.append(contacts.c.phone.like(f"%{digits}%"))
        clauses.append(or_(*matches))
    return clauses


async def conversation_page(
    session: AsyncSession, f: ConversationFilters, *, limit: int, after: tuple[datetime, uuid.UUID] | None
) -> list[Row[Any]]:
    """Threads newest first, each with its contact, filtered."""
    c = conversations.c
    stmt = (
        select(conversations, *_WITH_CONTACT)
        .join(contacts, contacts.c.id == c.contact_id)
        .where(*_filter_clauses(f))
        .order_by(c.last_message_at.desc(), c.id.desc())
        .limit(limit)
    )
    if after is not None:
        stmt = stmt.where(tuple_(c.last_message_at, c.id) < tuple_(*after))
    return all_rows(await session.execute(stmt))


async def conversation_by_id(
    session: AsyncSession, conversation_id: uuid.UUID, *, lock: bool = False
) -> Row[Any] | None:
    """One thread with its contact, if the tenant has it; ``lock`` holds the thread row."""
    c = conversations.c
    stmt = (
        select(conversations, *_WITH_CONTACT)
        .join(contacts, contacts.c.id == c.contact_id)
        .where(c.id == conversation_id)
    )
    if lock:
        stmt = stmt.with_for_update(of=conversations)
    return first_row(await session.execute(stmt))


async def update_conversation(session: AsyncSession, conversation_id: uuid.UUID, values: dict[str, Any]) -> None:
    """Apply ``values`` to one thread (and touch its updated_at)."""
    stmt = update(conversations).where(conversations.c.id == conversation_id).values(**values, updated_at=func.now())
    await session.execute(stmt)


async def conversations_of_contacts(session: AsyncSession, contact_ids: list[uuid.UUID]) -> list[Row[Any]]:
    """Every thread of these contacts, locked, in id order."""
    stmt = (
        select(conversations)
        .where(conversations.c.contact_id.in_(contact_ids))
        .order_by(conversations.c.id)
        .with_for_update()
    )
    return all_rows(await session.execute(stmt))


async def message_page(
    session: AsyncSession, conversation_ids: list[uuid.UUID], *, limit: int, before: tuple[datetime, uuid.UUID] | None
) -> list[Row[Any]]:
    """Messages of these threads newest first; the next page goes further back in time."""
    m = messages.c
    stmt = (
        select(messages)
        .where(m.conversation_id.in_(conversation_ids))
        .order_by(m.occurred_at.desc(), m.id.desc())
        .limit(limit)
    )
    if before is not None:
        stmt = stmt.where(tuple_(m.occurred_at, m.id) < tuple_(*before))
    return all_rows(await session.execute(stmt))


async def conversation_ids_of_contact(session: AsyncSession, contact_id: uuid.UUID) -> list[uuid.UUID]:
    """The ids of a contact's threads."""
    stmt = select(conversations.c.id).where(conversations.c.contact_id == contact_id)
    return list((await session.execute(stmt)).scalars())


async def threads_by_ids(session: AsyncSession, ids: list[uuid.UUID]) -> list[Row[Any]]:
    """Thread rows (without their contact), in id order."""
    if not ids:
        return []
    stmt = select(conversations).where(conversations.c.id.in_(ids)).order_by(conversations.c.id)
    return all_rows(await session.execute(stmt))


async def message_by_id(session: AsyncSession, message_id: uuid.UUID) -> Row[Any] | None:
    """One message, if the tenant has it."""
    return first_row(await session.execute(select(messages).where(messages.c.id == message_id)))


async def existing_message_ids(session: AsyncSession, ids: list[uuid.UUID]) -> set[uuid.UUID]:
    """Which of these message ids are stored already."""
    if not ids:
        return set()
    # One array parameter, not an IN list: the statement text is the same whatever the batch size.
    wanted = any_(bindparam("ids", ids, type_=ARRAY(Uuid())))
    return set((await session.execute(select(messages.c.id).where(messages.c.id == wanted))).scalars())


async def move_messages(session: AsyncSession, from_ids: list[uuid.UUID], to_id: uuid.UUID) -> None:
    """Re-home the messages of merged threads."""
    await session.execute(
        update(messages).where(messages.c.conversation_id.in_(from_ids)).values(conversation_id=to_id)
    )


async def reassign_threads(session: AsyncSession, ids: list[uuid.UUID], contact_id: uuid.UUID) -> None:
    """Give threads to another contact (merges)."""
    if ids:
        await session.execute(update(conversations).where(conversations.c.id.in_(ids)).values(contact_id=contact_id))


async def delete_threads(session: AsyncSession, ids: list[uuid.UUID]) -> None:
    """Delete emptied threads (their messages and notes were moved first)."""
    if ids:
        await session.execute(delete(conversations).where(conversations.c.id.in_(ids)))
