"""``POST /api/v1/campaigns/{id}/test-send``: one message of the campaign to a number of the user's choosing.

It renders against the contact with that number when there is one (or against ``contact_id``), else against
sample values, and goes through the bulk lane like any recipient (queue_dispatches, the outbox), so what
arrives is what the campaign would send. It is not a recipient: no counts move, and the send log is neither
read nor written, so a test neither is blocked by nor blocks the real campaign to that number. An opt-out is
still honoured: a test is a message to a person.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.ext.asyncio import AsyncSession

from masteria.campaigns.access import writers
from masteria.campaigns.campaign.repository import campaign_by_id
from masteria.campaigns.campaign.schemas import MessageSpec, Variant
from masteria.campaigns.sending.dispatch import DispatchItem, queue_dispatches
from masteria.campaigns.tools import contact_store
from masteria.campaigns.tools.phones import InvalidNumberError, to_e164
from masteria.campaigns.tools.rendering import sample_contact
from masteria.campaigns.tools.settings import ToolsSettings, tools_settings
from masteria.contracts.channels import Channel
from masteria.contracts.content import AnyContent
from masteria.contracts.ids import uuid7
from masteria.persistence.tenancy import tenant_session
from masteria.runtime.problems import Problem
from masteria.runtime.service import service_of
from masteria.security.internal_token import Identity

router = APIRouter(prefix="/api/v1/campaigns", tags=["campaigns"])


class TestSendIn(BaseModel):
    """Where to send the test, and optionally whose values to fill the variables with and which variant."""

    model_config = ConfigDict(extra="forbid")

    to: str = Field(min_length=3, max_length=40, description="A number; without + it is read in the default country.")
    contact_id: uuid.UUID | None = Field(None, description="Fill the variables from this contact instead.")
    variant: str | None = Field(None, description="The variant to send; the first one when left out.")


class TestSendOut(BaseModel):
    """The queued test message (follow it by its dispatch_id)."""

    dispatch_id: uuid.UUID
    to: str
    variant: str
    contact_id: uuid.UUID | None = Field(description="The contact whose values filled the variables; null: samples.")
    sample: bool
    content: AnyContent


def _variant(message: MessageSpec, name: str | None) -> Variant:
    if name is None:
        return message.variants[0]
    found = next((v for v in message.variants if v.name == name), None)
    if found is None:
        names = ", ".join(v.name for v in message.variants)
        raise Problem(422, "Unknown variant", f"the campaign's variants are: {names}", reason="unknown_variant")
    return found


async def _values(
    session: AsyncSession, body: TestSendIn, to: str, message: MessageSpec
) -> tuple[Mapping[Any, Any], Mapping[Any, Any] | None, bool]:
    """(whose values fill the variables, the contact at ``to`` if any, whether they are samples)."""
    at_number = await contact_store.contact_by_phone(session, to)
    if body.contact_id is not None:
        chosen = await contact_store.contact_by_id(session, body.contact_id)
        if chosen is None:
            raise Problem(404, "Not found", "no such contact", reason="contact_not_found")
        return chosen, at_number, False
    if at_number is not None:
        return at_number, at_number, False
    return sample_contact(message, to), None, True


@router.post("/{campaign_id}/test-send", status_code=202)
async def send_test_message(
    campaign_id: uuid.UUID,
    body: TestSendIn,
    request: Request,
    identity: Identity = Depends(writers),
    settings: ToolsSettings = Depends(tools_settings),
) -> TestSendOut:
    """Send one message of the campaign to ``to`` through the bulk lane; it is not counted as a recipient."""
    try:
        to = to_e164(body.to, settings.default_region)
    except InvalidNumberError as exc:
        raise Problem(422, "Invalid number", f"to: {exc}", reason="invalid_number") from exc
    svc = service_of(request)
    assert svc.outbox is not None
    async with tenant_session(svc.sessions, identity.tenant_id) as session:
        campaign = await campaign_by_id(session, campaign_id)
        if campaign is None:
            raise Problem(404, "Not found", "no such campaign", reason="campaign_not_found")
        message = MessageSpec.model_validate(campaign.message)
        variant = _variant(message, body.variant)
        values, at_number, sample = await _values(session, body, to, message)
        # The values of one contact, the consent of whoever has the number the test goes to.
        contact_row = {
            **values,
            "phone": to,
            "opted_out": list(at_number["opted_out"]) if at_number is not None else [],
            "deleted": False,
        }
        item = DispatchItem(
            channel=Channel(campaign.channel),
            channel_account_id=campaign.channel_account_ids[0] if campaign.channel_account_ids else None,
            contact_row=contact_row,
            content_spec=variant.content,
            campaign_id=campaign.id,
            recipient_id=uuid7(),  # no recipient row: statuses for it match nothing and move no count
            dispatch_id=uuid7(),
        )
        [outcome] = await queue_dispatches(session, svc.outbox, identity.tenant_id, [item], duplicate_window=None)
        if outcome.dispatch is None:
            raise _refused(outcome.reason)
    return TestSendOut(
        dispatch_id=outcome.dispatch.dispatch_id,
        to=to,
        variant=variant.name,
        contact_id=None if sample else values["contact_id"],
        sample=sample,
        content=outcome.dispatch.content,
    )


def _refused(reason: str | None) -> Problem:
    details = {
        "opted_out": "the person at this number opted out of this channel",
        "missing_variable": "the contact has no value for a variable without a fallback",
        "invalid_content": "the message does not render to content the channel accepts",
    }
    return Problem(422, "Not sent", details.get(reason or "", "the message cannot be sent"), reason=reason)
