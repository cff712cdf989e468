"""``/api/v1/campaigns/segments``: saved audience filters, reused by campaigns and cadence enrolments."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy.ext.asyncio import AsyncSession

from masteria.campaigns.access import writers
from masteria.campaigns.audience.filters import AudienceFilter
from masteria.campaigns.tables import Segment
from masteria.campaigns.tools import segment_store
from masteria.contracts.ids import uuid7
from masteria.persistence.base import utcnow
from masteria.persistence.tenancy import tenant_session
from masteria.runtime import pagination as cursors
from masteria.runtime.auth import current_identity
from masteria.runtime.pagination import Page
from masteria.runtime.problems import Problem
from masteria.runtime.service import service_of
from masteria.security.internal_token import Identity

router = APIRouter(prefix="/api/v1/campaigns/segments", tags=["campaigns"])
Name = Annotated[str, Field(min_length=1, max_length=200)]


def _trim(name: str) -> str:
    if not name.strip():
        raise ValueError("the name cannot be blank")
    return name.strip()


class SegmentIn(BaseModel):
    """A named filter."""

    model_config = ConfigDict(extra="forbid")

    name: Name
    description: str | None = Field(None, max_length=2000)
    filter: AudienceFilter = Field(default_factory=AudienceFilter)

    @field_validator("name")
    @classmethod
    def _trimmed(cls, name: str) -> str:
        return _trim(name)


class SegmentPatch(BaseModel):
    """The fields to change; the filter is replaced whole."""

    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    description: str | None = Field(None, max_length=2000)
    filter: AudienceFilter | None = None

    @field_validator("name")
    @classmethod
    def _trimmed(cls, name: str | None) -> str | None:
        return _trim(name) if name is not None else None


class SegmentOut(BaseModel):
    """A saved segment."""

    id: uuid.UUID
    name: str
    description: str | None
    filter: AudienceFilter
    created_at: datetime
    updated_at: datetime


def to_out(row: Segment) -> SegmentOut:
    """The API shape of a segment."""
    return SegmentOut(
        id=row.id,
        name=row.name,
        description=row.description,
        filter=AudienceFilter.model_validate(row.filter),
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _stored(audience: AudienceFilter) -> dict[str, object]:
    return audience.model_dump(mode="json", exclude_defaults=True)


def _not_found() -> Problem:
    return Problem(404, "Not found", "no such segment", reason="segment_not_found")


def _name_taken(name: str) -> Problem:
    return Problem(409, "Name taken", f"a segment named {name!r} already exists", reason="segment_name_taken")


async def _found(session: AsyncSession, segment_id: uuid.UUID) -> Segment:
    row = await segment_store.segment_by_id(session, segment_id)
    if row is None:
        raise _not_found()
    return row


async def _check_name_free(
    session: AsyncSession, tenant_id: uuid.UUID, name: str, own_id: uuid.UUID | None = None
) -> None:
    other = await segment_store.segment_named(session, tenant_id, name)
    if other is not None and other.id != own_id:
        raise _name_taken(name)


@router.get("")
async def list_segments(
    request: Request,
    identity: Identity = Depends(current_identity),
    q: Annotated[str | None, Query(max_length=100, description="Part of the name")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: str | None = None,
) -> Page[SegmentOut]:
    """The tenant's segments, newest first."""
    after = cursors.decode_id(cursor)
    async with tenant_session(service_of(request).sessions, identity.tenant_id) as session:
        rows = await segment_store.segment_page(session, q=(q or "").strip() or None, limit=limit + 1, after=after)
    page, more = rows[:limit], len(rows) > limit
    return Page[SegmentOut](
        items=[to_out(r) for r in page], next_cursor=cursors.encode_id(page[-1].id) if more else None
    )


@router.post("", status_code=201, responses={409: {"description": "The name is taken (reason segment_name_taken)"}})
async def create_segment(body: SegmentIn, request: Request, identity: Identity = Depends(writers)) -> SegmentOut:
    """Save a filter under a name unique in the tenant."""
    async with tenant_session(service_of(request).sessions, identity.tenant_id) as session:
        await _check_name_free(session, identity.tenant_id, body.name)
        now = utcnow()
        row = Segment(
            id=uuid7(),
            tenant_id=identity.tenant_id,
            name=body.name,
            description=body.description,
            filter=_stored(body.filter),
            created_at=now,
            updated_at=now,
        )
        await segment_store.add_segment(session, row)
    return to_out(row)


@router.get("/{segment_id}")
async def get_segment(
    segment_id: uuid.UUID, request: Request, identity: Identity = Depends(current_identity)
) -> SegmentOut:
    """One segment."""
    async with tenant_session(service_of(request).sessions, identity.tenant_id) as session:
        row = await _found(session, segment_id)
    return to_out(row)


@router.patch("/{segment_id}", responses={409: {"description": "The new name is taken"}})
async def patch_segment(
    segment_id: uuid.UUID, body: SegmentPatch, request: Request, identity: Identity = Depends(writers)
) -> SegmentOut:
    """Rename, describe or refilter a segment (campaigns already launched keep their snapshot)."""
    async with tenant_session(service_of(request).sessions, identity.tenant_id) as session:
        row = await _found(session, segment_id)
        if body.name is not None:
            await _check_name_free(session, identity.tenant_id, body.name, own_id=row.id)
            row.name = body.name
        if "description" in body.model_fields_set:
            row.description = body.description
        if body.filter is not None:
            row.filter = _stored(body.filter)
        row.updated_at = utcnow()
        await session.flush()
    return to_out(row)


@router.delete("/{segment_id}", status_code=204, responses={409: {"description": "A draft campaign uses it"}})
async def delete_segment(segment_id: uuid.UUID, request: Request, identity: Identity = Depends(writers)) -> Response:
    """Delete a segment no draft campaign is waiting on (409 segment_in_use names them)."""
    async with tenant_session(service_of(request).sessions, identity.tenant_id) as session:
        row = await _found(session, segment_id)
        waiting = await segment_store.campaigns_waiting_on(session, segment_id)
        if waiting:
            raise Problem(
                409,
                "Segment in use",
                "draft campaigns use this segment as their audience: change or delete them first",
                reason="segment_in_use",
                campaign_ids=[str(c) for c in waiting],
            )
        await segment_store.delete_segment(session, row)
    return Response(status_code=204)
