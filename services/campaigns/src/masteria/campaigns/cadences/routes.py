"""``/api/v1/cadences``: drip sequences, their enrolments and per-step statistics."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from masteria.campaigns.cadences import enrolling, repository, service
from masteria.campaigns.cadences.errors import CadenceNotFoundError, domain_errors
from masteria.campaigns.cadences.schemas import (
    CadenceIn,
    CadenceOut,
    CadencePatch,
    CadenceState,
    CadenceStats,
    EnrolIn,
    EnrolmentOut,
    EnrolmentState,
    EnrolOut,
)
from masteria.campaigns.cadences.settings import CadenceSettings
from masteria.campaigns.cadences.stats import cadence_stats
from masteria.persistence.tenancy import tenant_session
from masteria.runtime.auth import current_identity, require_roles
from masteria.runtime.pagination import Page, decode_cursor, encode_cursor
from masteria.runtime.problems import Problem
from masteria.runtime.service import service_of
from masteria.security.internal_token import Identity

router = APIRouter(prefix="/api/v1/cadences", tags=["cadences"])
writers = require_roles("owner", "admin", "agent")
_BAD_CURSOR = Problem(400, "Invalid cursor", "the cursor is not one this API returned")


def _settings(request: Request) -> CadenceSettings:
    state = request.app.state
    if not hasattr(state, "cadence_settings"):
        state.cadence_settings = CadenceSettings()
    settings: CadenceSettings = state.cadence_settings
    return settings


def _now() -> datetime:
    return datetime.now(UTC)


@router.post("", status_code=201)
async def create_cadence(body: CadenceIn, request: Request, identity: Identity = Depends(writers)) -> CadenceOut:
    """Create a cadence (a draft until activated)."""
    with domain_errors():
        async with tenant_session(service_of(request).sessions, identity.tenant_id) as session:
            return await service.create(session, identity.tenant_id, body, _settings(request), _now())


@router.get("")
async def list_cadences(
    request: Request,
    identity: Identity = Depends(current_identity),
    state: CadenceState | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: str | None = None,
) -> Page[CadenceOut]:
    """Cadences, newest first."""
    before = _decode_id(cursor)
    async with tenant_session(service_of(request).sessions, identity.tenant_id) as session:
        rows = await repository.cadence_page(session, limit=limit + 1, before=before, state=state)
        items = await service.describe(session, rows[:limit])
    more = len(rows) > limit
    return Page[CadenceOut](items=items, next_cursor=encode_cursor([str(items[-1].id)]) if more else None)


@router.get("/{cadence_id}")
async def get_cadence(cadence_id: uuid.UUID, request: Request, identity: Identity = Depends(current_identity)
                      ) -> CadenceOut:
    """One cadence with its steps and enrolment counts."""
    with domain_errors():
        async with tenant_session(service_of(request).sessions, identity.tenant_id) as session:
            return await service.view(session, cadence_id)


@router.patch("/{cadence_id}")
async def patch_cadence(
    cadence_id: uuid.UUID, body: CadencePatch, request: Request, identity: Identity = Depends(writers)
) -> CadenceOut:
    """Change a cadence; its steps only while nobody was ever enrolled (409 ``cadence_in_use``)."""
    with domain_errors():
        async with tenant_session(service_of(request).sessions, identity.tenant_id) as session:
            return await service.change(session, identity.tenant_id, cadence_id, body, _settings(request), _now())


@router.delete("/{cadence_id}", status_code=204)
async def delete_cadence(cadence_id: uuid.UUID, request: Request, identity: Identity = Depends(writers)) -> Response:
    """Delete a cadence; its active enrolments stop (reason ``cadence_deleted``)."""
    with domain_errors():
        async with tenant_session(service_of(request).sessions, identity.tenant_id) as session:
            await service.remove(session, cadence_id, _now())
    return Response(status_code=204)


@router.post("/{cadence_id}/activate")
async def activate(cadence_id: uuid.UUID, request: Request, identity: Identity = Depends(writers)) -> CadenceOut:
    """Activate (or resume) a cadence; answers once the state is committed (409 ``no_steps`` without steps)."""
    with domain_errors():
        async with tenant_session(service_of(request).sessions, identity.tenant_id) as session:
            return await service.activate(session, cadence_id, _now())


@router.post("/{cadence_id}/pause")
async def pause(cadence_id: uuid.UUID, request: Request, identity: Identity = Depends(writers)) -> CadenceOut:
    """Pause a cadence: its enrolments wait where they are until it is activated again."""
    with domain_errors():
        async with tenant_session(service_of(request).sessions, identity.tenant_id) as session:
            return await service.pause(session, cadence_id, _now())


@router.post("/{cadence_id}/enrolments")
async def enrol(
    cadence_id: uuid.UUID, body: EnrolIn, request: Request, identity: Identity = Depends(writers)
) -> EnrolOut:
    """Enrol contacts by id, segment or filter; says how many were enrolled and why others were not."""
    with domain_errors():
        async with tenant_session(service_of(request).sessions, identity.tenant_id) as session:
            return await enrolling.enrol(session, identity.tenant_id, cadence_id, body, _now())


@router.get("/{cadence_id}/enrolments")
async def list_enrolments(
    cadence_id: uuid.UUID,
    request: Request,
    identity: Identity = Depends(current_identity),
    state: EnrolmentState | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: str | None = None,
) -> Page[EnrolmentOut]:
    """A cadence's enrolments, newest first."""
    before = _decode_time_id(cursor)
    with domain_errors():
        async with tenant_session(service_of(request).sessions, identity.tenant_id) as session:
            await service.existing(session, cadence_id)
            rows = await repository.enrolment_page(session, cadence_id, state=state, limit=limit + 1, before=before)
    page = [enrolling.enrolment_out(row) for row in rows[:limit]]
    more = len(rows) > limit
    next_cursor = encode_cursor([page[-1].enrolled_at.isoformat(), str(page[-1].id)]) if more else None
    return Page[EnrolmentOut](items=page, next_cursor=next_cursor)


