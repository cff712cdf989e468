"""The cadence tables (migrations 0003 and 0004): cadences, their steps, enrolments (the durable timers) and
sends (with their retry timers)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, SmallInteger, String, Text, UniqueConstraint, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from masteria.campaigns.tables import Base
from masteria.persistence.base import TenantOwned, UuidPk, utcnow


class Cadence(UuidPk, TenantOwned, Base):  # type: ignore[misc,valid-type]
    """A drip sequence; only an ``active`` one sends. ``deleted`` hides it but keeps its history."""

    __tablename__ = "cadences"

    name: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16), default="draft")
    business_hours: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    stop_on_reply: Mapped[bool] = mapped_column(Boolean, default=True)
    stop_on_stage_change: Mapped[bool] = mapped_column(Boolean, default=False)
    enrol_on_stage_id: Mapped[uuid.UUID | None]
    duplicate_window_s: Mapped[int] = mapped_column(Integer, default=86_400)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    activated_at: Mapped[datetime | None]
    paused_at: Mapped[datetime | None]
    deleted_at: Mapped[datetime | None]


class CadenceStep(UuidPk, TenantOwned, Base):  # type: ignore[misc,valid-type]
    """One message of a cadence, at a 1-based ``position``."""

    __tablename__ = "cadence_steps"
    __table_args__ = (UniqueConstraint("cadence_id", "position"),)

    cadence_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("campaigns.cadences.id"))
    position: Mapped[int] = mapped_column(Integer)
    channel: Mapped[str] = mapped_column(String(32))
    channel_account_id: Mapped[uuid.UUID | None]
    content: Mapped[dict[str, Any]] = mapped_column(JSONB)
    delay_value: Mapped[int] = mapped_column(Integer)
    delay_unit: Mapped[str] = mapped_column(String(8))
    condition: Mapped[str] = mapped_column(String(16))
    condition_stage_id: Mapped[uuid.UUID | None]
    condition_since: Mapped[str] = mapped_column(String(16))


class Enrolment(UuidPk, TenantOwned, Base):  # type: ignore[misc,valid-type]
    """A contact going through a cadence; ``next_run_at`` is the durable timer of its next step."""

    __tablename__ = "enrolments"
    __table_args__ = (
        Index(
            "uq_enrolments_active", "cadence_id", "contact_id", unique=True, postgresql_where=text("state = 'active'")
        ),
    )

    cadence_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("campaigns.cadences.id"))
    contact_id: Mapped[uuid.UUID]
    state: Mapped[str] = mapped_column(String(16), default="active")
    source: Mapped[str] = mapped_column(String(16))
    next_position: Mapped[int] = mapped_column(Integer, default=1)
    next_run_at: Mapped[datetime | None]
    enrolled_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_step_at: Mapped[datetime | None]
    last_reply_at: Mapped[datetime | None]
    stopped_at: Mapped[datetime | None]
    stop_reason: Mapped[str | None] = mapped_column(String(32))
    completed_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class CadenceSend(UuidPk, TenantOwned, Base):  # type: ignore[misc,valid-type]
    """What one step did for one enrolment: a message handed to the bulk lane, or a skip with its reason.

    ``attempt`` is the attempt in flight (or the last one); a send that failed transiently waits as
    ``retrying`` until ``retry_at``, without a dispatch id, then goes again under a new one.
    """

    __tablename__ = "cadence_sends"
    __table_args__ = (UniqueConstraint("enrolment_id", "step_id"), UniqueConstraint("dispatch_id"))

    cadence_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("campaigns.cadences.id"))
    enrolment_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("campaigns.enrolments.id"))
    step_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("campaigns.cadence_steps.id"))
    position: Mapped[int] = mapped_column(Integer)
    contact_id: Mapped[uuid.UUID]
    channel: Mapped[str] = mapped_column(String(32))
    dispatch_id: Mapped[uuid.UUID | None]
    state: Mapped[str] = mapped_column(String(16))
    skip_reason: Mapped[str | None] = mapped_column(String(32))
    error_code: Mapped[str | None] = mapped_column(Text)
    error_title: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]
    read_at: Mapped[datetime | None]
    failed_at: Mapped[datetime | None]
    replied_at: Mapped[datetime | None]
    attempt: Mapped[int] = mapped_column(SmallInteger, default=1)
    retry_at: Mapped[datetime | None]
