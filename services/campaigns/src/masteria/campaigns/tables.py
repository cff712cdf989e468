"""The schema ``campaigns``: the audience view of contacts, segments, uploads, campaigns, their recipients and
counters, the cross-channel send log, the snapshot jobs, the outbox and consumer records.

The columns mirror migration 0002_campaigns; queries use the Core tables (``X.__table__``) because every
hot path is set-based (one statement per concern per batch), never row objects.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, Computed, Double, Integer, SmallInteger, Text, Uuid
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from masteria.messaging.tables import outbox_table, processed_events_table
from masteria.persistence.base import TenantOwned, UuidPk, make_base, utcnow

SCHEMA = "campaigns"
# Whether a contact's number is E.164 (a stored generated column: audience scans read it, never the regex).
PHONE_OK = r"phone IS NOT NULL AND phone ~ '^\+[1-9]\d{6,14}$'"
Base = make_base(SCHEMA)
outbox = outbox_table(Base.metadata)
processed_events = processed_events_table(Base.metadata)


class Contact(TenantOwned, Base):  # type: ignore[misc,valid-type]
    """The audience view: crm's contacts as their events describe them, with lead stage and last inbound.

    ``opted_out`` lists the channels the contact refused ('*' = every channel). ``state_at`` and
    ``stage_at`` are the times of the event that set the details and the stage, so a late redelivery
    never overwrites newer news. A deleted (or merged-away) contact stays as a tombstone.
    """

    __tablename__ = "contacts"

    contact_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    phone: Mapped[str | None] = mapped_column(Text)
    phone_ok: Mapped[bool] = mapped_column(Boolean, Computed(PHONE_OK, persisted=True))
    name: Mapped[str | None] = mapped_column(Text)
    email: Mapped[str | None] = mapped_column(Text)
    tags: Mapped[list[str]] = mapped_column(ARRAY(Text), default=list)
    custom_fields: Mapped[dict[str, str]] = mapped_column(JSONB, default=dict)
    opted_out: Mapped[list[str]] = mapped_column(ARRAY(Text), default=list)
    last_inbound_at: Mapped[datetime | None]
    last_inbound_channel: Mapped[str | None] = mapped_column(Text)
    lead_stage_id: Mapped[uuid.UUID | None]
    lead_stage_name: Mapped[str | None] = mapped_column(Text)
    lead_pipeline_id: Mapped[uuid.UUID | None]
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    state_at: Mapped[datetime | None]
    stage_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Segment(UuidPk, TenantOwned, Base):  # type: ignore[misc,valid-type]
    """A saved audience filter (an ``AudienceFilter`` as JSON)."""

    __tablename__ = "segments"

    name: Mapped[str] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    filter: Mapped[dict[str, Any]] = mapped_column(JSONB)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Upload(UuidPk, TenantOwned, Base):  # type: ignore[misc,valid-type]
    """A CSV audience: its rows matched to contacts by number (``upload_contacts``)."""

    __tablename__ = "uploads"

    filename: Mapped[str | None] = mapped_column(Text)
    rows: Mapped[int] = mapped_column(Integer, default=0)
    matched: Mapped[int] = mapped_column(Integer, default=0)
    unmatched: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class UploadContact(TenantOwned, Base):  # type: ignore[misc,valid-type]
    """One contact matched by an upload."""

    __tablename__ = "upload_contacts"

    upload_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    contact_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)


class Campaign(UuidPk, TenantOwned, Base):  # type: ignore[misc,valid-type]
    """A campaign: what, to whom, when and how fast; plus the dispatcher's pacing state.

    ``pace_tokens``/``pace_at`` are the token bucket, kept in the row the dispatcher locks so that
    replicas taking turns share one bucket. ``needs_sweep`` marks a cancelled campaign whose pending
    recipients are still being marked cancelled (in chunks, so cancelling a million answers at once).
    """

    __tablename__ = "campaigns"

    name: Mapped[str] = mapped_column(Text)
    channel: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(Text, default="draft")
    audience: Mapped[dict[str, Any]] = mapped_column(JSONB)
    message: Mapped[dict[str, Any]] = mapped_column(JSONB)
    schedule: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    messages_per_second: Mapped[float] = mapped_column(Double)
    channel_account_ids: Mapped[list[uuid.UUID]] = mapped_column(ARRAY(Uuid), default=list)
    duplicate_window_s: Mapped[int] = mapped_column(Integer)
    max_attempts: Mapped[int] = mapped_column(SmallInteger)
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    snapshot_done_at: Mapped[datetime | None]
    launched_at: Mapped[datetime | None]
    paused_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    needs_sweep: Mapped[bool] = mapped_column(Boolean, default=False)
    pace_tokens: Mapped[float] = mapped_column(Double, default=0.0)
    pace_at: Mapped[datetime | None]
    sender_cursor: Mapped[int] = mapped_column(BigInteger, default=0)
    progress_at: Mapped[datetime | None]
    created_by: Mapped[uuid.UUID | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class CampaignCounters(TenantOwned, Base):  # type: ignore[misc,valid-type]
    """Recipients per state of one campaign, moved by every statement that moves recipients.

    Kept apart from ``campaigns`` so the status consumer never waits on the row the dispatcher locks.
    """

    __tablename__ = "campaign_counters"

    campaign_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    total: Mapped[int] = mapped_column(Integer, default=0)
    pending: Mapped[int] = mapped_column(Integer, default=0)
    queued: Mapped[int] = mapped_column(Integer, default=0)
    sent: Mapped[int] = mapped_column(Integer, default=0)
    delivered: Mapped[int] = mapped_column(Integer, default=0)
    read: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    unknown: Mapped[int] = mapped_column(Integer, default=0)
    skipped: Mapped[int] = mapped_column(Integer, default=0)
    cancelled: Mapped[int] = mapped_column(Integer, default=0)
    replied: Mapped[int] = mapped_column(Integer, default=0)


class Recipient(TenantOwned, Base):  # type: ignore[misc,valid-type]
    """One contact of a campaign's snapshot and where its message stands."""

    __tablename__ = "recipients"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    campaign_id: Mapped[uuid.UUID]
    contact_id: Mapped[uuid.UUID]
    phone: Mapped[str | None] = mapped_column(Text)
    variant: Mapped[str] = mapped_column(Text)
    channel_account_id: Mapped[uuid.UUID | None]
    state: Mapped[str] = mapped_column(Text, default="pending")
    skip_reason: Mapped[str | None] = mapped_column(Text)
    attempt: Mapped[int] = mapped_column(SmallInteger, default=0)
    dispatch_id: Mapped[uuid.UUID | None]
    next_attempt_at: Mapped[datetime | None]
    error_code: Mapped[str | None] = mapped_column(Text)
    error_title: Mapped[str | None] = mapped_column(Text)
    queued_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]
    read_at: Mapped[datetime | None]
    failed_at: Mapped[datetime | None]
    replied_at: Mapped[datetime | None]


class SendLog(TenantOwned, Base):  # type: ignore[misc,valid-type]
    """When a content (hash of the spec before rendering) last went to a number, campaigns and cadences alike."""

    __tablename__ = "send_log"

    phone: Mapped[str] = mapped_column(Text, primary_key=True)
    content_hash: Mapped[str] = mapped_column(Text, primary_key=True)
    last_sent_at: Mapped[datetime] = mapped_column(default=utcnow)


class SnapshotJob(TenantOwned, Base):  # type: ignore[misc,valid-type]
    """A launched campaign whose audience is still to be snapshotted; the row is the durable to-do."""

    __tablename__ = "snapshot_jobs"

    campaign_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)


contacts = Contact.__table__
segments = Segment.__table__
uploads = Upload.__table__
upload_contacts = UploadContact.__table__
campaigns = Campaign.__table__
counters = CampaignCounters.__table__
recipients = Recipient.__table__
send_log = SendLog.__table__
snapshot_jobs = SnapshotJob.__table__
