"""``/api/v1/conversations``: the inbox, newest first, with keyset cursors."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy import Row

from masteria.crm.inbox import repository
from masteria.crm.inbox.schemas import ContactRef, ConversationOut, MessageOut
from masteria.persistence.tenancy import tenant_session
from masteria.runtime.auth import current_identity
from masteria.runtime.pagination import Page, decode_cursor, encode_cursor
from masteria.runtime.problems import Problem
from masteria.runtime.service import service_of
from masteria.security.internal_token import Identity

router = APIRouter(prefix="/api/v1/conversations", tags=["inbox"])
Limit = Annotated[int, Query(ge=1, le=200)]


def _keyset(cursor: str | None) -> tuple[datetime, uuid.UUID] | None:
    if cursor is None:
        return None
    values = decode_cursor(cursor)
    try:
        return datetime.fromisoformat(values[0]), uuid.UUID(values[1])
    except (IndexError, ValueError, TypeError) as exc:
        raise Problem(400, "Invalid cursor", "the cursor is not one this API returned") from exc


def _conversation(row: Row[Any]) -> ConversationOut:
    return ConversationOut(
        id=row.id,
        contact=ContactRef(id=row.contact_id, phone=row.contact_phone, name=row.contact_name),
        channel=row.channel,
        channel_account_id=row.channel_account_id,
        status=row.status,
        unread_count=row.unread_count,
        last_message_at=row.last_message_at,
        last_message_preview=row.last_message_preview,
        created_at=row.created_at,
    )


@router.get("")
async def list_conversations(
    request: Request,
    identity: Identity = Depends(current_identity),
    limit: Limit = 50,
    cursor: str | None = None,
    status: Literal["open", "pending", "closed"] | None = None,
    q: Annotated[str | None, Query(max_length=100, description="Name, number or last message text")] = None,
) -> Page[ConversationOut]:
    """The tenant's conversations, most recent activity first, optionally filtered by ``q``."""
    svc = service_of(request)
    async with tenant_session(svc.sessions, identity.tenant_id) as session:
        rows = await repository.conversation_page(
            session, limit=limit + 1, after=_keyset(cursor), status=status, query=(q or "").strip() or None
        )
    page, more = rows[:limit], len(rows) > limit
    next_cursor = encode_cursor([page[-1].last_message_at.isoformat(), str(page[-1].id)]) if more else None
    return Page[ConversationOut](items=[_conversation(r) for r in page], next_cursor=next_cursor)


@router.get("/{conversation_id}")
async def get_conversation(
    conversation_id: uuid.UUID, request: Request, identity: Identity = Depends(current_identity)
) -> ConversationOut:
    """One conversation; another tenant's id is simply not found."""
    svc = service_of(request)
    async with tenant_session(svc.sessions, identity.tenant_id) as session:
        row = await repository.conversation_by_id(session, conversation_id)
    if row is None:
        raise Problem(404, "Not found", "no such conversation")
    return _conversation(row)


@router.get("/{conversation_id}/messages")
async def list_messages(
    conversation_id: uuid.UUID,
    request: Request,
    identity: Identity = Depends(current_identity),
    limit: Limit = 50,
    cursor: str | None = None,
) -> Page[MessageOut]:
    """A conversation's messages, newest first; the cursor walks back in time."""
    svc = service_of(request)
    async with tenant_session(svc.sessions, identity.tenant_id) as session:
        if await repository.conversation_by_id(session, conversation_id) is None:
            raise Problem(404, "Not found", "no such conversation")
        rows = await repository.message_page(session, conversation_id, limit=limit + 1, before=_keyset(cursor))
    page, more = rows[:limit], len(rows) > limit
    next_cursor = encode_cursor([page[-1].occurred_at.isoformat(), str(page[-1].id)]) if more else None
    return Page[MessageOut](
        items=[MessageOut.model_validate(r, from_attributes=True) for r in page], next_cursor=next_cursor
    )
