"""The schema ``sms``: senders, opt-outs, sends, received webhooks, media downloads, outbox and consumer records."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from masteria.messaging.tables import outbox_table, processed_events_table
from masteria.persistence.base import TenantOwned, UuidPk, make_base, utcnow

SCHEMA = "sms"
Base = make_base(SCHEMA)
outbox = outbox_table(Base.metadata)
processed_events = processed_events_table(Base.metadata)


class Sender(UuidPk, TenantOwned, Base):  # type: ignore[misc,valid-type]
    """A Twilio number a tenant connected; its auth token is sealed."""

    __tablename__ = "senders"
    __table_args__ = (UniqueConstraint("phone_number"),)

    account_sid: Mapped[str] = mapped_column(String(64))
    auth_token_sealed: Mapped[str] = mapped_column(Text)
    phone_number: Mapped[str] = mapped_column(String(20))  # E.164
    kind: Mapped[str] = mapped_column(String(16))  # long_code | toll_free | short_code
    messages_per_second: Mapped[int] = mapped_column(Integer)  # segments per second, as Twilio counts
    label: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class OptOut(Base):  # type: ignore[misc,valid-type]
    """Whether a recipient stopped one of our numbers (STOP) or came back (START)."""

    __tablename__ = "opt_outs"

    tenant_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    sender_number: Mapped[str] = mapped_column(String(20), primary_key=True)
    recipient: Mapped[str] = mapped_column(String(20), primary_key=True)
    opted_out: Mapped[bool]
    keyword: Mapped[str] = mapped_column(Text)
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The confirmation we send after STOP: the one message that may still go to the recipient.
    confirmation_id: Mapped[uuid.UUID | None]


class Send(Base):  # type: ignore[misc,valid-type]
    """One send command's progress: committed as ``sending`` before Twilio is called.

    A redelivered command finds its row: ``accepted``/``failed``/``unknown`` are never sent
    again, ``retry`` is, and ``sending`` means a crash inside the call: the outcome is unknown.
    """

    __tablename__ = "sends"
    __table_args__ = (Index("ix_sends_sid", "tenant_id", "sid", unique=True, postgresql_where="sid IS NOT NULL"),)

    tenant_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    command_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)  # message_id or dispatch_id
    attempt: Mapped[int] = mapped_column(Integer, primary_key=True)  # the campaign's attempt (1 for replies)
    lane: Mapped[str] = mapped_column(String(16))  # message | dispatch
    event_id: Mapped[uuid.UUID]  # the envelope that claimed the row: tells a redelivery from a copy
    sender_id: Mapped[uuid.UUID | None]
    recipient: Mapped[str] = mapped_column(String(20))
    state: Mapped[str] = mapped_column(String(16))  # sending | retry | accepted | failed | unknown
    status: Mapped[str | None] = mapped_column(String(16))  # the last MessageStatus published
    sid: Mapped[str | None] = mapped_column(String(64))
    segments: Mapped[int | None] = mapped_column(Integer)
    tries: Mapped[int] = mapped_column(Integer, default=0)  # provider calls made
    error_code: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class StatusReceipt(Base):  # type: ignore[misc,valid-type]
    """A status callback received, once per (MessageSid, status); applied when its send is known.

    Twilio may call back before the send's row has its MessageSid committed: such a receipt waits
    unapplied and the send applies it when it records the MessageSid.
    """

    __tablename__ = "status_receipts"

    tenant_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    sid: Mapped[str] = mapped_column(String(64), primary_key=True)
    status: Mapped[str] = mapped_column(String(16), primary_key=True)
    error_code: Mapped[str | None] = mapped_column(String(32))
    segments: Mapped[int | None] = mapped_column(Integer)
    recipient: Mapped[str] = mapped_column(Text)  # as Twilio wrote it ("whatsapp:+55..." exists)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    applied: Mapped[bool] = mapped_column(default=False)


class InboundReceipt(Base):  # type: ignore[misc,valid-type]
    """Each inbound MessageSid applied once: Twilio retries a webhook that failed or timed out."""

    __tablename__ = "inbound_receipts"
    __table_args__ = (Index("ix_inbound_receipts_received_at", "received_at"),)

    tenant_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(Text, primary_key=True)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class MediaDownload(Base):  # type: ignore[misc,valid-type]
    """An inbound MMS message waiting for its file; published once the file is in the media store."""

    __tablename__ = "media_downloads"
    __table_args__ = (Index("ix_media_downloads_due", "next_attempt_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)  # the InboundMessage event id
    tenant_id: Mapped[uuid.UUID] = mapped_column()
    sender_id: Mapped[uuid.UUID] = mapped_column()  # whose account SID and token fetch the file
    media_url: Mapped[str] = mapped_column(Text)
    envelope: Mapped[bytes] = mapped_column(LargeBinary)
    headers: Mapped[dict[str, str]] = mapped_column(JSONB)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


__all__ = [
    "SCHEMA",
    "Base",
    "InboundReceipt",
    "MediaDownload",
    "OptOut",
    "Send",
    "Sender",
    "StatusReceipt",
    "outbox",
    "processed_events",
]