@router.delete("/{cadence_id}/enrolments/{enrolment_id}")
async def stop_enrolment(
    cadence_id: uuid.UUID, enrolment_id: uuid.UUID, request: Request, identity: Identity = Depends(writers)
) -> EnrolmentOut:
    """Stop one enrolment by hand (reason ``manual``); it never sends again."""
    with domain_errors():
        async with tenant_session(service_of(request).sessions, identity.tenant_id) as session:
            return await enrolling.stop_by_hand(session, cadence_id, enrolment_id, _now())


@router.get("/{cadence_id}/stats")
async def stats(cadence_id: uuid.UUID, request: Request, identity: Identity = Depends(current_identity)
                ) -> CadenceStats:
    """Per step: sent, delivered, read, failed, replied, skipped by condition; enrolments by state and reason."""
    with domain_errors():
        async with tenant_session(service_of(request).sessions, identity.tenant_id) as session:
            if await repository.cadence_by_id(session, cadence_id) is None:
                raise CadenceNotFoundError(service.NOT_FOUND)
            return await cadence_stats(session, cadence_id)


def _decode_id(cursor: str | None) -> uuid.UUID | None:
    if cursor is None:
        return None
    try:
        return uuid.UUID(decode_cursor(cursor)[0])
    except (IndexError, ValueError, TypeError) as exc:
        raise _BAD_CURSOR from exc


def _decode_time_id(cursor: str | None) -> tuple[datetime, uuid.UUID] | None:
    if cursor is None:
        return None
    values = decode_cursor(cursor)
    try:
        return datetime.fromisoformat(values[0]), uuid.UUID(values[1])
    except (IndexError, ValueError, TypeError) as exc:
        raise _BAD_CURSOR from exc
