"""Declarative bases: one metadata per service schema, tenant-owned rows, time-ordered ids."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import DateTime, MetaData, Uuid
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from masteria.contracts.ids import uuid7

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """Timezone-aware now, the only kind of time we store."""
    return datetime.now(UTC)


def make_base(schema: str) -> type[DeclarativeBase]:
    """A declarative base whose tables live in the service's own ``schema``."""

    class Base(DeclarativeBase):
        metadata = MetaData(schema=schema, naming_convention=NAMING)
        type_annotation_map = {datetime: DateTime(timezone=True), uuid.UUID: Uuid}

    return Base


class TenantOwned:
    """Mixin for every row that belongs to a tenant; RLS filters on this column."""

    tenant_id: Mapped[uuid.UUID] = mapped_column(index=True)


class UuidPk:
    """UUIDv7 primary key: unique across services and ordered by creation time."""

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)
