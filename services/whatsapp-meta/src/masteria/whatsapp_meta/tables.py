"""The schema ``whatsapp_meta``: registered numbers, received wamids, outbox and consumer records."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Index, String, Text, UniqueConstraint
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


class InboundReceipt(Base):  # type: ignore[misc,valid-type]
    """Each provider event applied once: Meta redelivers for days and sends duplicates."""

    __tablename__ = "inbound_receipts"
    __table_args__ = (Index("ix_inbound_receipts_received_at", "received_at"),)

    tenant_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    # wamid for messages, "wamid:status" for statuses
    key: Mapped[str] = mapped_column(Text, primary_key=True)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


__all__ = ["SCHEMA", "Base", "InboundReceipt", "PhoneNumber", "outbox", "processed_events", "uuid"]
