"""Simulated customers: single messages, raw webhooks and bursts, delivered to a number's webhook."""

import asyncio
import base64
import binascii
import time
from typing import Any

from fastapi import APIRouter, HTTPException, status

from masteria.sandbox.context import Context, SandboxContext
from masteria.sandbox.meta.auth import number_or_404
from masteria.sandbox.meta.burst import BurstRunner, BurstSpec, plan_burst
from masteria.sandbox.meta.errors import ERROR_CODES_HREF
from masteria.sandbox.meta.ids import inbound_wamid
from masteria.sandbox.meta.media import HostedMedia
from masteria.sandbox.meta.schemas import MEDIA_TYPES, BurstRequest, CustomerWrite, CustomerWriteTo, RawWebhook
from masteria.sandbox.meta.signing import SignatureMode, serialise
from masteria.sandbox.meta.state import SimulatedNumber
from masteria.sandbox.meta.webhooks import WebhookDeliverer, encode_event, message_event, signed_request

router = APIRouter(prefix="/_sandbox/meta/numbers/{phone_number_id}", tags=["sandbox: meta"])
# The same write with the number in the body; mounted under /_sandbox/meta by the control router.
control_router = APIRouter(tags=["sandbox: meta"])


@router.post("/customers/write")
async def customer_writes(phone_number_id: str, body: CustomerWrite, ctx: Context) -> dict[str, Any]:
    """Deliver one customer message as Meta's `messages` webhook, `copies` times (Meta's duplicates).

    The message opens (or moves) the customer's 24-hour service window with this number.
    """
    return await _write(ctx, number_or_404(ctx, phone_number_id), body)


@control_router.post("/customers/write")
async def customer_writes_to(body: CustomerWriteTo, ctx: Context) -> dict[str, Any]:
    """`customers/write` naming the number in the body (`phone_number_id`)."""
    return await _write(ctx, number_or_404(ctx, body.phone_number_id), body)


async def _write(ctx: SandboxContext, number: SimulatedNumber, body: CustomerWrite) -> dict[str, Any]:
    timestamp = body.timestamp if body.timestamp is not None else int(time.time())
    wamid = inbound_wamid(body.sender)
    message: dict[str, Any] = {"from": body.sender, "id": wamid, "timestamp": str(timestamp), "type": body.type}
    if body.context is not None:
        message["context"] = body.context
    media: HostedMedia | None = None
    if body.type == "text":
        message["text"] = {"body": body.text}
    elif body.type in MEDIA_TYPES:
        media = _media_for(ctx, number, body)
        message[body.type] = _media_object(body, media)
    elif body.type == "unsupported":
        message["errors"] = [_unsupported_error()]
        if body.content is not None:
            message["unsupported"] = body.content
    else:
        message[body.type] = body.content
    ctx.meta.windows.note(number.phone_number_id, body.sender, float(timestamp))
    raw = encode_event(message_event(number, body.sender, body.name, message))
    deliveries = await _deliver_copies(ctx.deliverer, number, raw, body.signature, body.copies)
    answer: dict[str, Any] = {"wamid": wamid, "deliveries": deliveries}
    if media is not None:
        answer["media_id"] = media.media_id
    return answer


def _media_for(ctx: SandboxContext, number: SimulatedNumber, body: CustomerWrite) -> HostedMedia:
    if body.media_id is not None:
        hosted = ctx.meta.media.get(body.media_id)
        if hosted is None:
            raise HTTPException(404, f"unknown media id {body.media_id!r}: upload it with POST /_sandbox/meta/media")
        return hosted
    try:
        data = base64.b64decode(body.media_base64 or "", validate=True)
    except (binascii.Error, ValueError):
        raise HTTPException(422, "media_base64 is not valid base64") from None
    return ctx.meta.media.put(
        phone_number_id=number.phone_number_id,
        waba_id=number.waba_id,
        data=data,
        mime_type=body.mime_type or "application/octet-stream",
        filename=body.filename,
    )


def _media_object(body: CustomerWrite, media: HostedMedia) -> dict[str, Any]:
    # Shapes of Meta's inbound media: the id to look up, never the bytes or a URL.
    obj: dict[str, Any] = {"mime_type": media.mime_type, "sha256": media.sha256_b64, "id": media.media_id}
    if body.caption is not None and body.type in ("image", "video", "document"):
        obj["caption"] = body.caption
    if body.type == "document":
        obj["filename"] = body.filename or media.filename or "documento"
    elif body.type == "audio":
        obj["voice"] = body.voice
    elif body.type == "sticker":
        obj["animated"] = False
    return obj


def _unsupported_error() -> dict[str, Any]:
    title = "Message type unknown"
    return {
        "code": 131051,
        "title": title,
        "message": title,
        "error_data": {"details": "Message type is currently not supported."},
        "href": ERROR_CODES_HREF,
    }


@router.post("/webhooks/raw")
async def raw_webhook(phone_number_id: str, body: RawWebhook, ctx: Context) -> dict[str, Any]:
    """Deliver any payload (or exact text, valid JSON or not), signed per `signature`."""
    number = number_or_404(ctx, phone_number_id)
    raw = body.raw_body.encode() if body.raw_body is not None else serialise(body.payload)
    deliveries = await _deliver_copies(ctx.deliverer, number, raw, body.signature, body.copies)
    return {"deliveries": deliveries}


@router.post("/customers/burst", status_code=status.HTTP_202_ACCEPTED)
async def customer_burst(phone_number_id: str, body: BurstRequest, ctx: Context) -> dict[str, str]:
    """Start a background burst of customer messages; progress is at `/_sandbox/jobs/{job_id}`."""
    number = number_or_404(ctx, phone_number_id)
    spec = BurstSpec(body.count, body.rate_per_second, body.customers, body.text_prefix, body.concurrency)
    # Planning a million messages takes seconds: off the event loop, other jobs keep their pace.
    job = await asyncio.to_thread(plan_burst, spec)
    runner = BurstRunner(
        job=job, spec=spec, number=number, registry=ctx.meta, lane_client=ctx.lane_client, policy=ctx.retry_policy
    )
    ctx.jobs.add(job)
    job.task = asyncio.create_task(runner.run(), name=job.job_id)
    return {"job_id": job.job_id}


async def _deliver_copies(
    deliverer: WebhookDeliverer, number: SimulatedNumber, raw: bytes, mode: SignatureMode, copies: int
) -> list[dict[str, Any]]:
    # Copies go one after another: Meta's duplicates are separate deliveries of identical bytes.
    headers = signed_request(number, raw, mode)
    return [(await deliverer.post(number.webhook_url, raw, headers)).to_json() for _ in range(copies)]
