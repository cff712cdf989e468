"""``/api/v1/campaigns``: create, list, read, change, delete; launch, pause, resume, cancel."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response

from masteria.campaigns.access import writers
from masteria.campaigns.campaign import repository, service, stats
from masteria.campaigns.campaign.schemas import CampaignCreate, CampaignOut, CampaignPatch, RecipientOut
from masteria.campaigns.problems import domain_errors
from masteria.campaigns.runtime import campaigns_of
from masteria.contracts.campaigns import CampaignState
from masteria.persistence.tenancy import tenant_session
from masteria.runtime import pagination as cursors
from masteria.runtime.auth import current_identity
from masteria.runtime.pagination import Page
from masteria.runtime.service import service_of
from masteria.security.internal_token import Identity

router = APIRouter(prefix="/api/v1/campaigns", tags=["campaigns"])
Limit = Annotated[int, Query(ge=1, le=200)]
REFUSED: dict[int | str, dict[str, Any]] = {
    409: {"description": "Not allowed in the campaign's state; `reason` says why"}
}


@router.post("", status_code=201)
async def create_campaign(body: CampaignCreate, request: Request, identity: Identity = Depends(writers)) -> CampaignOut:
    """A draft campaign."""
    with domain_errors():
        async with tenant_session(service_of(request).sessions, identity.tenant_id) as session:
            row = await service.create(session, identity.tenant_id, body, identity.user_id)
            return await service.to_out(session, row)


@router.get("")
async def list_campaigns(
    request: Request,
    identity: Identity = Depends(current_identity),
    state: CampaignState | None = None,
    q: Annotated[str | None, Query(max_length=100, description="Part of the name")] = None,
    limit: Limit = 50,
    cursor: str | None = None,
) -> Page[CampaignOut]:
    """Campaigns, newest first, with their counts."""
    before = cursors.decode_id(cursor)
    async with tenant_session(service_of(request).sessions, identity.tenant_id) as session:
        rows = await repository.campaign_page(
            session, limit=limit + 1, before=before, state=state.value if state else None, q=(q or "").strip()
        )
        page, more = rows[:limit], len(rows) > limit
        items = await service.to_outs(session, page)
    return Page[CampaignOut](items=items, next_cursor=cursors.encode_id(page[-1].id) if more else None)


@router.get("/{campaign_id}")
async def get_campaign(
    campaign_id: uuid.UUID, request: Request, identity: Identity = Depends(current_identity)
) -> CampaignOut:
    """One campaign with its counts and snapshot."""
    with domain_errors():
        async with tenant_session(service_of(request).sessions, identity.tenant_id) as session:
            row = await repository.campaign_by_id(session, campaign_id)
            if row is None:
                raise service.not_found()
            return await service.to_out(session, row)


@router.patch("/{campaign_id}", responses=REFUSED)
async def patch_campaign(
    campaign_id: uuid.UUID, body: CampaignPatch, request: Request, identity: Identity = Depends(writers)
) -> CampaignOut:
    """Change a draft or scheduled campaign."""
    with domain_errors():
        async with tenant_session(service_of(request).sessions, identity.tenant_id) as session:
            row = await service.patch(session, identity.tenant_id, campaign_id, body)
            out = await service.to_out(session, row)
    campaigns_of(request).snapshots.wake()
    return out


@router.delete("/{campaign_id}", status_code=204, responses=REFUSED)
async def delete_campaign(campaign_id: uuid.UUID, request: Request, identity: Identity = Depends(writers)) -> Response:
    """Delete a draft."""
    with domain_errors():
        async with tenant_session(service_of(request).sessions, identity.tenant_id) as session:
            await service.remove(session, campaign_id)
    return Response(status_code=204)


@router.post("/{campaign_id}/launch", status_code=202, responses=REFUSED)
async def launch_campaign(
    campaign_id: uuid.UUID, request: Request, identity: Identity = Depends(writers)
) -> CampaignOut:
    """Snapshot the audience and start (or schedule) sending; the snapshot runs in the background."""
    svc = service_of(request)
    assert svc.outbox is not None
    with domain_errors():
        async with tenant_session(svc.sessions, identity.tenant_id) as session:
            row = await service.launch(session, svc.outbox, identity.tenant_id, campaign_id)
            out = await service.to_out(session, row)
    campaigns_of(request).snapshots.wake()
    return out


@router.post("/{campaign_id}/pause", responses=REFUSED)
async def pause_campaign(
    campaign_id: uuid.UUID, request: Request, identity: Identity = Depends(writers)
) -> CampaignOut:
    """Stop sending; answered once the pause is committed (no tick after it sends)."""
    return await _control(request, identity, campaign_id, service.pause)


@router.post("/{campaign_id}/resume", responses=REFUSED)
async def resume_campaign(
    campaign_id: uuid.UUID, request: Request, identity: Identity = Depends(writers)
) -> CampaignOut:
    """Send again."""
    return await _control(request, identity, campaign_id, service.resume)


@router.post("/{campaign_id}/cancel", responses=REFUSED)
async def cancel_campaign(
    campaign_id: uuid.UUID, request: Request, identity: Identity = Depends(writers)
) -> CampaignOut:
    """Stop for good; recipients not yet sent become cancelled."""
    return await _control(request, identity, campaign_id, service.cancel)


async def _control(request: Request, identity: Identity, campaign_id: uuid.UUID, action: service.Action) -> CampaignOut:
    svc = service_of(request)
    assert svc.outbox is not None
    with domain_errors():
        async with tenant_session(svc.sessions, identity.tenant_id) as session:
            row = await action(session, svc.outbox, identity.tenant_id, campaign_id)
            out = await service.to_out(session, row)
    campaigns_of(request).dispatcher.wake()
    return out


RecipientState = Literal["pending", "queued", "sent", "delivered", "read", "failed", "unknown", "skipped", "cancelled"]


@router.get("/{campaign_id}/stats")
async def campaign_stats(
    campaign_id: uuid.UUID, request: Request, identity: Identity = Depends(current_identity)
) -> stats.CampaignStats:
    """Counts, rates, failures and skips by reason, per variant, and a time series."""
    with domain_errors():
        async with tenant_session(service_of(request).sessions, identity.tenant_id) as session:
            if await repository.campaign_by_id(session, campaign_id) is None:
                raise service.not_found()
            return await stats.campaign_stats(session, campaign_id)


@router.get("/{campaign_id}/recipients")
async def list_recipients(
    campaign_id: uuid.UUID,
    request: Request,
    identity: Identity = Depends(current_identity),
    state: RecipientState | None = None,
    limit: Limit = 50,
    cursor: str | None = None,
) -> Page[RecipientOut]:
    """Recipients in snapshot order, with the contact's name, their state, reason and timestamps."""
    after = cursors.decode_id(cursor)
    with domain_errors():
        async with tenant_session(service_of(request).sessions, identity.tenant_id) as session:
            if await repository.campaign_by_id(session, campaign_id) is None:
                raise service.not_found()
            rows = await repository.recipient_page(session, campaign_id, state=state, after=after, limit=limit + 1)
    page = [RecipientOut.model_validate(dict(row._mapping)) for row in rows[:limit]]
    more = len(rows) > limit
    return Page[RecipientOut](items=page, next_cursor=cursors.encode_id(page[-1].id) if more else None)
