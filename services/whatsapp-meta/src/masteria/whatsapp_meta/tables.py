"""The schema ``whatsapp_meta``: numbers, receipts, sends and their statuses, windows, templates, media."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Index, Integer, LargeBinary, String, Text, UniqueConstraint, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from masteria.messaging.tables import outbox_table, processed_events_table
from masteria.persistence.base import TenantOwned, UuidPk, make_base, utcnow

SCHEMA = "whatsapp_meta"
Base = make_base(SCHEMA)
outbox = outbox_table(Base.metadata)
processed_events = processed_events_table(Base.metadata)


class PhoneNumber(UuidPk, TenantOwned, Base):  # type: ignore[misc,valid-type]
    """A Cloud API number a tenant connected; its token and app secret are sealed."""

    __tablename__ = "phone_numbers"
    __table_args__ = (UniqueConstraint("phone_number_id"),)

    phone_number_id: Mapped[str] = mapped_column(String(64))
    display_phone_number: Mapped[str] = mapped_column(String(32))
    waba_id: Mapped[str] = mapped_column(String(64))
    label: Mapped[str | None] = mapped_column(Text)
    access_token_sealed: Mapped[str] = mapped_column(Text)
    app_secret_sealed: Mapped[str] = mapped_column(Text)
    verify_token_sealed: Mapped[str] = mapped_column(Text)
    verify_token_hash: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Sending profile: our pace, and what Graph last told about the number.
    messages_per_second: Mapped[int] = mapped_column(Integer, default=80, server_default=text("80"))
    messaging_limit_tier: Mapped[str | None] = mapped_column(String(32))
    quality_rating: Mapped[str | None] = mapped_column(String(16))
    throughput_level: Mapped[str | None] = mapped_column(String(16))
    verified_name: Mapped[str | None] = mapped_column(Text)
    profile_refreshed_at: Mapped[datetime | None] = mapped_column()


class InboundReceipt(Base):  # type: ignore[misc,valid-type]
    """Each provider event applied once: Meta redelivers for days and sends duplicates."""

    __tablename__ = "inbound_receipts"
    __table_args__ = (Index("ix_inbound_receipts_received_at", "received_at"),)

    tenant_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    # wamid for messages, "wamid:status" for statuses
    key: Mapped[str] = mapped_column(Text, primary_key=True)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class OutboundMessage(Base):  # type: ignore[misc,valid-type]
    """One send command (message_id or dispatch_id) and where it stands; the idempotency record.

    ``state`` is our pipeline (queued, sending, retrying, accepted, failed, unknown); ``status`` is
    the delivery status last published, which only ever advances.
    """

    __tablename__ = "outbound_messages"
    __table_args__ = (
        Index("ix_outbound_messages_wamid", "tenant_id", "wamid", postgresql_where=text("wamid IS NOT NULL")),
        Index("ix_outbound_messages_due", "next_attempt_at", postgresql_where=text("state = 'retrying'")),
        Index("ix_outbound_messages_sending", "sending_at", postgresql_where=text("state = 'sending'")),
        Index("ix_outbound_messages_queued", "updated_at", postgresql_where=text("state = 'queued'")),
    )

    tenant_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    lane: Mapped[str] = mapped_column(String(16), primary_key=True)  # "outbound" or "dispatch"
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    number_id: Mapped[uuid.UUID | None] = mapped_column()
    recipient: Mapped[str] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(16))
    status: Mapped[str | None] = mapped_column(String(16))
    status_at: Mapped[datetime | None] = mapped_column()
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    campaign_attempt: Mapped[int] = mapped_column(Integer, default=1)
    next_attempt_at: Mapped[datetime | None] = mapped_column()
    sending_at: Mapped[datetime | None] = mapped_column()
    wamid: Mapped[str | None] = mapped_column(Text)
    last_error: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    command: Mapped[bytes | None] = mapped_column(LargeBinary)  # the envelope, until the send is settled
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class OrphanStatus(Base):  # type: ignore[misc,valid-type]
    """A status whose wamid no send has recorded yet (Meta can be faster than our commit)."""

    __tablename__ = "orphan_statuses"

    tenant_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    wamid: Mapped[str] = mapped_column(Text, primary_key=True)
    status: Mapped[str] = mapped_column(String(16), primary_key=True)
    number_id: Mapped[uuid.UUID] = mapped_column()
    recipient: Mapped[str] = mapped_column(String(32))
    occurred_at: Mapped[datetime] = mapped_column()
    error: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    received_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class CustomerWindow(Base):  # type: ignore[misc,valid-type]
    """When a customer last wrote to one of our numbers: the 24-hour service window."""

    __tablename__ = "customer_windows"

    tenant_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    number_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    wa_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    last_inbound_at: Mapped[datetime] = mapped_column()


class Template(UuidPk, TenantOwned, Base):  # type: ignore[misc,valid-type]
    """A message template of a WhatsApp Business account, as last synced from Graph."""

    __tablename__ = "templates"
    __table_args__ = (UniqueConstraint("tenant_id", "waba_id", "name", "language"),)

    waba_id: Mapped[str] = mapped_column(String(64))
    meta_id: Mapped[str | None] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(512))
    language: Mapped[str] = mapped_column(String(16))
    category: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(32))
    # Why Meta rejected, paused or disabled it (its reason code or note), for the refusal we give.
    status_reason: Mapped[str | None] = mapped_column(Text)
    parameter_format: Mapped[str] = mapped_column(String(16), default="POSITIONAL")
    components: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)
    quality_score: Mapped[str | None] = mapped_column(String(16))
    synced_at: Mapped[datetime] = mapped_column(default=utcnow)


class MediaDownload(Base):  # type: ignore[misc,valid-type]
    """An inbound media message waiting for its file; published once the file is in the store."""

    __tablename__ = "media_downloads"
    __table_args__ = (Index("ix_media_downloads_due", "next_attempt_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)  # the InboundMessage event id
    tenant_id: Mapped[uuid.UUID] = mapped_column()
    phone_number_id: Mapped[str] = mapped_column(String(64))
    media_id: Mapped[str] = mapped_column(Text)
    envelope: Mapped[bytes] = mapped_column(LargeBinary)
    headers: Mapped[dict[str, str]] = mapped_column(JSONB)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


__all__ = [
    "SCHEMA",
    "Base",
    "CustomerWindow",
    "InboundReceipt",
    "MediaDownload",
    "OrphanStatus",
    "OutboundMessage",
    "PhoneNumber",
    "Template",
    "outbox",
    "processed_events",
    "uuid",
]
