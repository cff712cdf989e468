"""API shapes of the inbox."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel


class ContactRef(BaseModel):
    """The person on the other side of a conversation."""

    id: uuid.UUID
    phone: str
    name: str | None


class ConversationOut(BaseModel):
    """A thread as the inbox lists it."""

    id: uuid.UUID
    contact: ContactRef
    channel: str
    channel_account_id: uuid.UUID
    status: str
    unread_count: int
    last_message_at: datetime
    last_message_preview: str
    created_at: datetime


class MessageOut(BaseModel):
    """One message of a thread."""

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
