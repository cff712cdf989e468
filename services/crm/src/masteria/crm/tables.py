"""The schema ``crm``: contacts, conversations and messages (the inbox), outbox, consumer records."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from masteria.messaging.tables import outbox_table, processed_events_table
from masteria.persistence.base import TenantOwned, UuidPk, make_base, utcnow

SCHEMA = "crm"
Base = make_base(SCHEMA)
outbox = outbox_table(Base.metadata)
processed_events = processed_events_table(Base.metadata)


class Contact(UuidPk, TenantOwned, Base):  # type: ignore[misc,valid-type]
    """A person the business talks to, keyed by E.164 number within the tenant."""

    __tablename__ = "contacts"
    __table_args__ = (UniqueConstraint("tenant_id", "phone"),)

    phone: Mapped[str] = mapped_column(String(16))
    name: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Conversation(UuidPk, TenantOwned, Base):  # type: ignore[misc,valid-type]
    """One thread per contact and channel account."""

    __tablename__ = "conversations"
    __table_args__ = (
        UniqueConstraint("tenant_id", "contact_id", "channel", "channel_account_id"),
        Index("ix_conversations_inbox_order", "tenant_id", "last_message_at", "id"),
    )

    contact_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("crm.contacts.id"))
    channel: Mapped[str] = mapped_column(String(32))
    channel_account_id: Mapped[uuid.UUID]
    status: Mapped[str] = mapped_column(String(16), default="open")
    unread_count: Mapped[int] = mapped_column(Integer, default=0)
    last_message_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_message_preview: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Message(UuidPk, TenantOwned, Base):  # type: ignore[misc,valid-type]
    """A message in a conversation; the provider id is unique per channel so redeliveries collapse."""

    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint("tenant_id", "channel", "external_id"),
        Index("ix_messages_thread_order", "conversation_id", "occurred_at", "id"),
    )

    conversation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("crm.conversations.id"))
    direction: Mapped[str] = mapped_column(String(8))
    channel: Mapped[str] = mapped_column(String(32))
    external_id: Mapped[str | None] = mapped_column(Text)
    content: Mapped[dict[str, Any]] = mapped_column(JSONB)
    preview: Mapped[str] = mapped_column(Text)
    sender_name: Mapped[str | None] = mapped_column(Text)
    occurred_at: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
