"""``POST /api/v1/conversations/{id}/messages``: an agent's reply, accepted (202) once stored and queued."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute

from masteria.crm.access import writers
from masteria.crm.inbox.schemas import MessageOut, SendIn
from masteria.crm.inbox.threads import message_out
from masteria.crm.problems import domain_errors
from masteria.crm.runtime import crm_of
from masteria.crm.sending import service
from masteria.crm.sending.rules import INVALID_CONTENT
from masteria.persistence.tenancy import tenant_session
from masteria.runtime.problems import Problem
from masteria.runtime.service import service_of
from masteria.security.internal_token import Identity


class _InvalidContentRoute(APIRoute):
    """A reply the contract refuses (empty text, a reply button, unknown kind) answers with reason invalid_content."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def checked(request: Request) -> Response:
            try:
                return await handler(request)
            except RequestValidationError as exc:
                if not all(e.get("loc", ("",))[0] == "body" for e in exc.errors()):
                    raise
                errors = [
                    {"field": ".".join(str(p) for p in e.get("loc", ()) if p != "body"), "message": str(e.get("msg"))}
                    for e in exc.errors()
                ]
                detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
                raise Problem(422, "Message refused", detail, reason=INVALID_CONTENT, errors=errors) from exc

        return checked


router = APIRouter(prefix="/api/v1/conversations", tags=["inbox"], route_class=_InvalidContentRoute)


@router.post(
    "/{conversation_id}/messages",
    status_code=202,
    responses={422: {"description": "Refused: `reason` is window_closed, opted_out or invalid_content"}},
)
async def send_message(
    conversation_id: uuid.UUID, body: SendIn, request: Request, identity: Identity = Depends(writers)
) -> MessageOut:
    """Reply on the conversation's channel; the message is stored as queued and its status ticks follow."""
    svc, crm = service_of(request), crm_of(request)
    assert svc.outbox is not None
    with domain_errors("no such conversation"):
        async with tenant_session(svc.sessions, identity.tenant_id) as session:
            row = await service.send_from_inbox(
                session,
                svc.outbox,
                identity.tenant_id,
                conversation_id,
                body.content,
                channel_account_id=body.channel_account_id,
                author_user_id=identity.user_id,
                media_exists=crm.media_exists,
            )
    return message_out(row)
