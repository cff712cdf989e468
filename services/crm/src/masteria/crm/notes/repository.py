"""Every query of notes."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Row, insert, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from masteria.crm.rows import all_rows
from masteria.crm.tables import ConversationNote

notes = ConversationNote.__table__


async def insert_note(session: AsyncSession, values: dict[str, Any]) -> Row[Any]:
    """Insert a note and return it."""
    return (await session.execute(insert(notes).values(**values).returning(*notes.c))).one()


async def note_page(
    session: AsyncSession, conversation_ids: list[uuid.UUID], *, limit: int, before: tuple[datetime, uuid.UUID] | None
) -> list[Row[Any]]:
    """Notes of these threads, newest first."""
    n = notes.c
    stmt = (
        select(notes)
        .where(n.conversation_id.in_(conversation_ids))
        .order_by(n.created_at.desc(), n.id.desc())
        .limit(limit)
    )
    if before is not None:
        stmt = stmt.where(tuple_(n.created_at, n.id) < tuple_(*before))
    return all_rows(await session.execute(stmt))


async def move_notes(session: AsyncSession, from_ids: list[uuid.UUID], to_id: uuid.UUID) -> None:
    """Re-home the notes of merged threads."""
    await session.execute(update(notes).where(notes.c.conversation_id.in_(from_ids)).values(conversation_id=to_id))
