"""``/webhooks/whatsapp-meta``: Meta's GET subscription check and signed POST deliveries."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse

from masteria.runtime.problems import Problem
from masteria.whatsapp_meta.context import meta_of, service_of
from masteria.whatsapp_meta.webhooks import service

router = APIRouter(prefix="/webhooks/whatsapp-meta", tags=["webhooks"])


@router.get("", response_class=PlainTextResponse)
async def verify(request: Request) -> str:
    """Answer Meta's subscription handshake with the challenge."""
    q = request.query_params
    return await service.verify_subscription(
        service_of(request).sessions, q.get("hub.mode"), q.get("hub.verify_token"), q.get("hub.challenge")
    )


@router.post("")
async def receive(request: Request) -> dict[str, object]:
    """Verify the signature over the raw bytes, then record and publish what is new."""
    svc = service_of(request)
    if svc.outbox is None:
        raise Problem(503, "Not ready", "the outbox is not configured")
    meta = meta_of(request)
    accepted = await service.accept(
        await request.body(),
        request.headers.get("x-hub-signature-256"),
        directory=meta.directory,
        outbox=svc.outbox,
        committer=meta.committer,
    )
    return {
        "status": "accepted",
        "published": accepted.published,
        "duplicates": accepted.duplicates,
        "ignored_phone_number_ids": accepted.unknown_numbers,
    }
