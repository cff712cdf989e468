"""Accepting Twilio's webhooks: find our number, check the signature, build the work, commit it.

An inbound MMS's attachments are not published with the webhook: each message that carries one is
staged as a pending download (same commit), and the media worker publishes it once the file is in
the media store. Texts are published at once and never wait behind a download.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from masteria.contracts.channels import Channel
from masteria.contracts.content import MediaContent, TextContent
from masteria.contracts.envelope import Envelope
from masteria.contracts.messages import ConsentKeyword, InboundMessage, MessageOrigin, SendMessage
from masteria.messaging.outbox import Outbox
from masteria.observability.logging import get_logger
from masteria.runtime.problems import Problem
from masteria.sms import signature
from masteria.sms.context import SmsContext
from masteria.sms.inbound_media import repository as media_downloads
from masteria.sms.keywords import Keyword, reply_for
from masteria.sms.phones import InvalidPhoneNumber, normalise_address, to_e164
from masteria.sms.senders.directory import KnownSender
from masteria.sms.webhooks import normalize
from masteria.sms.webhooks.work import InboundWork, StatusWork

log = get_logger(__name__)
SOURCE = "masteria/sms"
_REPLIES = uuid.UUID("0b5c5b0e-6f1f-4a52-9d0c-5d3b1f1a7a11")  # namespace of reply message ids


@dataclass(frozen=True)
class SignedForm:
    """A webhook as received: its form and what the signature check needs."""

    form: Mapping[str, Any]  # starlette's FormData: several values per name are kept for the check
    urls: Sequence[str]
    signature: str | None
    settings_header: str | None

    def text(self, name: str) -> str:
        """One field's value ('' when absent or not text)."""
        value = self.form.get(name)
        return value if isinstance(value, str) else ""

    def params(self) -> dict[str, str]:
        """Every text field (the last value of a repeated one)."""
        return {k: v for k, v in self.form.items() if isinstance(v, str)}


@dataclass(frozen=True)
class Accepted:
    """What happened to a webhook, for the log and the response."""

    outcome: str  # published | duplicate | ignored
    published: int = 0  # events staged (messages waiting for their media count too)
    media: int = 0  # messages waiting for their media to be downloaded


async def _our_sender(ctx: SmsContext, address: str, signed: SignedForm, role: str) -> KnownSender | None:
    if not address:
        raise Problem(400, "Malformed webhook", f"the {role} field naming our number is missing")
    try:
        sender = await ctx.directory.by_number(normalise_address(address))
    except InvalidPhoneNumber:
        sender = None
    if sender is None:
        # Acknowledged, not refused: Twilio would otherwise retry a number nobody here owns.
        log.warning("Twilio webhook for an unregistered number", number=address, field=role)
        return None
    if not signature.is_valid(sender.auth_token, signed.urls, signed.form, signed.signature, signed.settings_header):
        raise Problem(403, "Invalid signature", "X-Twilio-Signature does not match this number's auth token")
    return sender


async def accept_inbound(ctx: SmsContext, outbox: Outbox, signed: SignedForm) -> Accepted:
    """A customer's SMS: verified, deduplicated by MessageSid, published with its consent keyword."""
    sid = signed.text("MessageSid")
    if not sid:
        raise Problem(400, "Malformed webhook", "MessageSid is missing")
    sender = await _our_sender(ctx, signed.text("To"), signed, "To")
    if sender is None:
        return Accepted("ignored")
    try:
        customer = to_e164(signed.text("From"))
    except InvalidPhoneNumber:
        log.warning("inbound SMS from an address that is not a phone number", sid=sid, sender=signed.text("From"))
        return Accepted("ignored")
    work = _inbound_work(ctx, outbox, signed, sender, customer, sid)
    published = await ctx.committer.submit(work)
    return Accepted("published" if published else "duplicate", published, len(work.downloads) if published else 0)


