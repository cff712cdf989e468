"""Meta's account webhooks on demand: a template's review or quality verdict, a number's quality and tier.

`message_template_status_update` and `phone_number_quality_update` are WhatsApp Business account
fields: their entry is the WABA and their value names no phone_number_id. Meta sends them to every
app subscribed to the account; here that is every distinct webhook URL (with its app secret) among
the WABA's registered numbers. The sandbox's own state changes first, so Graph agrees with the
webhook: a paused template then gets 132015, the number's profile shows the new tier and rating.
"""

import time
from typing import Any, Literal

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, ConfigDict, Field, model_validator

from masteria.sandbox.context import Context, SandboxContext
from masteria.sandbox.meta.auth import number_or_404
from masteria.sandbox.meta.signing import SignatureMode
from masteria.sandbox.meta.state import QualityRating, SimulatedNumber
from masteria.sandbox.meta.templates import Template
from masteria.sandbox.meta.tiers import MessagingLimitTier
from masteria.sandbox.meta.webhooks import encode_event, signed_request

control_router = APIRouter(tags=["sandbox: meta"])

TemplateEvent = Literal[
    "APPROVED", "REJECTED", "PAUSED", "DISABLED", "REINSTATED", "FLAGGED", "PENDING", "IN_APPEAL",
    "PENDING_DELETION", "DELETED", "LIMIT_EXCEEDED",
]  # fmt: skip
QualityEvent = Literal["FLAGGED", "UNFLAGGED", "UPGRADE", "DOWNGRADE"]
# The template status each event leaves; FLAGGED (negative feedback, at risk) changes none.
_STATUS_AFTER: dict[str, str | None] = {"REINSTATED": "APPROVED", "FLAGGED": None}
_PAUSE_NOTE = "Your WhatsApp message template has been paused for 3 hours because of low quality."


class TemplateStatusChange(BaseModel):
    """What Meta decided about a template; `reason` for REJECTED (INVALID_FORMAT, SCAM, ...)."""

    model_config = ConfigDict(extra="forbid")

    waba_id: str = Field(min_length=1)
    event: TemplateEvent
    reason: str | None = Field(default=None, max_length=200)
    # `other_info` of a pause (FIRST_PAUSE, SECOND_PAUSE, ...) or of its end (UNPAUSE).
    title: str | None = Field(default=None, max_length=100)
    description: str | None = Field(default=None, max_length=1000)
    signature: SignatureMode = "valid"


class QualityChange(BaseModel):
    """A number's quality or messaging limit changed; UPGRADE and DOWNGRADE name the new limit."""

    model_config = ConfigDict(extra="forbid")

    event: QualityEvent
    current_limit: MessagingLimitTier | None = None
    # The rating the number's profile shows afterwards; default RED when FLAGGED, GREEN when UNFLAGGED.
    quality_rating: QualityRating | None = None
    signature: SignatureMode = "valid"

    @model_validator(mode="after")
    def _limit_for_tier_events(self) -> "QualityChange":
        if self.event in ("UPGRADE", "DOWNGRADE") and self.current_limit is None:
            raise ValueError(f"{self.event} needs current_limit, the new messaging limit")
        return self


@control_router.post("/templates/{template_id}/status")
async def change_template_status(template_id: str, body: TemplateStatusChange, ctx: Context) -> dict[str, Any]:
    """Apply Meta's verdict to a template and send `message_template_status_update`, signed."""
    found = next((t for t in ctx.meta.templates.of(body.waba_id) if t.id == template_id), None)
    if found is None:
        raise HTTPException(404, f"unknown template {template_id!r} in WABA {body.waba_id!r}")
    status = _STATUS_AFTER.get(body.event, body.event)
    reason = body.reason or ("INVALID_FORMAT" if body.event == "REJECTED" else None)
    template = found
    if status is not None:
        changed = ctx.meta.templates.set_status(body.waba_id, template_id, status, reason)
        template = changed or found
    event = _account_event(body.waba_id, "message_template_status_update", _template_value(template, body, reason))
    deliveries = await _deliver(ctx, body.waba_id, event, body.signature)
    return {"template": template.wire, "event": event, "deliveries": deliveries}


