"""``/api/v1/conversations``: the inbox, newest first, with keyset cursors; status, assignment, read."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request

from masteria.contracts.channels import Channel
from masteria.crm import cursors
from masteria.crm.access import writers
from masteria.crm.inbox import repository, threads
from masteria.crm.inbox.schemas import ConversationDetail, ConversationOut, ConversationPatch, MessageOut
from masteria.crm.inbox.threads import message_out
from masteria.crm.problems import domain_errors, invalid
from masteria.persistence.tenancy import tenant_session
from masteria.runtime.auth import current_identity
from masteria.runtime.pagination import Page
from masteria.runtime.service import service_of
from masteria.security.internal_token import Identity

router = APIRouter(prefix="/api/v1/conversations", tags=["inbox"])
Limit = Annotated[int, Query(ge=1, le=200)]
NOT_FOUND = "no such conversation"


def _filters(
    identity: Identity, status: str | None, q: str | None, channel: Channel | None, assignee: str | None
) -> repository.ConversationFilters:
    mine, unassigned, someone = False, False, None
    if assignee == "me":
        if identity.user_id is None:
            raise invalid("assignee", "'me' needs a signed-in user; an API key has none")
        mine = True
    elif assignee == "unassigned":
        unassigned = True
    elif assignee is not None:
        try:
            someone = uuid.UUID(assignee)
        except ValueError:
            raise invalid("assignee", "use me, unassigned or a user id") from None
    return repository.ConversationFilters(
        status=status,
        query=(q or "").strip() or None,
        channel=channel.value if channel else None,
        assignee=identity.user_id if mine else someone,
        unassigned=unassigned,
    )


@router.get("")
async def list_conversations(
    request: Request,
    identity: Identity = Depends(current_identity),
    limit: Limit = 50,
    cursor: str | None = None,
    status: Literal["open", "pending", "resolved"] | None = None,
    q: Annotated[str | None, Query(max_length=100, description="Contact name or number, or any message's text")] = None,
    channel: Channel | None = None,
    assignee: Annotated[str | None, Query(description="me, unassigned or a user id")] = None,
) -> Page[ConversationOut]:
    """The tenant's conversations, most recent activity first, filtered."""
    filters = _filters(identity, status, q, channel, assignee)
    after = cursors.decode_time_id(cursor)
    svc = service_of(request)
    async with tenant_session(svc.sessions, identity.tenant_id) as session:
        rows = await repository.conversation_page(session, filters, limit=limit + 1, after=after)
    page, more = rows[:limit], len(rows) > limit
    next_cursor = cursors.encode_time_id(page[-1].last_message_at, page[-1].id) if more else None
    return Page[ConversationOut](items=[threads.to_out(r) for r in page], next_cursor=next_cursor)


@router.get("/{conversation_id}")
async def get_conversation(
    conversation_id: uuid.UUID, request: Request, identity: Identity = Depends(current_identity)
) -> ConversationDetail:
    """One conversation with its contact's consent and, on WhatsApp, the service window."""
    svc = service_of(request)
    with domain_errors(NOT_FOUND):
        async with tenant_session(svc.sessions, identity.tenant_id) as session:
            row = await repository.conversation_by_id(session, conversation_id)
            if row is None:
                raise threads.ConversationNotFoundError(conversation_id)
    return threads.to_detail(row)


@router.patch("/{conversation_id}")
async def patch_conversation(
    conversation_id: uuid.UUID,
    body: ConversationPatch,
    request: Request,
    identity: Identity = Depends(writers),
) -> ConversationDetail:
    """Change the status (open, pending, resolved) and/or the assignee (null unassigns)."""
    svc = service_of(request)
    assert svc.outbox is not None
    with domain_errors(NOT_FOUND):
        async with tenant_session(svc.sessions, identity.tenant_id) as session:
            row = await threads.change(session, svc.outbox, identity.tenant_id, conversation_id, body)
    return threads.to_detail(row)


@router.post("/{conversation_id}/read")
async def mark_read(
    conversation_id: uuid.UUID, request: Request, identity: Identity = Depends(writers)
) -> ConversationDetail:
    """Clear the unread count (the agent has seen the thread)."""
    svc = service_of(request)
    assert svc.outbox is not None
    with domain_errors(NOT_FOUND):
        async with tenant_session(svc.sessions, identity.tenant_id) as session:
            row = await threads.mark_read(session, svc.outbox, identity.tenant_id, conversation_id)
    return threads.to_detail(row)


@router.get("/{conversation_id}/messages")
async def list_messages(
    conversation_id: uuid.UUID,
    request: Request,
    identity: Identity = Depends(current_identity),
    limit: Limit = 50,
    cursor: str | None = None,
) -> Page[MessageOut]:
    """A conversation's messages, newest first; the cursor walks back in time."""
    before = cursors.decode_time_id(cursor)
    svc = service_of(request)
    with domain_errors(NOT_FOUND):
        async with tenant_session(svc.sessions, identity.tenant_id) as session:
            if await repository.conversation_by_id(session, conversation_id) is None:
                raise threads.ConversationNotFoundError(conversation_id)
            rows = await repository.message_page(session, [conversation_id], limit=limit + 1, before=before)
    page, more = rows[:limit], len(rows) > limit
    next_cursor = cursors.encode_time_id(page[-1].occurred_at, page[-1].id) if more else None
    return Page[MessageOut](items=[message_out(r) for r in page], next_cursor=next_cursor)
