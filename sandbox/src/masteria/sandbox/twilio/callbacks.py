"""Status callbacks: after each delay the message moves on and, with a StatusCallback, Twilio posts it."""

import asyncio
import time
from typing import Any

from masteria.sandbox.context import SandboxContext
from masteria.sandbox.twilio.delivery import FormWebhook, deliver
from masteria.sandbox.twilio.ids import idempotency_token
from masteria.sandbox.twilio.resources import API_VERSION
from masteria.sandbox.twilio.state import Account, MessageRecord, Outcome

_FINAL_WITH_ERROR = frozenset({"undelivered", "failed"})


def schedule_statuses(ctx: SandboxContext, account: Account, record: MessageRecord, outcome: Outcome) -> None:
    """Start moving an accepted message through `outcome.statuses` in the background."""
    ctx.twilio.tasks.spawn(_advance(ctx, account, record, outcome), name=f"twilio-status-{record.entry.sid}")


async def _advance(ctx: SandboxContext, account: Account, record: MessageRecord, outcome: Outcome) -> None:
    entry = record.entry
    behaviour = ctx.twilio.behaviour(entry.sender)
    delay_s = behaviour.status_delay_ms / 1000
    for status in outcome.statuses:
        await asyncio.sleep(delay_s)
        error_code = outcome.error_code if status in _FINAL_WITH_ERROR else None
        ctx.twilio.set_status(entry.sid, status, error_code)
        if entry.status_callback is None:
            continue
        webhook = FormWebhook(
            url=entry.status_callback,
            params=status_fields(account, record, status, error_code),
            auth_token=account.auth_token,
            idempotency_token=idempotency_token(entry.sid, status),
        )
        done = await deliver(ctx.deliverer, webhook, retries=behaviour.webhook_retries, policy=ctx.retry_policy)
        ctx.twilio.note_callback(
            {
                "kind": "status",
                "message_sid": entry.sid,
                "status": status,
                "url": webhook.url,
                "at": time.time(),
                "attempts": done.attempts,
                "result": done.result.to_json(),
            }
        )


def status_fields(
    account: Account, record: MessageRecord, status: str, error_code: int | None
) -> list[tuple[str, str]]:
    """The form fields of one status callback, as Twilio posts them."""
    entry = record.entry
    fields: dict[str, Any] = {
        "AccountSid": account.sid,
        "ApiVersion": API_VERSION,
        "From": entry.sender,
        "MessageSid": entry.sid,
        "MessageStatus": status,
        "NumMedia": len(entry.media_urls),
        "NumSegments": entry.num_segments,
        "SmsSid": entry.sid,
        "SmsStatus": status,
        "To": entry.to,
    }
    if entry.messaging_service_sid is not None:
        fields["MessagingServiceSid"] = entry.messaging_service_sid
    if error_code is not None:
        fields["ErrorCode"] = error_code
    if status == "delivered":
        # The carrier's delivery report time, YYMMDDhhmm in UTC.
        fields["RawDlrDoneDate"] = time.strftime("%y%m%d%H%M", time.gmtime())
    return [(name, str(value)) for name, value in fields.items()]
