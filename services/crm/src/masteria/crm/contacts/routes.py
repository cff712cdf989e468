"""``/api/v1/contacts``: the CRM's contacts, filtered, paged by cursor, merged, exported."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import StreamingResponse

from masteria.contracts.channels import Channel
from masteria.contracts.contacts import ContactSource
from masteria.crm import cursors
from masteria.crm.access import admins, writers
from masteria.crm.contacts import merge, repository, service
from masteria.crm.contacts.consent import change_consent
from masteria.crm.contacts.export import export_csv
from masteria.crm.contacts.repository import ContactFilters
from masteria.crm.contacts.schemas import (
    ConsentIn,
    ContactCreate,
    ContactOut,
    ContactPatch,
    MergeIn,
    TagCount,
    TimelineItem,
)
from masteria.crm.contacts.timeline import timeline_page
from masteria.crm.problems import domain_errors
from masteria.crm.runtime import crm_of
from masteria.persistence.tenancy import tenant_session
from masteria.runtime.auth import current_identity
from masteria.runtime.pagination import Page
from masteria.runtime.service import service_of
from masteria.security.internal_token import Identity

router = APIRouter(prefix="/api/v1/contacts", tags=["contacts"])
Limit = Annotated[int, Query(ge=1, le=200)]
NOT_FOUND = "no such contact"


def contact_filters(
    q: Annotated[str | None, Query(max_length=100, description="Name, email or number")] = None,
    tag: Annotated[list[str] | None, Query(description="Repeat to require several tags")] = None,
    channel: Annotated[
        Channel | None, Query(description="Alone: has a conversation there; with opted_out: whose consent to look at")
    ] = None,
    opted_out: Annotated[bool | None, Query(description="Opted out (of `channel`, or of any channel)")] = None,
) -> ContactFilters:
    """The filters the list and the export share."""
    return ContactFilters(
        q=(q or "").strip() or None,
        tags=[t.strip() for t in tag or [] if t.strip()],
        channel=channel.value if channel else None,
        opted_out=opted_out,
    )


@router.get("")
async def list_contacts(
    request: Request,
    identity: Identity = Depends(current_identity),
    filters: ContactFilters = Depends(contact_filters),
    limit: Limit = 50,
    cursor: str | None = None,
) -> Page[ContactOut]:
    """Contacts, newest first."""
    after = cursors.decode_id(cursor)
    async with tenant_session(service_of(request).sessions, identity.tenant_id) as session:
        rows = await repository.contact_page(session, filters, limit=limit + 1, after=after)
    page, more = rows[:limit], len(rows) > limit
    return Page[ContactOut](
        items=[service.to_out(r) for r in page], next_cursor=cursors.encode_id(page[-1].id) if more else None
    )


@router.post("", status_code=201, responses={409: {"description": "The number is taken: `contact_id` names it"}})
async def create_contact(body: ContactCreate, request: Request, identity: Identity = Depends(writers)) -> ContactOut:
    """Create a contact (published as contact.created)."""
    svc, crm = service_of(request), crm_of(request)
    assert svc.outbox is not None
    source = ContactSource.API if identity.api_key_id else ContactSource.AGENT
    with domain_errors(NOT_FOUND):
        async with tenant_session(svc.sessions, identity.tenant_id) as session:
            row = await service.create_contact(
                session, svc.outbox, identity.tenant_id, body, default_region=crm.settings.default_region, source=source
            )
    return service.to_out(row)


@router.get("/tags")
async def list_tags(
    request: Request,
    identity: Identity = Depends(current_identity),
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    cursor: str | None = None,
) -> Page[TagCount]:
    """Tags in alphabetical order with how many contacts carry each."""
    after = cursors.decode_text(cursor)
    async with tenant_session(service_of(request).sessions, identity.tenant_id) as session:
        rows = await repository.tag_counts(session, limit=limit + 1, after=after)
    page, more = rows[:limit], len(rows) > limit
    return Page[TagCount](
        items=[TagCount(tag=r.tag, count=r.count) for r in page],
        next_cursor=cursors.encode_text(page[-1].tag) if more else None,
    )


@router.get("/export.csv", response_class=StreamingResponse, responses={200: {"content": {"text/csv": {}}}})
async def export_contacts(
    request: Request, identity: Identity = Depends(admins), filters: ContactFilters = Depends(contact_filters)
) -> StreamingResponse:
    """Every contact the filters keep, as CSV (streamed; re-importable: custom fields are custom:<field>)."""
    svc, crm = service_of(request), crm_of(request)
    body = export_csv(svc.sessions, identity.tenant_id, filters, crm.settings.export_page_rows)
    return StreamingResponse(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="contacts.csv"'},
    )


@router.get("/{contact_id}")
async def get_contact(
    contact_id: uuid.UUID, request: Request, identity: Identity = Depends(current_identity)
) -> ContactOut:
    """One contact; another tenant's id is simply not found."""
    with domain_errors(NOT_FOUND):
        async with tenant_session(service_of(request).sessions, identity.tenant_id) as session:
            row = await repository.contact_by_id(session, contact_id)
            if row is None:
                raise service.ContactNotFoundError(contact_id)
    return service.to_out(row)


