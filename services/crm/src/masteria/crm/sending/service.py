"""Sending from the inbox: the message is stored (queued) and its SendMessage staged in one transaction."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from masteria.contracts.channels import Channel
from masteria.contracts.content import AnyContent
from masteria.contracts.content import preview as preview_of
from masteria.contracts.conversations import Direction, MessageStored
from masteria.contracts.ids import uuid7
from masteria.contracts.messages import MessageOrigin, SendMessage
from masteria.crm.contacts.fields import FieldError
from masteria.crm.events import wrap
from masteria.crm.inbox import bulk
from masteria.crm.inbox import repository as inbox_repo
from masteria.crm.inbox.threads import ConversationNotFoundError
from masteria.crm.sending.rules import MediaCheck, check_sendable
from masteria.messaging.outbox import Outbox

QUEUED = "queued"
CAMPAIGN = "campaign"  # the origin of campaign and cadence sends (the bulk lane), beside MessageOrigin's


@dataclass(frozen=True)
class Campaign:
    """Which campaign (and cadence step) a bulk-lane send belongs to."""

    campaign_id: uuid.UUID
    cadence_step_id: uuid.UUID | None = None


def outbound_row(
    tenant_id: uuid.UUID,
    message_id: uuid.UUID,
    thread_id: uuid.UUID,
    channel: str,
    content: AnyContent,
    *,
    origin: MessageOrigin | None,
    author_user_id: uuid.UUID | None,
    at: datetime,
    campaign: Campaign | None = None,
) -> dict[str, Any]:
    """A messages row for a send that has not been accepted by the provider yet: a campaign's, or ``origin``'s."""
    if campaign is None and origin is None:
        raise ValueError("a send has an origin or a campaign")
    return {
        "id": message_id,
        "tenant_id": tenant_id,
        "conversation_id": thread_id,
        "direction": Direction.OUTBOUND.value,
        "channel": channel,
        "external_id": None,
        "content": content.model_dump(mode="json"),
        "preview": preview_of(content),
        "sender_name": None,
        "occurred_at": at,
        "created_at": at,
        "status": QUEUED,
        "status_at": at,
        "author_user_id": author_user_id,
        "origin": origin.value if origin is not None and campaign is None else CAMPAIGN,
        "campaign_id": campaign.campaign_id if campaign else None,
        "cadence_step_id": campaign.cadence_step_id if campaign else None,
    }


def stored_event(row: dict[str, Any], contact_id: uuid.UUID, kind: str) -> MessageStored:
    """MessageStored for an outbound row; a campaign's send names its campaign (and has no MessageOrigin)."""
    return MessageStored(
        conversation_id=row["conversation_id"],
        message_id=row["id"],
        contact_id=contact_id,
        direction=Direction.OUTBOUND,
        channel=Channel(row["channel"]),
        origin=None if row["origin"] == CAMPAIGN else MessageOrigin(row["origin"]),
        campaign_id=row.get("campaign_id"),
        content_kind=kind,
        preview=row["preview"][:280],
        occurred_at=row["occurred_at"],
    )


async def send_from_inbox(
    session: AsyncSession,
    outbox: Outbox,
    tenant_id: uuid.UUID,
    conversation_id: uuid.UUID,
    content: AnyContent,
    *,
    channel_account_id: uuid.UUID | None,
    author_user_id: uuid.UUID | None,
    media_exists: MediaCheck,
) -> Row[Any]:
    """Store the reply and stage its send command; RefusedError says why it cannot go."""
    thread = await inbox_repo.conversation_by_id(session, conversation_id, lock=True)
    if thread is None:
        raise ConversationNotFoundError(conversation_id)
    if channel_account_id is not None and channel_account_id != thread.channel_account_id:
        raise FieldError("channel_account_id", "a conversation is answered from its own number")
    await check_sendable(thread, content, tenant_id, media_exists)
    now = datetime.now(UTC)
    row = outbound_row(
        tenant_id,
        uuid7(),
        thread.id,
        thread.channel,
        content,
        origin=MessageOrigin.AGENT,
        author_user_id=author_user_id,
        at=now,
    )
    await bulk.store_messages(session, [row], unread=False)
    command = SendMessage(
        channel=Channel(thread.channel),
        message_id=row["id"],
        conversation_id=thread.id,
        channel_account_id=thread.channel_account_id,
        to=thread.contact_phone,
        content=content,
        origin=MessageOrigin.AGENT,
        author_user_id=author_user_id,
    )
    stored = stored_event(row, thread.contact_id, content.kind)
    await outbox.add_many(session, [wrap(command, tenant_id), wrap(stored, tenant_id)])
    message = await inbox_repo.message_by_id(session, row["id"])
    assert message is not None  # inserted above in this transaction
    return message
