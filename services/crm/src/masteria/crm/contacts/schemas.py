"""API shapes of contacts."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from masteria.contracts.channels import Channel
from masteria.contracts.contacts import OptOutReason
from masteria.crm.inbox.schemas import MessageOut


class ConsentOut(BaseModel):
    """Whether the contact may be messaged on a channel, and since when and why."""

    allowed: bool
    changed_at: datetime
    reason: OptOutReason
    keyword: str | None = None


class ContactOut(BaseModel):
    """A contact as the CRM shows it."""

    id: uuid.UUID
    phone: str
    name: str | None
    email: str | None
    tags: list[str]
    custom_fields: dict[str, str]
    consent: dict[str, ConsentOut] = Field(description="Per channel; a channel absent here was never opted out.")
    last_inbound_at: dict[str, datetime] = Field(
        description="Per channel, when the contact last wrote (WhatsApp's 24-hour service window starts there)."
    )
    created_at: datetime
    updated_at: datetime


class ContactCreate(BaseModel):
    """A new contact; the phone is normalised to E.164 (``default_country`` for numbers without a country code)."""

    phone: str = Field(min_length=1, max_length=40)
    name: str | None = Field(default=None, max_length=200)
    email: str | None = Field(default=None, max_length=254)
    tags: list[str] = Field(default_factory=list, max_length=50)
    custom_fields: dict[str, str] = Field(default_factory=dict, max_length=100)
    default_country: str | None = Field(default=None, min_length=2, max_length=2, examples=["BR"])


class ContactPatch(BaseModel):
    """Changes to a contact: fields left out stay as they are.

    ``tags`` replaces the list; ``custom_fields`` is merged (a null value removes that field).
    """

    phone: str | None = Field(default=None, min_length=1, max_length=40)
    name: str | None = Field(default=None, max_length=200)
    email: str | None = Field(default=None, max_length=254)
    tags: list[str] | None = Field(default=None, max_length=50)
    custom_fields: dict[str, str | None] | None = Field(default=None, max_length=100)
    default_country: str | None = Field(default=None, min_length=2, max_length=2)


class ConsentIn(BaseModel):
    """Allow or stop messages on one channel."""

    allowed: bool
    reason: OptOutReason = OptOutReason.REQUEST


class MergeIn(BaseModel):
    """Contacts to fold into this one; they are deleted afterwards."""

    contact_ids: list[uuid.UUID] = Field(min_length=1, max_length=50)


class TagCount(BaseModel):
    """A tag and how many contacts carry it."""

    tag: str
    count: int


class TimelineNote(BaseModel):
    """An internal note in a contact's timeline."""

    id: uuid.UUID
    conversation_id: uuid.UUID
    author_user_id: uuid.UUID | None
    body: str
    created_at: datetime


class TimelineItem(BaseModel):
    """One entry of a contact's timeline: a message (any channel) or a note."""

    kind: Literal["message", "note"]
    at: datetime
    channel: Channel | None = None
    message: MessageOut | None = None
    note: TimelineNote | None = None
