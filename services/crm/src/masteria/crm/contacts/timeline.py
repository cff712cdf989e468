"""A contact's timeline: messages of every channel and the team's notes, newest first, one keyset for both."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from masteria.contracts.channels import Channel
from masteria.crm.contacts.schemas import TimelineItem, TimelineNote
from masteria.crm.inbox import repository as inbox_repo
from masteria.crm.inbox.threads import message_out
from masteria.crm.notes import repository as notes_repo


async def timeline_page(
    session: AsyncSession, contact_id: uuid.UUID, *, limit: int, before: tuple[datetime, uuid.UUID] | None
) -> tuple[list[TimelineItem], tuple[datetime, uuid.UUID] | None]:
    """One page and the (time, id) to continue from, or None at the end."""
    threads = await inbox_repo.conversation_ids_of_contact(session, contact_id)
    if not threads:
        return [], None
    messages = await inbox_repo.message_page(session, threads, limit=limit + 1, before=before)
    notes = await notes_repo.note_page(session, threads, limit=limit + 1, before=before)
    entries: list[tuple[datetime, uuid.UUID, TimelineItem]] = [
        (
            m.occurred_at,
            m.id,
            TimelineItem(kind="message", at=m.occurred_at, channel=Channel(m.channel), message=message_out(m)),
        )
        for m in messages
    ] + [
        (
            n.created_at,
            n.id,
            TimelineItem(kind="note", at=n.created_at, note=TimelineNote.model_validate(n, from_attributes=True)),
        )
        for n in notes
    ]
    entries.sort(key=lambda e: (e[0], e[1]), reverse=True)
    page, more = entries[:limit], len(entries) > limit
    return [e[2] for e in page], ((page[-1][0], page[-1][1]) if more else None)
