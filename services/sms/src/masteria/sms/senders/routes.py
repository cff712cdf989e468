"""``/api/v1/sms/senders``: connect, list, change and remove Twilio senders."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends, Request, Response

from masteria.persistence.tenancy import tenant_session
from masteria.runtime.auth import current_identity, require_roles
from masteria.runtime.problems import Problem
from masteria.security.internal_token import Identity
from masteria.sms.context import box_of, service_of, sms_of
from masteria.sms.senders import repository, service
from masteria.sms.senders.schemas import SenderCreate, SenderOut, SenderUpdate

router = APIRouter(prefix="/api/v1/sms/senders", tags=["sms"])
_admins = require_roles("owner", "admin")


def _not_found() -> Problem:
    return Problem(404, "Not found", "no such SMS sender in this tenant")


@router.post("", status_code=201)
async def register_sender(body: SenderCreate, request: Request, identity: Identity = Depends(_admins)) -> SenderOut:
    """Connect a sender: Twilio checks the credentials and the number, the auth token is sealed."""
    svc, sms = service_of(request), sms_of(request)
    async with tenant_session(svc.sessions, identity.tenant_id) as session:
        sender = await service.register(
            session,
            sessions=svc.sessions,
            box=box_of(svc),
            tenant_id=identity.tenant_id,
            data=body,
            twilio=sms.verifier,
        )
    sms.directory.forget(identity.tenant_id, sender.phone_number)
    return service.to_out(sender, sms.settings.webhook_base_url)


@router.get("")
async def list_senders(request: Request, identity: Identity = Depends(current_identity)) -> list[SenderOut]:
    """The tenant's senders, oldest (the default) first."""
    svc, sms = service_of(request), sms_of(request)
    async with tenant_session(svc.sessions, identity.tenant_id) as session:
        senders = await repository.list_for_tenant(session)
    return [service.to_out(s, sms.settings.webhook_base_url) for s in senders]


@router.get("/{sender_id}")
async def get_sender(
    sender_id: uuid.UUID, request: Request, identity: Identity = Depends(current_identity)
) -> SenderOut:
    """One sender."""
    svc = service_of(request)
    async with tenant_session(svc.sessions, identity.tenant_id) as session:
        sender = await repository.get(session, sender_id)
    if sender is None:
        raise _not_found()
    return service.to_out(sender, sms_of(request).settings.webhook_base_url)


@router.patch("/{sender_id}")
async def update_sender(
    sender_id: uuid.UUID, body: SenderUpdate, request: Request, identity: Identity = Depends(_admins)
) -> SenderOut:
    """Change the throughput, kind, label or auth token; sends pick the change up at once."""
    svc, sms = service_of(request), sms_of(request)
    async with tenant_session(svc.sessions, identity.tenant_id) as session:
        sender = await repository.get(session, sender_id)
        if sender is None:
            raise _not_found()
        await service.update(sender, body, box=box_of(svc), twilio=sms.verifier)
        await session.flush()
    sms.directory.forget(identity.tenant_id, sender.phone_number)
    return service.to_out(sender, sms.settings.webhook_base_url)


@router.delete("/{sender_id}", status_code=204)
async def remove_sender(sender_id: uuid.UUID, request: Request, identity: Identity = Depends(_admins)) -> Response:
    """Disconnect a sender; its webhooks are then acknowledged and ignored."""
    svc = service_of(request)
    async with tenant_session(svc.sessions, identity.tenant_id) as session:
        sender = await repository.get(session, sender_id)
        if sender is None or not await repository.remove(session, sender_id):
            raise _not_found()
    sms_of(request).directory.forget(identity.tenant_id, sender.phone_number)
    return Response(status_code=204)
