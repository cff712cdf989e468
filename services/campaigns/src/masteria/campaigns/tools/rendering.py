"""A message's variants rendered for one contact, as preview and test send show them.

A contact with no value for a custom field a variant uses is rendered as it would be sent: without
it (``missing``). With no contact at all, sample values stand in, so the form can preview a message
before any audience is chosen.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, Field

from masteria.campaigns.campaign.schemas import MessageSpec
from masteria.campaigns.render import RenderResult, render_content, variables_in
from masteria.campaigns.sending.dispatch import contact_refusal
from masteria.campaigns.tools.sms_estimate import NotSmsContentError, sms_cost
from masteria.contracts.channels import Channel
from masteria.contracts.content import AnyContent

SAMPLE_CONTACT: dict[str, Any] = {
    "contact_id": None,
    "name": "Ana Souza",
    "phone": "+5511999999999",
    "email": "ana@example.com",
    "lead_stage_name": "Lead",
    "custom_fields": {},
    "opted_out": [],
    "deleted": False,
}


class SmsInfo(BaseModel):
    """What the rendered text costs by SMS."""

    encoding: str = Field(description="GSM-7, UCS-2 or MMS")
    segments: int
    characters: int
    ucs2_characters: list[str] = Field(description="The characters that forced UCS-2 (replace them to save).")


class RenderedVariant(BaseModel):
    """One variant for one contact: the content as it would go, or why it would not."""

    name: str
    content: AnyContent | None
    variables: dict[str, str]
    missing: list[str] = Field(description="Variables without a value and without a fallback.")
    error: str | None = None
    sms: SmsInfo | None = None


class PreviewContact(BaseModel):
    """Who the variants were rendered for; ``sample`` when no contact was given or known."""

    contact_id: uuid.UUID | None
    name: str | None
    phone: str | None
    sample: bool
    refusal: str | None = Field(None, description="Why this contact would be skipped: opted_out, invalid_number...")


class PreviewItem(BaseModel):
    """A contact and every variant rendered for it."""

    contact: PreviewContact
    variants: list[RenderedVariant]


def sample_contact(message: MessageSpec, phone: str | None = None) -> dict[str, Any]:
    """Sample values for the message's variables: a custom field shows its fallback, else its own key."""
    custom = {
        v.name[len("custom.") :]: v.name[len("custom.") :]
        for variant in message.variants
        for v in variables_in(variant.content)
        if v.name.startswith("custom.") and v.fallback is None
    }
    return {**SAMPLE_CONTACT, "custom_fields": custom, "phone": phone or SAMPLE_CONTACT["phone"]}


def render_variant(name: str, spec: Any, contact: Mapping[Any, Any], channel: Channel) -> RenderedVariant:
    """One variant rendered for ``contact``, with its SMS cost on the SMS channel."""
    result: RenderResult = render_content(spec, contact)
    rendered = RenderedVariant(
        name=name, content=result.content, variables=result.variables, missing=result.missing, error=result.error
    )
    if channel == Channel.SMS and result.content is not None:
        try:
            cost = sms_cost(result.content)
        except NotSmsContentError as exc:
            rendered.error = str(exc)
        else:
            rendered.sms = SmsInfo(
                encoding=cost.encoding,
                segments=cost.segments,
                characters=cost.characters,
                ucs2_characters=list(cost.ucs2_characters),
            )
    return rendered


def preview_item(message: MessageSpec, contact: Mapping[Any, Any], channel: Channel, *, sample: bool) -> PreviewItem:
    """Every variant rendered for one contact."""
    return PreviewItem(
        contact=PreviewContact(
            contact_id=contact.get("contact_id"),
            name=contact.get("name"),
            phone=contact.get("phone"),
            sample=sample,
            refusal=None if sample else contact_refusal(contact, channel),
        ),
        variants=[render_variant(v.name, v.content, contact, channel) for v in message.variants],
    )
