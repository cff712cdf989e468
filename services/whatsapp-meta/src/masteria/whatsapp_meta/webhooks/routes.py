"""``/webhooks/whatsapp-meta``: Meta's GET subscription check and signed POST deliveries."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse

from masteria.runtime.service import Service
from masteria.whatsapp_meta.context import MetaContext, box_of, meta_of, service_of
from masteria.whatsapp_meta.numbers.service import refresh_rating
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
    meta = meta_of(request)
    accepted = await service.accept(
        await request.body(),
        request.headers.get("x-hub-signature-256"),
        directory=meta.directory,
        committer=meta.committer,
        sessions=service_of(request).sessions,
    )
    for tenant_id in accepted.tenants_changed:  # a tier or a template's status changed: read them afresh
        meta.senders.forget(tenant_id)
        meta.templates.forget(tenant_id)
    svc = service_of(request)
    for tenant_id, number_id in accepted.numbers_changed:  # Graph tells the quality rating exactly
        meta.in_background(_refresh(meta, svc, tenant_id, number_id))
    if accepted.media:
        meta.wake_media()  # the downloads are committed: fetch them now rather than at the next poll
    return {
        "status": "accepted",
        "published": accepted.published,
        "duplicates": accepted.duplicates,
        "ignored_phone_number_ids": accepted.unknown_numbers,
    }


async def _refresh(meta: MetaContext, svc: Service, tenant_id: uuid.UUID, number_id: uuid.UUID) -> None:
    if await refresh_rating(svc.sessions, tenant_id, number_id, box=box_of(svc), graph=meta.graph):
        meta.senders.forget(tenant_id, number_id)
