"""Tenants and who belongs to them with which role."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from masteria.gateway.database import Base
from masteria.gateway.tenancy.zones import DEFAULT_TIMEZONE
from masteria.persistence.base import UuidPk, utcnow


class Tenant(UuidPk, Base):
    """A customer account; its id is the tenant id every other service keys on."""

    __tablename__ = "tenants"

    name: Mapped[str] = mapped_column(String(200))
    # IANA name: schedules and the dashboard's dates default to the company's local time.
    timezone: Mapped[str] = mapped_column(String(64), default=DEFAULT_TIMEZONE)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Membership(UuidPk, Base):
    """A user's role in one tenant."""

    __tablename__ = "memberships"
    __table_args__ = (
        UniqueConstraint("tenant_id", "user_id"),
        CheckConstraint("role IN ('owner', 'admin', 'agent', 'viewer')", name="role"),
    )

    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
