"""``/api/v1/whatsapp/phone-numbers``: connect, list, tune, refresh and remove Cloud API numbers."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends, Request, Response

from masteria.persistence.tenancy import tenant_session
from masteria.runtime.auth import current_identity, require_roles
from masteria.runtime.problems import Problem
from masteria.security.internal_token import Identity
from masteria.whatsapp_meta.context import box_of, meta_of, service_of
from masteria.whatsapp_meta.numbers import repository, service
from masteria.whatsapp_meta.numbers.schemas import PhoneNumberCreate, PhoneNumberOut, PhoneNumberPatch

router = APIRouter(prefix="/api/v1/whatsapp/phone-numbers", tags=["whatsapp"])


@router.post("", status_code=201)
async def register_number(
    body: PhoneNumberCreate, request: Request, identity: Identity = Depends(require_roles("owner", "admin"))
) -> PhoneNumberOut:
    """Connect a number: Graph checks the token, secrets are sealed, a verify token is issued."""
    svc, meta = service_of(request), meta_of(request)
    box = box_of(svc)
    async with tenant_session(svc.sessions, identity.tenant_id) as session:
        number = await service.register(
            session,
            sessions=svc.sessions,
            box=box,
            tenant_id=identity.tenant_id,
            data=body,
            graph=meta.graph if meta.settings.verify_number_on_register else None,
            default_messages_per_second=meta.settings.default_messages_per_second,
        )
    meta.directory.forget(number.phone_number_id)
    meta.senders.forget(identity.tenant_id, number.id)
    return service.to_out(number, box, svc.settings.public_base_url)


@router.get("")
async def list_numbers(request: Request, identity: Identity = Depends(current_identity)) -> list[PhoneNumberOut]:
    """The tenant's numbers with their webhook URL and verify token."""
    svc = service_of(request)
    box = box_of(svc)
    async with tenant_session(svc.sessions, identity.tenant_id) as session:
        numbers = await repository.list_for_tenant(session)
    return [service.to_out(n, box, svc.settings.public_base_url) for n in numbers]


@router.get("/{number_id}")
async def get_number(
    number_id: uuid.UUID, request: Request, identity: Identity = Depends(current_identity)
) -> PhoneNumberOut:
    """One number."""
    svc = service_of(request)
    async with tenant_session(svc.sessions, identity.tenant_id) as session:
        number = await repository.get(session, number_id)
    if number is None:
        raise Problem(404, "Not found", "no such phone number in this tenant")
    return service.to_out(number, box_of(svc), svc.settings.public_base_url)


@router.patch("/{number_id}")
async def update_number(
    number_id: uuid.UUID,
    body: PhoneNumberPatch,
    request: Request,
    identity: Identity = Depends(require_roles("owner", "admin")),
) -> PhoneNumberOut:
    """Change the sending pace (1 to 1,000 messages per second) or the label; takes effect at once."""
    svc, meta = service_of(request), meta_of(request)
    async with tenant_session(svc.sessions, identity.tenant_id) as session:
        number = await repository.get(session, number_id)
        if number is None:
            raise Problem(404, "Not found", "no such phone number in this tenant")
        service.patch(number, body)
    meta.senders.forget(identity.tenant_id, number_id)
    return service.to_out(number, box_of(svc), svc.settings.public_base_url)


@router.post("/{number_id}/refresh")
async def refresh_number(
    number_id: uuid.UUID, request: Request, identity: Identity = Depends(require_roles("owner", "admin"))
) -> PhoneNumberOut:
    """Read the number's messaging tier, quality rating and throughput from Meta again."""
    svc, meta = service_of(request), meta_of(request)
    box = box_of(svc)
    async with tenant_session(svc.sessions, identity.tenant_id) as session:
        number = await repository.get(session, number_id)
        if number is None:
            raise Problem(404, "Not found", "no such phone number in this tenant")
        await service.refresh(number, box=box, graph=meta.graph)
    meta.senders.forget(identity.tenant_id, number_id)
    return service.to_out(number, box, svc.settings.public_base_url)


@router.delete("/{number_id}", status_code=204)
async def remove_number(
    number_id: uuid.UUID, request: Request, identity: Identity = Depends(require_roles("owner", "admin"))
) -> Response:
    """Disconnect a number; its webhooks are then acknowledged and ignored."""
    svc = service_of(request)
    async with tenant_session(svc.sessions, identity.tenant_id) as session:
        number = await repository.get(session, number_id)
        if number is None or not await repository.remove(session, number_id):
            raise Problem(404, "Not found", "no such phone number in this tenant")
    meta_of(request).directory.forget(number.phone_number_id)
    meta_of(request).senders.forget(identity.tenant_id, number_id)
    return Response(status_code=204)