def _inbound_work(
    ctx: SmsContext, outbox: Outbox, signed: SignedForm, sender: KnownSender, customer: str, sid: str
) -> InboundWork:
    params = signed.params()
    received_at = datetime.now(UTC)
    # A keyword is the whole text of a message without attachments.
    keyword = None if normalize.media_items(params) else ctx.keywords.match(params.get("Body"))
    consent = (
        ConsentKeyword(action=keyword.kind.consent, keyword=keyword.word)
        if keyword is not None and keyword.kind.consent is not None
        else None
    )

    def rows(with_consent: ConsentKeyword | None) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        messages = normalize.inbound_messages(params, sender, customer, received_at, with_consent)
        return _staged(ctx, outbox, sender, messages)

    plain, downloads = rows(None)
    work = InboundWork(
        tenant_id=sender.tenant_id,
        sid=sid,
        sender_number=sender.phone_number,
        customer=customer,
        received_at=received_at,
        keyword=keyword,
        plain=plain,
        # A keyword is never a message with attachments, so the consent variant has no downloads.
        with_consent=rows(consent)[0] if consent else plain,
        downloads=downloads,
    )
    if keyword is not None and should_reply(ctx, keyword, params):
        work.reply_id = uuid.uuid5(_REPLIES, f"{sender.tenant_id}:{sid}")
        work.reply = outbox.row(
            Envelope.wrap(_reply(ctx, sender, customer, keyword, work.reply_id), tenant=sender.tenant_id, source=SOURCE)
        )
    return work


def _staged(
    ctx: SmsContext, outbox: Outbox, sender: KnownSender, messages: list[InboundMessage]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Outbox rows for the messages ready now, download rows for those whose file comes first."""
    rows, downloads = [], []
    for message in messages:
        envelope = Envelope.wrap(message, tenant=sender.tenant_id, source=SOURCE)
        content = message.content
        if ctx.settings.media_download and isinstance(content, MediaContent) and content.url:
            downloads.append(media_downloads.pending_row(envelope, sender.id, content.url))
        else:
            rows.append(outbox.row(envelope))
    return rows, downloads


def should_reply(ctx: SmsContext, keyword: Keyword, params: Mapping[str, str]) -> bool:
    """Whether we confirm this keyword, or Twilio already did (see SMS_KEYWORD_REPLIES)."""
    mode = ctx.settings.keyword_replies
    if mode == "always":
        return True
    # "auto": Twilio answers its own keywords (and says so with OptOutType under Advanced Opt-Out).
    return mode == "auto" and not keyword.handled_by_twilio and not params.get("OptOutType")


def _reply(ctx: SmsContext, sender: KnownSender, customer: str, keyword: Keyword, message_id: uuid.UUID) -> SendMessage:
    # Through our own outbound lane: paced, retried and recorded in the conversation like any reply.
    return SendMessage(
        channel=Channel.SMS,
        message_id=message_id,
        channel_account_id=sender.id,
        to=customer,
        content=TextContent(body=reply_for(keyword.kind, ctx.settings.reply_language)),
        origin=MessageOrigin.SYSTEM,
    )


async def accept_status(ctx: SmsContext, signed: SignedForm) -> Accepted:
    """A status callback: verified with the sender's token (From is our number), applied once."""
    sid, status = signed.text("MessageSid"), signed.text("MessageStatus").lower()
    if not sid or not status:
        raise Problem(400, "Malformed webhook", "MessageSid and MessageStatus are required")
    sender = await _our_sender(ctx, signed.text("From"), signed, "From")
    if sender is None:
        return Accepted("ignored")
    recipient = signed.text("To")
    with contextlib.suppress(InvalidPhoneNumber):  # else kept as Twilio wrote it; only a 21610 uses it
        recipient = to_e164(recipient)
    work = StatusWork(
        tenant_id=sender.tenant_id,
        sid=sid,
        status=status,
        error_code=signed.text("ErrorCode") or None,
        segments=normalize.segments_field(signed.params()),
        sender_number=sender.phone_number,
        recipient=recipient,
        received_at=datetime.now(UTC),
    )
    published = await ctx.committer.submit(work)
    return Accepted("published" if published else "recorded", published)
