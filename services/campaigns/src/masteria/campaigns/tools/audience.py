"""``POST /api/v1/campaigns/audience/count``: how many an audience reaches on a channel, before launch.

One aggregate over the contacts view (``contact_store.count_reach``): everyone the filter keeps, those who
opted out of the channel, those without a usable number, and the rest, who can be sent to.
"""

from __future__ import annotations

import time

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field

from masteria.campaigns.audience.resolve import resolve_audience
from masteria.campaigns.campaign.schemas import AudienceSpec
from masteria.campaigns.problems import domain_errors
from masteria.campaigns.tools import contact_store
from masteria.contracts.channels import Channel
from masteria.persistence.tenancy import tenant_session
from masteria.runtime.auth import current_identity
from masteria.runtime.service import service_of
from masteria.security.internal_token import Identity

router = APIRouter(prefix="/api/v1/campaigns/audience", tags=["campaigns"])


class CountIn(BaseModel):
    """The audience and the channel a campaign would use."""

    model_config = ConfigDict(extra="forbid")

    audience: AudienceSpec
    channel: Channel


class CountOut(BaseModel):
    """The live count (duplicates depend on the message and the send log, so they show at launch)."""

    total: int = Field(description="Contacts the audience keeps.")
    sendable: int = Field(description="Of them, those the channel can reach now.")
    opted_out: int = Field(description="Opted out of this channel (or of every channel).")
    invalid: int = Field(description="Not opted out, but without a number in E.164.")
    took_ms: float


@router.post("/count")
async def count_audience(body: CountIn, request: Request, identity: Identity = Depends(current_identity)) -> CountOut:
    """Count an audience for a channel (one query, however large the audience)."""
    started = time.perf_counter()
    with domain_errors():
        async with tenant_session(service_of(request).sessions, identity.tenant_id) as session:
            audience = await resolve_audience(session, body.audience)
            counted = await contact_store.count_reach(session, identity.tenant_id, audience, body.channel)
    return CountOut(
        total=counted.total,
        sendable=counted.sendable,
        opted_out=counted.opted_out,
        invalid=counted.invalid,
        took_ms=round((time.perf_counter() - started) * 1000, 1),
    )
