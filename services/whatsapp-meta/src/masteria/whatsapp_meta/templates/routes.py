"""``/api/v1/whatsapp/templates``: sync from Meta, list with variables, preview with values."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends, Query, Request

from masteria.persistence.tenancy import tenant_session
from masteria.runtime.auth import current_identity, require_roles
from masteria.runtime.pagination import decode_cursor, encode_cursor
from masteria.runtime.problems import Problem
from masteria.security.internal_token import Identity
from masteria.whatsapp_meta.context import box_of, meta_of, service_of
from masteria.whatsapp_meta.templates import repository, service
from masteria.whatsapp_meta.templates.schemas import (
    PreviewOut,
    PreviewRequest,
    SyncRequest,
    SyncResult,
    TemplatePage,
)

router = APIRouter(prefix="/api/v1/whatsapp/templates", tags=["whatsapp"])


@router.post("/sync")
async def sync_templates(
    request: Request,
    body: SyncRequest | None = None,
    identity: Identity = Depends(require_roles("owner", "admin")),
) -> SyncResult:
    """Read every template of the number's WhatsApp Business account (or of all the tenant's) from Meta."""
    svc, meta = service_of(request), meta_of(request)
    reference = (body.number_id or body.phone_number_id) if body is not None else None
    async with tenant_session(svc.sessions, identity.tenant_id) as session:
        targets = await service.accounts(session, box_of(svc), reference)
    result = await service.sync(svc.sessions, identity.tenant_id, targets, meta.graph)
    meta.templates.forget(identity.tenant_id)  # statuses may have changed: the send path reads them afresh
    return result


@router.get("")
async def list_templates(
    request: Request,
    number_id: str | None = Query(None, description="Our number id or Meta's phone_number_id."),
    waba_id: str | None = None,
    status: str | None = Query(None, description="APPROVED, PENDING, REJECTED, PAUSED, DISABLED ..."),
    category: str | None = Query(None, description="MARKETING, UTILITY or AUTHENTICATION"),
    q: str | None = Query(None, max_length=200, description="Part of the name or text."),
    cursor: str | None = None,
    limit: int = Query(100, ge=1, le=500),
    identity: Identity = Depends(current_identity),
) -> TemplatePage:
    """The tenant's synced templates, by name, each with its variables per component."""
    svc = service_of(request)
    after = _after(cursor)
    async with tenant_session(svc.sessions, identity.tenant_id) as session:
        if number_id is not None:
            number = await service.find_number(session, number_id)
            if number is None:
                raise Problem(404, "Not found", f"no phone number {number_id} in this tenant")
            waba_id = number.waba_id
        rows = await repository.listing(
            session, waba_id=waba_id, status=status, q=q, category=category, after=after, limit=limit + 1
        )
    page = rows[:limit]
    more = len(rows) > limit
    last = page[-1] if page else None
    return TemplatePage(
        items=[service.to_out(t) for t in page],
        next_cursor=encode_cursor([last.name, last.language, str(last.id)]) if more and last else None,
    )


@router.post("/{template_id}/preview")
async def preview_template(
    template_id: uuid.UUID, body: PreviewRequest, request: Request, identity: Identity = Depends(current_identity)
) -> PreviewOut:
    """The template with the values filled in, per component; 422 names every missing variable."""
    svc = service_of(request)
    async with tenant_session(svc.sessions, identity.tenant_id) as session:
        template = await repository.get(session, template_id)
    if template is None:
        raise Problem(404, "Not found", "no such template in this tenant")
    return service.preview(template, body.variables)


def _after(cursor: str | None) -> tuple[str, str, uuid.UUID] | None:
    if cursor is None:
        return None
    values = decode_cursor(cursor)
    try:
        name, language, last_id = values
        return (str(name), str(language), uuid.UUID(str(last_id)))
    except (ValueError, TypeError) as exc:
        raise Problem(400, "Invalid cursor", "the cursor is not one this API returned") from exc
