"""Simulated customers: single messages, raw webhooks and bursts, delivered to a number's webhook."""

import asyncio
import time
from typing import Any

from fastapi import APIRouter, status

from masteria.sandbox.context import Context
from masteria.sandbox.meta.burst import BurstRunner, BurstSpec, plan_burst
from masteria.sandbox.meta.control import number_or_404
from masteria.sandbox.meta.ids import inbound_wamid
from masteria.sandbox.meta.schemas import BurstRequest, CustomerWrite, RawWebhook
from masteria.sandbox.meta.signing import SignatureMode, serialise
from masteria.sandbox.meta.state import SimulatedNumber
from masteria.sandbox.meta.webhooks import (
    CustomerMessage,
    WebhookDeliverer,
    encode_event,
    signed_request,
    text_message_event,
)

router = APIRouter(prefix="/_sandbox/meta/numbers/{phone_number_id}", tags=["sandbox: meta"])


@router.post("/customers/write")
async def customer_writes(phone_number_id: str, body: CustomerWrite, ctx: Context) -> dict[str, Any]:
    """Deliver one customer text as Meta's `messages` webhook, `copies` times (Meta's duplicates)."""
    number = number_or_404(ctx, phone_number_id)
    message = CustomerMessage(body.sender, body.name, body.text, inbound_wamid(body.sender), int(time.time()))
    raw = encode_event(text_message_event(number, message))
    deliveries = await _deliver_copies(ctx.deliverer, number, raw, body.signature, body.copies)
    return {"wamid": message.wamid, "deliveries": deliveries}


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
