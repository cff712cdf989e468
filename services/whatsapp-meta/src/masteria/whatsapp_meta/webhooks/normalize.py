"""Meta's message and status objects turned into our channel-neutral contracts."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from masteria.contracts.channels import Channel
from masteria.contracts.content import (
    AnyContent,
    ButtonReply,
    ContactsContent,
    InteractiveContent,
    ListReply,
    LocationContent,
    MediaContent,
    ReactionContent,
    SharedContact,
    TextContent,
    UnsupportedContent,
)
from masteria.contracts.messages import DeliveryError, InboundMessage, MessageStatus, MessageStatusChanged, Sender
from masteria.whatsapp_meta.sending.errors import classify_meta
from masteria.whatsapp_meta.webhooks.payload import ChangeValue, WaMessage, WaStatus
from masteria.whatsapp_meta.webhooks.routing import KnownNumber

_MEDIA = ("image", "audio", "video", "document", "sticker")
# What Meta reports about a message we sent ("deleted" and "warning" are not delivery statuses).
_STATUSES = {
    s.value: s for s in (MessageStatus.SENT, MessageStatus.DELIVERED, MessageStatus.READ, MessageStatus.FAILED)
}


def provider_time(timestamp: str) -> datetime:
    """Meta sends unix seconds as a string."""
    return datetime.fromtimestamp(int(timestamp), UTC)


def e164(wa_id: str) -> str:
    """A WhatsApp id is the number's digits without the plus."""
    return wa_id if wa_id.startswith("+") else f"+{wa_id}"


def inbound_messages(value: ChangeValue, number: KnownNumber, received_at: datetime) -> list[InboundMessage]:
    """Every message of a change, with the sender's profile name when Meta gave it."""
    names = {c.wa_id: c.profile.name if c.profile else None for c in value.contacts}
    return [
        InboundMessage(
            channel=Channel.WHATSAPP_META,
            external_id=msg.id,
            channel_account_id=number.registration_id,
            business_address=number.business_address,
            sender=Sender(address=e164(msg.from_), wa_id=msg.from_, display_name=names.get(msg.from_)),
            content=content_of(msg),
            sent_at=provider_time(msg.timestamp),
            received_at=received_at,
            reply_to_external_id=(msg.context or {}).get("id"),
        )
        for msg in value.messages
    ]


def content_of(msg: WaMessage) -> AnyContent:  # noqa: PLR0911 - one return per Meta type reads best
    """The content object of one message type."""
    body: dict[str, Any] = (msg.model_extra or {}).get(msg.type) or {}
    if msg.type == "text":
        return TextContent(body=body.get("body") or " ")
    if msg.type in _MEDIA and body.get("id"):
        return MediaContent(
            kind=msg.type,  # type: ignore[arg-type]
            media_id=body["id"],
            mime_type=body.get("mime_type"),
            caption=body.get("caption"),
            filename=body.get("filename"),
            sha256=body.get("sha256"),
        )
    if msg.type == "location" and "latitude" in body:
        return LocationContent(
            latitude=body["latitude"],
            longitude=body["longitude"],
            name=body.get("name"),
            address=body.get("address"),
        )
    if msg.type == "reaction" and body.get("message_id"):
        return ReactionContent(message_external_id=body["message_id"], emoji=body.get("emoji") or "")
    if msg.type in ("interactive", "button"):
        reply = _interactive_reply(msg.type, body)
        if reply is not None:
            return reply
    if msg.type == "contacts":
        contacts = (msg.model_extra or {}).get("contacts") or []
        return ContactsContent(contacts=[_shared_contact(c) for c in contacts] or [SharedContact(name="?")])
    return UnsupportedContent(provider_type=msg.type, summary=f"unsupported {msg.type} message")


def _interactive_reply(kind: str, body: dict[str, Any]) -> InteractiveContent | None:
    if kind == "button":  # a template's quick-reply button
        return InteractiveContent(
            interactive=ButtonReply(id=body.get("payload") or body.get("text") or "?", title=body.get("text") or "?")
        )
    if body.get("type") == "button_reply":
        reply = body.get("button_reply") or {}
        return InteractiveContent(interactive=ButtonReply(id=reply.get("id", "?"), title=reply.get("title", "?")))
    if body.get("type") == "list_reply":
        reply = body.get("list_reply") or {}
        return InteractiveContent(
            interactive=ListReply(
                id=reply.get("id", "?"), title=reply.get("title", "?"), description=reply.get("description")
            )
        )
    return None


def _shared_contact(raw: dict[str, Any]) -> SharedContact:
    name = (raw.get("name") or {}).get("formatted_name") or "?"
    phones = [p.get("phone") for p in raw.get("phones") or [] if p.get("phone")]
    return SharedContact(name=name, phones=phones)


def status_changes(value: ChangeValue, number: KnownNumber) -> list[tuple[str, MessageStatusChanged, object]]:
    """Every status of a change with its dedup key and echoed callback data; unknown statuses are skipped."""
    return [
        (
            status_key(status),
            MessageStatusChanged(
                channel=Channel.WHATSAPP_META,
                external_id=status.id,
                channel_account_id=number.registration_id,
                status=_STATUSES[status.status],
                occurred_at=provider_time(status.timestamp),
                error=status_error(status) if status.status == "failed" else None,
                recipient=e164(status.recipient_id),
            ),
            (status.model_extra or {}).get("biz_opaque_callback_data"),
        )
        for status in value.statuses
        if status.status in _STATUSES
    ]


def status_error(status: WaStatus) -> DeliveryError:
    """The classified reason of a failed status (Meta's first error)."""
    first = status.errors[0] if status.errors else {}
    raw_code = first.get("code")
    code = int(raw_code) if isinstance(raw_code, int | str) and str(raw_code).isdigit() else None
    details = (first.get("error_data") or {}).get("details") or first.get("message") or first.get("title")
    return classify_meta(code, None, str(details)[:1000] if details else None)


def status_key(status: WaStatus) -> str:
    """Dedup key of a status: the same wamid moves through several statuses."""
    return f"{status.id}:{status.status}"
