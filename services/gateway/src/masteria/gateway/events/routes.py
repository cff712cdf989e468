"""``GET /api/v1/events``: served by the gateway itself, registered before the proxy's catch-all."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request, Response

from masteria.gateway.access.dependencies import event_reader
from masteria.gateway.access.principal import Principal
from masteria.gateway.access.recheck import still_admitted
from masteria.gateway.events import sse
from masteria.gateway.events.feed import TenantFeed
from masteria.gateway.events.response import EventStreamResponse
from masteria.gateway.events.stream import RETRY_MS, Pace, frames
from masteria.gateway.state import state_of
from masteria.runtime.service import service_of

router = APIRouter(tags=["events"])

DESCRIPTION = f"""
The current tenant's domain events, live, as [Server-Sent Events](https://html.spec.whatwg.org/multipage/server-sent-events.html):
open it with `new EventSource("/api/v1/events")` (same origin: the session cookie goes along).

**Who**: a signed-in user (session cookie; events of the tenant the session acts for, never another's)
or an API key with any read scope (`events:read` is the narrow one). Without credentials: 401.

**Frames** (UTF-8):
- first `retry: {RETRY_MS}`: reconnect after {RETRY_MS // 1000} s;
- per event `id: <JetStream sequence of the DOMAIN_EVENTS stream>`, `event: <envelope type>`
  (`message.stored`, `conversation.opened`, `conversation.updated`, `contact.created`, ...),
  `data: <the CloudEvents envelope JSON, exactly as published>`;
- `: ping` comment lines when nothing else was sent for a while (15 s by default).

**Resume**: `EventSource` resends the last `id` as `Last-Event-ID` when it reconnects; the stream then
starts right after it, so nothing is lost or repeated. `?last_event_id=N` does the same for the first
connection (the header wins when both are given). Without either, only new events are sent.

**End**: the server closes the stream when the session ends, the tenant is switched or the member
is removed; the client's reconnect then answers 401 or 403.
""".strip()

SSE_EXAMPLE = (
    f"retry: {RETRY_MS}\n\nid: 42\nevent: message.stored\n"
    'data: {"specversion":"1.0","type":"message.stored","tenant":"…","data":{…}}\n\n: ping\n\n'
)
RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "An endless `text/event-stream`.",
        "content": {"text/event-stream": {"schema": {"type": "string"}, "example": SSE_EXAMPLE}},
    },
    401: {"description": "Not signed in, or the API key is invalid (problem+json)."},
    403: {"description": "No current tenant, or an API key without a read scope (problem+json)."},
    503: {"description": "The event bus is not answering (problem+json); retry."},
}


@router.get(
    "/api/v1/events",
    summary="Follow the current tenant's events live (Server-Sent Events)",
    description=DESCRIPTION,
    response_class=Response,
    responses=RESPONSES,
    operation_id="follow_events",
)
async def follow_events(
    request: Request,
    principal: Annotated[Principal, Depends(event_reader)],
    last_event_id: Annotated[
        int | None, Query(ge=0, description="Resume after this event id (the header wins when both are sent).")
    ] = None,
    last_event_id_header: Annotated[
        int | None, Header(alias="Last-Event-ID", ge=0, description="Sent by EventSource when it reconnects.")
    ] = None,
) -> Response:
    """Open the tenant's feed now (so a failure is still an HTTP error), then stream it."""
    assert principal.tenant_id is not None  # event_reader admits only callers with a tenant
    settings = state_of(request).settings
    after = sse.start_after(last_event_id_header, last_event_id)
    feed = await TenantFeed.open(service_of(request).js, principal.tenant_id, after)

    async def admitted() -> bool:
        return await still_admitted(request, principal)

    pace = Pace(heartbeat_s=settings.events_heartbeat_s, recheck_s=settings.events_recheck_s)
    return EventStreamResponse(frames(feed, admitted, pace), on_close=feed.close)
