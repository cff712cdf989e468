"""``/api/v1/conversations/{id}/notes``: the team's notes on a thread, newest first."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from masteria.crm import cursors
from masteria.crm.access import writers
from masteria.crm.inbox import repository as inbox_repo
from masteria.crm.inbox.threads import ConversationNotFoundError
from masteria.crm.notes import repository, service
from masteria.crm.notes.schemas import NoteIn, NoteOut
from masteria.crm.problems import domain_errors
from masteria.persistence.tenancy import tenant_session
from masteria.runtime.auth import current_identity
from masteria.runtime.pagination import Page
from masteria.runtime.service import service_of
from masteria.security.internal_token import Identity

router = APIRouter(prefix="/api/v1/conversations", tags=["inbox"])
NOT_FOUND = "no such conversation"


@router.get("/{conversation_id}/notes")
async def list_notes(
    conversation_id: uuid.UUID,
    request: Request,
    identity: Identity = Depends(current_identity),
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: str | None = None,
) -> Page[NoteOut]:
    """A thread's notes, newest first."""
    before = cursors.decode_time_id(cursor)
    svc = service_of(request)
    with domain_errors(NOT_FOUND):
        async with tenant_session(svc.sessions, identity.tenant_id) as session:
            if await inbox_repo.conversation_by_id(session, conversation_id) is None:
                raise ConversationNotFoundError(conversation_id)
            rows = await repository.note_page(session, [conversation_id], limit=limit + 1, before=before)
    page, more = rows[:limit], len(rows) > limit
    next_cursor = cursors.encode_time_id(page[-1].created_at, page[-1].id) if more else None
    return Page[NoteOut](items=[NoteOut.model_validate(r, from_attributes=True) for r in page], next_cursor=next_cursor)


@router.post("/{conversation_id}/notes", status_code=201)
async def add_note(
    conversation_id: uuid.UUID, body: NoteIn, request: Request, identity: Identity = Depends(writers)
) -> NoteOut:
    """Leave a note on the thread (published as conversation.note_added)."""
    svc = service_of(request)
    assert svc.outbox is not None
    with domain_errors(NOT_FOUND):
        async with tenant_session(svc.sessions, identity.tenant_id) as session:
            row = await service.add_note(
                session, svc.outbox, identity.tenant_id, conversation_id, identity.user_id, body.body
            )
    return NoteOut.model_validate(row, from_attributes=True)
