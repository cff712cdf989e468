"""Every query of delivery statuses."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ARRAY, ColumnElement, Row, Uuid, any_, bindparam, delete, or_, select, text, tuple_, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from masteria.crm.rows import all_rows
from masteria.crm.tables import Conversation, Message, PendingStatus

messages = Message.__table__
conversations = Conversation.__table__
pending = PendingStatus.__table__


async def messages_for_status(
    session: AsyncSession, ids: list[uuid.UUID], externals: list[tuple[str, str]]
) -> list[Row[Any]]:
    """Outbound messages by id or by (channel, provider id), with their thread's contact, locked in id order."""
    m = messages.c
    matches = []
    if ids:
        matches.append(m.id.in_(ids))
    if externals:
        matches.append(tuple_(m.channel, m.external_id).in_(externals))
    if not matches:
        return []
    stmt = (
        select(
            m.id,
            m.conversation_id,
            m.channel,
            m.external_id,
            m.status,
            m.status_at,
            m.error,
            m.status_attempt,
            conversations.c.contact_id,
        )
        .join(conversations, conversations.c.id == m.conversation_id)
        .where(m.direction == "outbound", or_(*matches))
        .order_by(m.id)
        .with_for_update(of=messages)
    )
    return all_rows(await session.execute(stmt))


# One transaction-scoped advisory lock per send (our message or dispatch id), taken in key order so that two
# transactions locking overlapping sets cannot deadlock. The seed keeps these keys apart from other locks.
_LOCK_SENDS = text("""
SELECT count(pg_advisory_xact_lock(k.key)) FROM (
    SELECT DISTINCT hashtextextended(CAST(i AS text), 4242) AS key FROM unnest(CAST(:ids AS uuid[])) AS i
    ORDER BY 1
) AS k
""")


async def lock_sends(session: AsyncSession, ids: list[uuid.UUID]) -> None:
    """Serialise recording these sends with waiting statuses for them (held until the transaction ends)."""
    if ids:
        await session.execute(_LOCK_SENDS, {"ids": ids})


async def save_statuses(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """Store each message's new status, error, provider id and attempt."""
    if not rows:
        return
    stmt = (
        update(messages)
        .where(messages.c.id == bindparam("s_id"))
        .values(
            status=bindparam("s_status"),
            status_at=bindparam("s_at"),
            error=bindparam("s_error"),
            external_id=bindparam("s_external_id"),
            status_attempt=bindparam("s_attempt"),
        )
    )
    connection = await session.connection()
    await connection.execute(stmt, rows)


async def add_pending(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """Keep statuses whose message is not recorded yet."""
    if rows:
        await session.execute(insert(pending), rows)


async def take_pending(session: AsyncSession, message_ids: list[uuid.UUID]) -> list[dict[str, Any]]:
    """Remove and return the statuses waiting for these messages."""
    if not message_ids:
        return []
    stmt = delete(pending).where(pending.c.message_id == _any_of(message_ids)).returning(pending.c.payload)
    return list((await session.execute(stmt)).scalars())


async def drop_pending(session: AsyncSession, message_ids: list[uuid.UUID]) -> None:
    """Forget statuses of sends crm will never record."""
    if message_ids:
        await session.execute(delete(pending).where(pending.c.message_id == _any_of(message_ids)))


async def drop_pending_before(session: AsyncSession, before: datetime) -> None:
    """Forget statuses that waited since before ``before`` for a send that never came."""
    await session.execute(delete(pending).where(pending.c.received_at < before))


def _any_of(ids: list[uuid.UUID]) -> ColumnElement[Any]:
    # One array parameter, not an IN list: the statement text is the same whatever the batch size.
    return any_(bindparam("ids", ids, type_=ARRAY(Uuid())))