@control_router.post("/numbers/{phone_number_id}/quality")
async def change_quality(phone_number_id: str, body: QualityChange, ctx: Context) -> dict[str, Any]:
    """Change the number's quality rating or messaging limit and send `phone_number_quality_update`."""
    number = number_or_404(ctx, phone_number_id)
    old_limit = number.messaging_limit_tier
    changes: dict[str, Any] = {}
    if body.current_limit is not None:
        changes["messaging_limit_tier"] = body.current_limit
    rating = body.quality_rating or {"FLAGGED": "RED", "UNFLAGGED": "GREEN"}.get(body.event)
    if rating is not None:
        changes["quality_rating"] = rating
    number = ctx.meta.update(phone_number_id, **changes) or number
    value: dict[str, Any] = {"display_phone_number": _digits(number.display_phone_number), "event": body.event}
    if body.event in ("UPGRADE", "DOWNGRADE"):
        value["old_limit"] = old_limit  # Meta includes it for messaging limit changes only
    value["current_limit"] = number.messaging_limit_tier
    value["max_daily_conversations_per_business"] = number.messaging_limit_tier
    event = _account_event(number.waba_id, "phone_number_quality_update", value)
    deliveries = await _deliver(ctx, number.waba_id, event, body.signature)
    profile = {
        "messaging_limit_tier": number.messaging_limit_tier,
        "quality_rating": number.quality_rating,
    }
    return {"number": profile, "event": event, "deliveries": deliveries}


def _template_value(template: Template, body: TemplateStatusChange, reason: str | None) -> dict[str, Any]:
    value: dict[str, Any] = {
        "event": body.event,
        "message_template_id": int(template.id),
        "message_template_name": template.name,
        "message_template_language": template.language,
        "reason": reason or "NONE",
        "message_template_category": template.category,
    }
    if body.event == "DISABLED":
        value["disable_info"] = {"disable_date": int(time.time())}
    if body.event == "PAUSED" or body.title or body.description:
        default_title = "FIRST_PAUSE" if body.event == "PAUSED" else "UNPAUSE"
        value["other_info"] = {"title": body.title or default_title, "description": body.description or _PAUSE_NOTE}
    if body.event == "REJECTED" and reason == "INVALID_FORMAT":
        value["rejection_info"] = {
            "reason": "The template's variables are not formatted correctly.",
            "recommendation": "Use {{1}}, {{2}} ... or named variables, each surrounded by text.",
        }
    return value


def _account_event(waba_id: str, field: str, value: dict[str, Any]) -> dict[str, Any]:
    return {
        "entry": [{"id": waba_id, "time": int(time.time()), "changes": [{"value": value, "field": field}]}],
        "object": "whatsapp_business_account",
    }


async def _deliver(
    ctx: SandboxContext, waba_id: str, event: dict[str, Any], mode: SignatureMode
) -> list[dict[str, Any]]:
    raw = encode_event(event)
    deliveries = []
    for number in _subscribed_apps(ctx, waba_id):
        result = await ctx.deliverer.post(number.webhook_url, raw, signed_request(number, raw, mode))
        deliveries.append({"webhook_url": number.webhook_url, **result.to_json()})
    return deliveries


def _subscribed_apps(ctx: SandboxContext, waba_id: str) -> list[SimulatedNumber]:
    """One number per distinct (webhook URL, app secret) of the WABA: one delivery per subscribed app."""
    seen: dict[tuple[str, str], SimulatedNumber] = {}
    for number in ctx.meta.numbers():
        if number.waba_id == waba_id:
            seen.setdefault((number.webhook_url, number.app_secret), number)
    return list(seen.values())


def _digits(display: str) -> str:
    # Meta's account webhooks carry the display number as bare digits.
    return "".join(ch for ch in display if ch.isdigit())
