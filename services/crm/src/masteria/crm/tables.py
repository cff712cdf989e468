"""The schema ``crm``: contacts, conversations, messages and notes (the inbox), imports, outbox, consumer records."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Computed, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from masteria.messaging.tables import outbox_table, processed_events_table
from masteria.persistence.base import TenantOwned, UuidPk, make_base, utcnow

SCHEMA = "crm"
Base = make_base(SCHEMA)
outbox = outbox_table(Base.metadata)
processed_events = processed_events_table(Base.metadata)

# What a message says, for search: the text of text, media captions and interactive bodies, else the preview.
MESSAGE_SEARCH_TEXT = (
    "coalesce(content ->> 'body', content ->> 'caption', (content -> 'interactive') ->> 'body', preview)"
)


class Contact(UuidPk, TenantOwned, Base):  # type: ignore[misc,valid-type]
    """A person the business talks to, keyed by E.164 number within the tenant.

    ``consent`` is ``{channel: {allowed, changed_at, reason, keyword}}`` and ``last_inbound_at``
    ``{channel: ISO time}`` (the customer service window); both are small maps read with the contact.
    """

    __tablename__ = "contacts"
    __table_args__ = (UniqueConstraint("tenant_id", "phone"),)

    phone: Mapped[str] = mapped_column(String(16))
    name: Mapped[str | None] = mapped_column(Text)
    email: Mapped[str | None] = mapped_column(Text)
    custom_fields: Mapped[dict[str, str]] = mapped_column(JSONB, default=dict)
    tags: Mapped[list[str]] = mapped_column(ARRAY(Text), default=list)
    consent: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    last_inbound_at: Mapped[dict[str, str]] = mapped_column(JSONB, default=dict)
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
    assignee_user_id: Mapped[uuid.UUID | None]
    unread_count: Mapped[int] = mapped_column(Integer, default=0)
    last_message_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_message_preview: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Message(UuidPk, TenantOwned, Base):  # type: ignore[misc,valid-type]
    """A message in a conversation; the provider id is unique per channel so redeliveries collapse.

    Outbound messages carry the id of their send command (``SendMessage.message_id``, or a campaign's
    ``CampaignDispatch.dispatch_id``), which is how statuses find them and how a send crm stored itself
    is not recorded twice. ``origin`` says who asked for it ("campaign" for the bulk lane).
    """

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
    status: Mapped[str | None] = mapped_column(String(16))
    error: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    status_at: Mapped[datetime | None]
    author_user_id: Mapped[uuid.UUID | None]
    origin: Mapped[str | None] = mapped_column(String(16))
    campaign_id: Mapped[uuid.UUID | None]
    cadence_step_id: Mapped[uuid.UUID | None]
    status_attempt: Mapped[int | None] = mapped_column(Integer)
    search_text: Mapped[str | None] = mapped_column(Text, Computed(MESSAGE_SEARCH_TEXT, persisted=True))


class PendingStatus(UuidPk, TenantOwned, Base):  # type: ignore[misc,valid-type]
    """A status whose message is not recorded yet; applied when the send is recorded."""

    __tablename__ = "pending_statuses"
    __table_args__ = (
        Index("ix_pending_statuses_message", "message_id"),
        Index("ix_pending_statuses_received", "received_at"),
    )

    message_id: Mapped[uuid.UUID]
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class ConversationNote(UuidPk, TenantOwned, Base):  # type: ignore[misc,valid-type]
    """An internal note an agent left on a conversation; never sent to the customer."""

    __tablename__ = "conversation_notes"
    __table_args__ = (Index("ix_conversation_notes_thread_order", "conversation_id", "created_at", "id"),)

    conversation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("crm.conversations.id"))
    author_user_id: Mapped[uuid.UUID | None]
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ContactImport(UuidPk, TenantOwned, Base):  # type: ignore[misc,valid-type]
    """A CSV import: its options, its progress and the lease of the worker running it.

    Progress is committed with each batch of contacts, so a restart resumes exactly after the last
    committed row; ``lease_until`` says when another worker may take it over.
    """

    __tablename__ = "contact_imports"

    state: Mapped[str] = mapped_column(String(16), default="running")
    filename: Mapped[str | None] = mapped_column(Text)
    mapping: Mapped[dict[str, str]] = mapped_column(JSONB)
    default_country: Mapped[str] = mapped_column(String(2))
    tags: Mapped[list[str]] = mapped_column(ARRAY(Text), default=list)
    encoding: Mapped[str] = mapped_column(String(16))
    delimiter: Mapped[str] = mapped_column(String(1))
    total_rows: Mapped[int] = mapped_column(Integer, default=0)
    processed_rows: Mapped[int] = mapped_column(Integer, default=0)
    imported_rows: Mapped[int] = mapped_column(Integer, default=0)
    created_rows: Mapped[int] = mapped_column(Integer, default=0)
    updated_rows: Mapped[int] = mapped_column(Integer, default=0)
    failed_rows: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    lease_until: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[uuid.UUID | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]


class ContactImportFile(TenantOwned, Base):  # type: ignore[misc,valid-type]
    """The uploaded file, kept until its import finishes so that a restart can resume it."""

    __tablename__ = "contact_import_files"

    import_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("crm.contact_imports.id"), primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class ContactImportError(TenantOwned, Base):  # type: ignore[misc,valid-type]
    """A refused row of an import, with why; the import's errors.csv lists these."""

    __tablename__ = "contact_import_errors"

    import_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("crm.contact_imports.id"), primary_key=True)
    row_number: Mapped[int] = mapped_column(Integer, primary_key=True)
    reason: Mapped[str] = mapped_column(Text)
