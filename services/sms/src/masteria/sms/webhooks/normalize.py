"""Twilio's webhook forms turned into our channel-neutral contracts."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from masteria.contracts.channels import Channel
from masteria.contracts.content import AnyContent, MediaContent, MediaKind, TextContent
from masteria.contracts.messages import ConsentKeyword, InboundMessage, MessageStatus, Sender
from masteria.sms.senders.directory import KnownSender

# Twilio's MessageStatus values for outbound messages; the ones before "sent" add nothing to the
# ACCEPTED we publish when Twilio answers the send, and inbound-side values are not ours.
TWILIO_STATUSES: dict[str, MessageStatus] = {
    "accepted": MessageStatus.ACCEPTED,
    "scheduled": MessageStatus.ACCEPTED,
    "queued": MessageStatus.ACCEPTED,
    "sending": MessageStatus.ACCEPTED,
    "sent": MessageStatus.SENT,
    "delivered": MessageStatus.DELIVERED,
    "read": MessageStatus.READ,
    "undelivered": MessageStatus.FAILED,
    "failed": MessageStatus.FAILED,
    "canceled": MessageStatus.FAILED,
}


def media_kind(content_type: str | None) -> MediaKind:
    """Our media kind for a MIME type; anything not image, audio or video is a document."""
    major = (content_type or "").split("/", 1)[0].lower()
    return major if major in ("image", "audio", "video") else "document"  # type: ignore[return-value]


def media_items(params: Mapping[str, str]) -> list[tuple[str, str | None]]:
    """(URL, content type) of each attachment: ``MediaUrl0``..``MediaUrl{NumMedia-1}``."""
    try:
        count = int(params.get("NumMedia") or 0)
    except ValueError:
        count = 0
    items = [(params.get(f"MediaUrl{i}"), params.get(f"MediaContentType{i}")) for i in range(max(count, 0))]
    return [(url, content_type) for url, content_type in items if url]


def contents(params: Mapping[str, str]) -> list[AnyContent]:
    """One content per attachment (the first carries the text as its caption), or the text alone."""
    body = params.get("Body") or ""
    media = media_items(params)
    if not media:
        # An empty SMS exists (a blank message); the contract wants some text.
        return [TextContent(body=body or " ")]
    return [
        MediaContent(
            kind=media_kind(content_type), url=url, mime_type=content_type, caption=(body or None) if i == 0 else None
        )
        for i, (url, content_type) in enumerate(media)
    ]


def inbound_messages(
    params: Mapping[str, str],
    sender: KnownSender,
    customer: str,
    received_at: datetime,
    consent: ConsentKeyword | None,
) -> list[InboundMessage]:
    """The message (one per attachment: ``<MessageSid>`` then ``<MessageSid>/1``...) with the consent keyword."""
    sid = params["MessageSid"]
    return [
        InboundMessage(
            channel=Channel.SMS,
            external_id=sid if i == 0 else f"{sid}/{i}",
            channel_account_id=sender.id,
            business_address=sender.phone_number,
            sender=Sender(address=customer),
            content=content,
            # Twilio's incoming webhook carries no timestamp: it posts as the message arrives.
            sent_at=received_at,
            received_at=received_at,
            consent=consent if i == 0 else None,
        )
        for i, content in enumerate(contents(params))
    ]


def segments_field(params: Mapping[str, str]) -> int | None:
    """``NumSegments`` when Twilio gave a usable one."""
    try:
        value = int(params.get("NumSegments") or 0)
    except ValueError:
        return None
    return value if value >= 1 else None
