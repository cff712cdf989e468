"""Conversation events published by crm: the inbox as other services and the dashboard see it."""

from __future__ import annotations

import uuid
from enum import StrEnum
from typing import ClassVar

from pydantic import AwareDatetime, Field

from masteria.contracts.channels import Channel
from masteria.contracts.envelope import Payload
from masteria.contracts.messages import DeliveryError, MessageOrigin, MessageStatus


class ConversationStatus(StrEnum):
    """Where a conversation stands in the inbox."""

    OPEN = "open"
    PENDING = "pending"
    RESOLVED = "resolved"
    # Published by the first schema version; kept so old events still decode, never produced now.
    CLOSED = "closed"


class Direction(StrEnum):
    """Who wrote a message."""

    INBOUND = "inbound"
    OUTBOUND = "outbound"


class ConversationOpened(Payload):
    """A conversation with a contact started on a channel (or reopened after being closed)."""

    event_type: ClassVar[str] = "conversation.opened"
    schema_version: ClassVar[int] = 1

    conversation_id: uuid.UUID
    contact_id: uuid.UUID
    channel: Channel
    channel_account_id: uuid.UUID | None = None
    assignee_user_id: uuid.UUID | None = None
    opened_at: AwareDatetime


class ConversationUpdated(Payload):
    """Status, assignee or unread count of a conversation changed; carries the state after."""

    event_type: ClassVar[str] = "conversation.updated"
    schema_version: ClassVar[int] = 1

    conversation_id: uuid.UUID
    contact_id: uuid.UUID
    status: ConversationStatus
    assignee_user_id: uuid.UUID | None = None
    unread_count: int = Field(ge=0)
    last_message_at: AwareDatetime | None = None
    updated_at: AwareDatetime


class MessageStored(Payload):
    """crm recorded a message in a conversation (either direction)."""

    event_type: ClassVar[str] = "message.stored"
    schema_version: ClassVar[int] = 1

    conversation_id: uuid.UUID
    message_id: uuid.UUID
    contact_id: uuid.UUID
    direction: Direction
    channel: Channel
    external_id: str | None = Field(default=None, description="Provider id, once known.")
    origin: MessageOrigin | None = Field(default=None, description="Who asked for it; outbound only.")
    campaign_id: uuid.UUID | None = None
    content_kind: str = Field(description="The content's kind: text, image, template, ...")
    preview: str = Field(max_length=280, description="One-line preview for inbox lists and notifications.")
    occurred_at: AwareDatetime = Field(description="When the message was sent or received.")


class MessageDeliveryUpdated(Payload):
    """crm moved a stored outbound message to a new delivery status (the inbox's ticks)."""

    event_type: ClassVar[str] = "message.delivery_updated"
    schema_version: ClassVar[int] = 1

    conversation_id: uuid.UUID
    message_id: uuid.UUID
    contact_id: uuid.UUID
    channel: Channel
    external_id: str | None = None
    status: MessageStatus
    error: DeliveryError | None = Field(default=None, description="Why it failed, when it did.")
    occurred_at: AwareDatetime


class ConversationNoteAdded(Payload):
    """An agent left an internal note on a conversation (never sent to the customer)."""

    event_type: ClassVar[str] = "conversation.note_added"
    schema_version: ClassVar[int] = 1

    conversation_id: uuid.UUID
    note_id: uuid.UUID
    author_user_id: uuid.UUID | None = None
    body: str = Field(min_length=1, max_length=4000)
    created_at: AwareDatetime