@router.patch("/{contact_id}", responses={409: {"description": "The new number is taken: `contact_id` names it"}})
async def patch_contact(
    contact_id: uuid.UUID, body: ContactPatch, request: Request, identity: Identity = Depends(writers)
) -> ContactOut:
    """Change the fields given (contact.updated names what changed)."""
    svc, crm = service_of(request), crm_of(request)
    assert svc.outbox is not None
    with domain_errors(NOT_FOUND):
        async with tenant_session(svc.sessions, identity.tenant_id) as session:
            row = await service.update_contact(
                session, svc.outbox, identity.tenant_id, contact_id, body, default_region=crm.settings.default_region
            )
    return service.to_out(row)


@router.delete("/{contact_id}", status_code=204)
async def delete_contact(contact_id: uuid.UUID, request: Request, identity: Identity = Depends(admins)) -> Response:
    """Delete the contact with its conversations, messages and notes (contact.deleted)."""
    svc = service_of(request)
    assert svc.outbox is not None
    with domain_errors(NOT_FOUND):
        async with tenant_session(svc.sessions, identity.tenant_id) as session:
            await service.delete_contact(session, svc.outbox, identity.tenant_id, contact_id)
    return Response(status_code=204)


@router.get("/{contact_id}/timeline")
async def contact_timeline(
    contact_id: uuid.UUID,
    request: Request,
    identity: Identity = Depends(current_identity),
    limit: Limit = 50,
    cursor: str | None = None,
) -> Page[TimelineItem]:
    """Messages of every channel and notes, newest first."""
    before = cursors.decode_time_id(cursor)
    with domain_errors(NOT_FOUND):
        async with tenant_session(service_of(request).sessions, identity.tenant_id) as session:
            if await repository.contact_by_id(session, contact_id) is None:
                raise service.ContactNotFoundError(contact_id)
            items, last = await timeline_page(session, contact_id, limit=limit, before=before)
    return Page[TimelineItem](items=items, next_cursor=cursors.encode_time_id(*last) if last else None)


@router.post("/{contact_id}/merge")
async def merge_contacts(
    contact_id: uuid.UUID, body: MergeIn, request: Request, identity: Identity = Depends(writers)
) -> ContactOut:
    """Fold duplicates into this contact (contact.merged); the duplicates are deleted."""
    svc = service_of(request)
    assert svc.outbox is not None
    with domain_errors(NOT_FOUND):
        async with tenant_session(svc.sessions, identity.tenant_id) as session:
            row = await merge.merge_contacts(session, svc.outbox, identity.tenant_id, contact_id, body.contact_ids)
    return service.to_out(row)


@router.put("/{contact_id}/consent/{channel}")
async def set_consent(
    contact_id: uuid.UUID,
    channel: Channel,
    body: ConsentIn,
    request: Request,
    identity: Identity = Depends(writers),
) -> ContactOut:
    """Opt the contact out of a channel or back in (contact.opted_out / contact.opted_in)."""
    svc = service_of(request)
    assert svc.outbox is not None
    with domain_errors(NOT_FOUND):
        async with tenant_session(svc.sessions, identity.tenant_id) as session:
            row = await repository.contact_by_id(session, contact_id, lock=True)
            if row is None:
                raise service.ContactNotFoundError(contact_id)
            changed = await change_consent(
                session,
                svc.outbox,
                identity.tenant_id,
                row,
                channel,
                allowed=body.allowed,
                reason=body.reason,
                at=datetime.now(UTC),
            )
    return service.to_out(changed or row)
