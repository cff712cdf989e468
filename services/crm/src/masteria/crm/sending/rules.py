"""What may be sent on a thread: content the channel carries, consent, and WhatsApp's 24-hour window.

The adapters enforce the same rules at the provider; checking here tells the agent why at once,
instead of a failed tick minutes later.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Row

from masteria.contracts.channels import Channel
from masteria.contracts.content import AnyContent, MediaContent, TemplateContent
from masteria.crm.contacts.consent import allowed_on
from masteria.crm.errors import RefusedError
from masteria.crm.inbox.threads import SERVICE_WINDOW, last_inbound
from masteria.media import belongs_to

WINDOW_CLOSED = "window_closed"
OPTED_OUT = "opted_out"
INVALID_CONTENT = "invalid_content"
MediaCheck = Callable[[str], Awaitable[bool]]
# What each channel can carry; WhatsApp Cloud API carries every outbound kind.
_KINDS: dict[str, frozenset[str]] = {
    Channel.SMS.value: frozenset({"text", "image", "audio", "video", "document"}),
    Channel.WHATSAPP_QR.value: frozenset(
        {"text", "image", "audio", "video", "document", "sticker", "location", "contacts", "reaction"}
    ),
    Channel.VOICE.value: frozenset(),
}


async def check_sendable(
    thread: Row[Any],
    content: AnyContent,
    tenant_id: uuid.UUID,
    media_exists: MediaCheck,
    now: datetime | None = None,
) -> None:
    """Raise RefusedError with the reason the agent must read; return when the message may go."""
    await _check_content(thread.channel, content, tenant_id, media_exists)
    if not allowed_on(thread.contact_consent or {}, thread.channel):
        raise RefusedError(
            OPTED_OUT, f"The contact opted out of {thread.channel}: no message can be sent to them there."
        )
    if thread.channel == Channel.WHATSAPP_META.value and not isinstance(content, TemplateContent):
        last = last_inbound(thread, thread.channel)
        if last is None or (now or datetime.now(UTC)) >= last + SERVICE_WINDOW:
            since = f"the customer last wrote at {last.isoformat()}" if last else "the customer never wrote"
            raise RefusedError(
                WINDOW_CLOSED,
                f"Outside the 24-hour customer service window ({since}): "
                "only an approved template can be sent outside the 24-hour window.",
            )


async def _check_content(channel: str, content: AnyContent, tenant_id: uuid.UUID, media_exists: MediaCheck) -> None:
    allowed = _KINDS.get(channel)
    if allowed is not None and content.kind not in allowed:
        raise RefusedError(INVALID_CONTENT, f"{content.kind} messages cannot be sent on {channel}.")
    key = content.storage_key if isinstance(content, MediaContent) else None
    # Another tenant's key reads as missing: whether it exists is not ours to say.
    if key is not None and (not belongs_to(key, tenant_id) or not await media_exists(key)):
        raise RefusedError(INVALID_CONTENT, "the attachment is not in the media store: upload it first")
