"""Audience filters: who, among the tenant's contacts, a campaign or a cadence enrolment reaches.

One filter becomes one SQL predicate over the contacts view, so counting, previewing and snapshotting a
million contacts all happen inside PostgreSQL; no audience is ever loaded into Python.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import ColumnElement, Table, and_, func, literal, not_, or_, select
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.expression import FromClause
from sqlalchemy.types import Text

from masteria.campaigns.tables import contacts, upload_contacts
from masteria.contracts.channels import Channel

ALL_CHANNELS = "*"
Tag = str


class AudienceFilter(BaseModel):
    """Every condition given must hold; an empty filter is every contact of the tenant."""

    model_config = ConfigDict(extra="forbid")

    tags_any: list[Tag] = Field(default_factory=list, max_length=100, description="At least one of these tags.")
    tags_all: list[Tag] = Field(default_factory=list, max_length=100, description="Every one of these tags.")
    tags_none: list[Tag] = Field(default_factory=list, max_length=100, description="None of these tags.")
    custom_fields: dict[str, str] = Field(default_factory=dict, description="Custom fields equal to these values.")
    lead_stage_ids: list[uuid.UUID] = Field(default_factory=list, max_length=100)
    last_inbound_after: AwareDatetime | None = None
    last_inbound_before: AwareDatetime | None = None
    last_inbound_within_days: int | None = Field(default=None, ge=1, le=3650)
    has_channel_consent: Channel | None = Field(
        default=None, description="Only contacts who have not opted out of this channel (nor of every channel)."
    )
    contact_ids: list[uuid.UUID] = Field(default_factory=list, max_length=10_000)
    upload_id: uuid.UUID | None = Field(default=None, description="Only contacts matched by this CSV upload.")

    @model_validator(mode="after")
    def _clean(self) -> AudienceFilter:
        for name in ("tags_any", "tags_all", "tags_none"):
            cleaned = sorted({t.strip() for t in getattr(self, name) if t.strip()})
            object.__setattr__(self, name, cleaned)
        return self


@dataclass(frozen=True)
class AudienceCount:
    """A live count: everyone the filter keeps, and how many of them a campaign on ``channel`` could reach."""

    total: int
    sendable: int
    opted_out: int
    invalid: int


def where_clause(
    audience: AudienceFilter, table: Table = contacts, *, now: datetime | None = None
) -> ColumnElement[bool]:
    """The predicate over the contacts view (deleted contacts never match)."""
    c = table.c
    conditions: list[ColumnElement[bool]] = [not_(c.deleted)]
    if audience.tags_any:
        conditions.append(c.tags.overlap(_text_array(audience.tags_any)))
    if audience.tags_all:
        conditions.append(c.tags.contains(_text_array(audience.tags_all)))
    if audience.tags_none:
        conditions.append(not_(c.tags.overlap(_text_array(audience.tags_none))))
    if audience.custom_fields:
        conditions.append(c.custom_fields.contains(literal(audience.custom_fields, JSONB)))
    if audience.lead_stage_ids:
        conditions.append(c.lead_stage_id.in_(audience.lead_stage_ids))
    conditions.extend(_activity(audience, table, now or datetime.now(UTC)))
    if audience.has_channel_consent is not None:
        conditions.append(not_(opted_out(table, audience.has_channel_consent)))
    if audience.contact_ids:
        conditions.append(c.contact_id.in_(audience.contact_ids))
    if audience.upload_id is not None:
        u = upload_contacts.c
        conditions.append(
            c.contact_id.in_(select(u.contact_id).where(u.upload_id == audience.upload_id).scalar_subquery())
        )
    return and_(*conditions)


def opted_out(table: FromClause, channel: Channel | str) -> ColumnElement[bool]:
    """True for a contact who refused ``channel`` or every channel."""
    refused: ColumnElement[bool] = table.c.opted_out.overlap(_text_array([ALL_CHANNELS, str(channel)]))
    return refused


def invalid_number(table: FromClause) -> ColumnElement[bool]:
    """True for a contact without a number we can send to (not E.164)."""
    # phone_ok is a stored generated column (phone is E.164); reading it beats a regex per row per scan.
    return not_(table.c.phone_ok)


async def count(session: AsyncSession, tenant_id: uuid.UUID, audience: AudienceFilter) -> int:
    """How many contacts of the tenant the filter keeps."""
    stmt = select(func.count()).select_from(contacts).where(contacts.c.tenant_id == tenant_id, where_clause(audience))
    return int((await session.execute(stmt)).scalar_one())


async def count_for_channel(
    session: AsyncSession, tenant_id: uuid.UUID, audience: AudienceFilter, channel: Channel | str
) -> AudienceCount:
    """The live count before launch: total, and sendable / opted out / invalid on ``channel`` (one scan)."""
    refused = opted_out(contacts, channel)
    invalid = invalid_number(contacts)
    stmt = select(
        func.count(),
        func.count().filter(and_(not_(refused), not_(invalid))),
        func.count().filter(refused),
        func.count().filter(and_(not_(refused), invalid)),
    ).where(contacts.c.tenant_id == tenant_id, where_clause(audience))
    total, sendable, refused_n, invalid_n = (await session.execute(stmt)).one()
    return AudienceCount(int(total), int(sendable), int(refused_n), int(invalid_n))


def _activity(audience: AudienceFilter, table: Table, now: datetime) -> list[ColumnElement[bool]]:
    last = table.c.last_inbound_at
    conditions: list[ColumnElement[bool]] = []
    if audience.last_inbound_after is not None:
        conditions.append(last >= audience.last_inbound_after)
    if audience.last_inbound_before is not None:
        # "Quiet since X" includes those who never wrote at all.
        conditions.append(or_(last.is_(None), last < audience.last_inbound_before))
    if audience.last_inbound_within_days is not None:
        conditions.append(last >= now - timedelta(days=audience.last_inbound_within_days))
    return conditions


def _text_array(values: list[str]) -> Any:
    return literal(values, ARRAY(Text))
