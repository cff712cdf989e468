"""Simulated customers texting the account's numbers; Twilio forwards each message, signed, to sms_url."""

import base64
import binascii
import time
from typing import Any

from fastapi import APIRouter, HTTPException

from masteria.sandbox.context import Context, SandboxContext
from masteria.sandbox.twilio.control import number_or_404
from masteria.sandbox.twilio.delivery import FormWebhook, deliver
from masteria.sandbox.twilio.ids import sid
from masteria.sandbox.twilio.inbound import AUTO_REPLIES, InboundSms, apply_keyword, inbound_fields
from masteria.sandbox.twilio.media import media_path
from masteria.sandbox.twilio.schemas import CustomerWrite, MediaItem
from masteria.sandbox.twilio.state import HostedMedia

router = APIRouter(prefix="/_sandbox/twilio", tags=["sandbox: twilio"])


@router.post("/customers/write")
async def customer_writes(body: CustomerWrite, ctx: Context) -> dict[str, Any]:
    """Apply STOP/START/HELP as Twilio does, then deliver the incoming-message webhook `copies` times."""
    number = number_or_404(ctx, body.to)
    account = ctx.twilio.account(number.account_sid)
    if account is None:
        raise HTTPException(404, f"unknown account {number.account_sid!r}")
    message_sid = sid("MM" if body.media else "SM")
    media = tuple(_media_url(ctx, account.sid, message_sid, item) for item in body.media)
    sms = InboundSms(message_sid, body.sender, body.body, media)
    kind = apply_keyword(ctx.twilio, number, body.sender, body.body)
    deliveries: list[dict[str, Any]] = []
    if number.sms_url is not None:
        webhook = FormWebhook(
            url=number.sms_url,
            params=inbound_fields(account, number, sms, kind),
            auth_token=account.auth_token,
            idempotency_token=f"{message_sid}-received",
            signature=body.signature,
        )
        retries = ctx.twilio.behaviour(number.phone_number).webhook_retries
        # Copies go one after another: each is a separate delivery of the same signed form.
        for _ in range(body.copies):
            done = await deliver(ctx.deliverer, webhook, retries=retries, policy=ctx.retry_policy)
            ctx.twilio.note_callback(
                {
                    "kind": "inbound",
                    "message_sid": message_sid,
                    "status": "received",
                    "url": webhook.url,
                    "at": time.time(),
                    "attempts": done.attempts,
                    "result": done.result.to_json(),
                }
            )
            deliveries.append({**done.result.to_json(), "attempts": done.attempts})
    return {
        "message_sid": message_sid,
        "opt_out_type": kind,
        "auto_reply": AUTO_REPLIES[kind] if kind is not None else None,
        "media_urls": [url for _, url in media],
        "deliveries": deliveries,
    }


def _media_url(ctx: SandboxContext, account_sid: str, message_sid: str, item: MediaItem) -> tuple[str, str]:
    if item.url is not None:
        return item.content_type, item.url
    try:
        data = base64.b64decode(item.data_base64 or "", validate=True)
    except binascii.Error:
        raise HTTPException(422, "media data_base64 is not valid base64") from None
    path = media_path(account_sid, message_sid, sid("ME"))
    ctx.twilio.host_media(path, HostedMedia(item.content_type, data, item.delay_ms, item.fail_fetches))
    return item.content_type, f"{ctx.settings.public_url}/twilio{path}"
