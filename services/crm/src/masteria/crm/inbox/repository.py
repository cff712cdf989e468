"""Every query of the inbox: bulk writes for the consumer, keyset pages for the API."""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Row, bindparam, case, func, or_, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from masteria.contracts.ids import uuid7
from masteria.crm.tables import Contact, Conversation, Message

conversations = Conversation.__table__
messages = Message.__table__
contacts = Contact.__table__
ThreadKey = tuple[uuid.UUID, str, uuid.UUID]  # contact, channel, channel account


async def ensure_conversations(
    session: AsyncSession, tenant_id: uuid.UUID, first_at: dict[ThreadKey, datetime]
) -> tuple[dict[ThreadKey, uuid.UUID], set[ThreadKey]]:
    """Ids of the threads, opening the missing ones; also the keys opened now."""
    if not first_at:
        return {}, set()
    rows = [
        {"id": uuid7(), "tenant_id": tenant_id, "contact_id": k[0], "channel": k[1], "channel_account_id": k[2],
         "last_message_at": at, "created_at": at}
        for k, at in first_at.items()
    ]
    cols = (conversations.c.id, conversations.c.contact_id, conversations.c.channel, conversations.c.channel_account_id)
    stmt = insert(conversations).on_conflict_do_nothing().returning(*cols)
    opened = {(r.contact_id, r.channel, r.channel_account_id): r.id for r in await session.execute(stmt, rows)}
    missing = [k for k in first_at if k not in opened]
    existing: dict[ThreadKey, uuid.UUID] = {}
    if missing:
        found = await session.execute(
            select(*cols).where(
                tuple_(conversations.c.contact_id, conversations.c.channel, conversations.c.channel_account_id).in_(
                    missing
                )
            )
        )
        existing = {(r.contact_id, r.channel, r.channel_account_id): r.id for r in found}
    return {**existing, **opened}, set(opened)


async def insert_messages(session: AsyncSession, rows: list[dict[str, Any]]) -> set[uuid.UUID]:
    """Insert messages; a provider id seen before is skipped. Returns the ids really inserted."""
    if not rows:
        return set()
    stmt = insert(messages).on_conflict_do_nothing().returning(messages.c.id)
    return set((await session.execute(stmt, rows)).scalars())


async def bump_conversations(session: AsyncSession, bumps: list[dict[str, Any]]) -> None:
    """Add unread messages and move each thread's last message forward (never backwards).

    Rows are updated in id order so that two consumers touching the same threads cannot deadlock.
    """
    if not bumps:
        return
    c = conversations.c
    newer = bindparam("b_at") >= c.last_message_at
    stmt = (
        update(conversations)
        .where(c.id == bindparam("b_id"))
        .values(
            unread_count=c.unread_count + bindparam("b_unread"),
            last_message_at=func.greatest(c.last_message_at, bindparam("b_at")),
            last_message_preview=case((newer, bindparam("b_preview")), else_=c.last_message_preview),
            status="open",
        )
    )
    connection = await session.connection()
    await connection.execute(stmt, sorted(bumps, key=lambda b: b["b_id"]))


async def conversation_page(
    session: AsyncSession,
    *,
    limit: int,
    after: tuple[datetime, uuid.UUID] | None,
    status: str | None,
    query: str | None = None,
) -> list[Row[Any]]:
    """Threads newest first, each with its contact; ``query`` matches name, number or last message."""
    c = conversations.c
    stmt = (
        select(conversations, contacts.c.phone.label("contact_phone"), contacts.c.name.label("contact_name"))
        .join(contacts, contacts.c.id == c.contact_id)
        .order_by(c.last_message_at.desc(), c.id.desc())
        .limit(limit)
    )
    if after is not None:
        stmt = stmt.where(tuple_(c.last_message_at, c.id) < tuple_(*after))
    if status is not None:
        stmt = stmt.where(c.status == status)
    if query:
        pattern = f"%{_escape_like(query)}%"
        # Only something typed like a phone number searches numbers: "100%" is text, not a phone.
        digits = "".join(ch for ch in query if ch.isdigit()) if _PHONE_LIKE.fullmatch(query) else ""
        matches = [contacts.c.name.ilike(pattern, escape="\\"), c.last_message_preview.ilike(pattern, escape="\\")]
        if digits:
            matches.append(contacts.c.phone.like(f"%{digits}%"))
        stmt = stmt.where(or_(*matches))
    return list((await session.execute(stmt)).all())


_PHONE_LIKE = re.compile(r"[\d\s()+.-]+")


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


async def conversation_by_id(session: AsyncSession, conversation_id: uuid.UUID) -> Row[Any] | None:
    """One thread with its contact, if the tenant has it."""
    c = conversations.c
    stmt = (
        select(conversations, contacts.c.phone.label("contact_phone"), contacts.c.name.label("contact_name"))
        .join(contacts, contacts.c.id == c.contact_id)
        .where(c.id == conversation_id)
    )
    return (await session.execute(stmt)).first()


async def message_page(
    session: AsyncSession, conversation_id: uuid.UUID, *, limit: int, before: tuple[datetime, uuid.UUID] | None
) -> list[Row[Any]]:
    """A thread's messages newest first; the next page goes further back in time."""
    m = messages.c
    stmt = select(messages).where(m.conversation_id == conversation_id).order_by(
        m.occurred_at.desc(), m.id.desc()
    ).limit(limit)
    if before is not None:
        stmt = stmt.where(tuple_(m.occurred_at, m.id) < tuple_(*before))
    return list((await session.execute(stmt)).all())
