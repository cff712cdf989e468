"""``POST /api/v1/campaigns/preview``: the message as chosen contacts would receive it, per variant.

For ``contact_id``, that contact; else for the first contacts of ``audience`` a launch would message;
else for sample values. Each variant shows its rendered content, the values used, the variables that
had no value (such a contact is skipped as missing_variable) and, on SMS, its encoding and segments.
"""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict

from masteria.campaigns.audience.resolve import resolve_audience
from masteria.campaigns.campaign.schemas import AudienceSpec, MessageSpec
from masteria.campaigns.problems import domain_errors
from masteria.campaigns.tools import contact_store
from masteria.campaigns.tools.rendering import PreviewItem, preview_item, sample_contact
from masteria.campaigns.tools.settings import ToolsSettings, tools_settings
from masteria.contracts.channels import Channel
from masteria.persistence.tenancy import tenant_session
from masteria.runtime.auth import current_identity
from masteria.runtime.problems import Problem
from masteria.runtime.service import service_of
from masteria.security.internal_token import Identity

router = APIRouter(prefix="/api/v1/campaigns/preview", tags=["campaigns"])


class PreviewIn(BaseModel):
    """The message, the channel, and whom to render it for (a contact, an audience, or neither: sample values)."""

    model_config = ConfigDict(extra="forbid")

    channel: Channel
    message: MessageSpec
    contact_id: uuid.UUID | None = None
    audience: AudienceSpec | None = None


class PreviewOut(BaseModel):
    """One item per contact rendered."""

    items: list[PreviewItem]


@router.post("")
async def preview_message(
    body: PreviewIn,
    request: Request,
    identity: Identity = Depends(current_identity),
    settings: ToolsSettings = Depends(tools_settings),
) -> PreviewOut:
    """Render every variant for a contact, the first contacts of an audience, or sample values."""
    with domain_errors():
        async with tenant_session(service_of(request).sessions, identity.tenant_id) as session:
            if body.contact_id is not None:
                contact = await contact_store.contact_by_id(session, body.contact_id)
                if contact is None:
                    raise Problem(404, "Not found", "no such contact", reason="contact_not_found")
                rows = [contact]
            elif body.audience is not None:
                audience = await resolve_audience(session, body.audience)
                rows = list(
                    await contact_store.first_reachable(
                        session, identity.tenant_id, audience, body.channel, settings.preview_contacts
                    )
                )
            else:
                rows = []
    if not rows and body.contact_id is None:
        # No audience, or nobody in it to reach: sample values still show what the message looks like.
        return PreviewOut(items=[preview_item(body.message, sample_contact(body.message), body.channel, sample=True)])
    return PreviewOut(items=[preview_item(body.message, row, body.channel, sample=False) for row in rows])
