"""Adding a note: stored and announced (conversation.note_added) in one transaction."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from masteria.contracts.conversations import ConversationNoteAdded
from masteria.contracts.ids import uuid7
from masteria.crm.contacts.fields import FieldError
from masteria.crm.events import wrap
from masteria.crm.inbox import repository as inbox_repo
from masteria.crm.inbox.threads import ConversationNotFoundError
from masteria.crm.notes import repository
from masteria.messaging.outbox import Outbox


async def add_note(
    session: AsyncSession,
    outbox: Outbox,
    tenant_id: uuid.UUID,
    conversation_id: uuid.UUID,
    author_user_id: uuid.UUID | None,
    body: str,
) -> Row[Any]:
    """Store the note on the thread and publish it."""
    if await inbox_repo.conversation_by_id(session, conversation_id) is None:
        raise ConversationNotFoundError(conversation_id)
    body = body.strip()
    if not body:
        raise FieldError("body", "the note is empty")
    now = datetime.now(UTC)
    row = await repository.insert_note(
        session,
        {
            "id": uuid7(),
            "tenant_id": tenant_id,
            "conversation_id": conversation_id,
            "author_user_id": author_user_id,
            "body": body,
            "created_at": now,
        },
    )
    event = ConversationNoteAdded(
        conversation_id=conversation_id, note_id=row.id, author_user_id=author_user_id, body=body, created_at=now
    )
    await outbox.add(session, wrap(event, tenant_id))
    return row
