"""API shapes of the inbox."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from masteria.contracts.messages import DeliveryError, OutboundContent


class ContactRef(BaseModel):
    """The person on the other side of a conversation."""

    id: uuid.UUID
    phone: str
    name: str | None


class ServiceWindow(BaseModel):
    """WhatsApp's customer service window: free-form messages only while it is open, templates always."""

    open: bool
    expires_at: datetime | None = Field(description="24 hours after the customer's last message; null if never.")


class ConversationOut(BaseModel):
    """A thread as the inbox lists it."""

    id: uuid.UUID
    contact: ContactRef
    channel: str
    channel_account_id: uuid.UUID
    status: str
    assignee_user_id: uuid.UUID | None = None
    unread_count: int
    last_message_at: datetime
    last_message_preview: str
    created_at: datetime
    updated_at: datetime | None = None


class ConversationDetail(ConversationOut):
    """One conversation with what the reply box needs: consent and, on WhatsApp, the service window."""

    service_window: ServiceWindow | None = Field(description="WhatsApp Cloud API only; null on other channels.")
    opted_out: bool = Field(description="True when the contact opted out of this conversation's channel.")


class ConversationPatch(BaseModel):
    """Move a conversation: its status and/or its assignee (null unassigns)."""

    status: Literal["open", "pending", "resolved"] | None = None
    assignee_user_id: uuid.UUID | None = None


class SentByCampaign(BaseModel):
    """The campaign (and cadence step) an outbound message was sent for: the inbox shows "sent by campaign"."""

    campaign_id: uuid.UUID
    dispatch_id: uuid.UUID = Field(description="The campaign's send; the same as the message id.")
    cadence_step_id: uuid.UUID | None = Field(default=None, description="Set for a cadence's step.")


class MessageOut(BaseModel):
    """One message of a thread; outbound ones carry their delivery status."""

    id: uuid.UUID
    conversation_id: uuid.UUID
    direction: str
    channel: str
    external_id: str | None
    content: dict[str, Any]
    preview: str
    sender_name: str | None
    occurred_at: datetime
    created_at: datetime
    status: str | None = Field(default=None, description="queued, accepted, sent, delivered, read or failed.")
    error: DeliveryError | None = None
    status_at: datetime | None = None
    author_user_id: uuid.UUID | None = None
    origin: str | None = Field(
        default=None, description="Who asked for an outbound message: agent, ai, api, system or campaign."
    )
    campaign: SentByCampaign | None = Field(default=None, description="Set when a campaign sent the message.")


class SendIn(BaseModel):
    """A reply from the inbox, sent on the conversation's channel."""

    content: OutboundContent
    channel_account_id: uuid.UUID | None = Field(
        default=None, description="Must be the conversation's own number when given (a thread has one number)."
    )
