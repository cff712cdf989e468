"""Control API: a number's behaviour, its status webhooks' progress, customers' service windows, and the
customers its messaging limit counted."""

import time
from datetime import datetime
from typing import Any

from fastapi import APIRouter
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from masteria.sandbox.context import Context, SandboxContext
from masteria.sandbox.meta.auth import number_or_404
from masteria.sandbox.meta.behaviour import Behaviour
from masteria.sandbox.meta.tiers import tier_limit
from masteria.sandbox.meta.window import WINDOW_S

control_router = APIRouter(tags=["sandbox: meta"])


class WindowSet(BaseModel):
    """Set when a customer last wrote to a number (unix seconds or ISO 8601; null: never)."""

    model_config = ConfigDict(extra="forbid")

    phone_number_id: str = Field(min_length=1)
    wa_id: str = Field(pattern=r"^\+?\d{5,20}$")
    last_message_at: datetime | None


class ReachSeed(BaseModel):
    """Customers to count as reached (business-initiated) at `at` (unix seconds; default now)."""

    model_config = ConfigDict(extra="forbid")

    wa_ids: list[str] = Field(min_length=1, max_length=1_000_000)
    at: float | None = None


@control_router.get("/numbers/{phone_number_id}/behaviour")
async def read_behaviour(phone_number_id: str, ctx: Context) -> dict[str, Any]:
    """The behaviour in force (defaults until one is set)."""
    number_or_404(ctx, phone_number_id)
    return _shown(ctx, phone_number_id, ctx.meta.behaviours.get(phone_number_id))


@control_router.put("/numbers/{phone_number_id}/behaviour")
async def replace_behaviour(phone_number_id: str, body: Behaviour, ctx: Context) -> dict[str, Any]:
    """Replace the behaviour (omitted fields take their defaults); limiters and the random sequence restart."""
    number_or_404(ctx, phone_number_id)
    return _apply(ctx, phone_number_id, body)


@control_router.patch("/numbers/{phone_number_id}/behaviour")
async def update_behaviour(phone_number_id: str, body: dict[str, Any], ctx: Context) -> dict[str, Any]:
    """Change only the given fields of the behaviour in force."""
    number_or_404(ctx, phone_number_id)
    try:
        merged = Behaviour.model_validate({**ctx.meta.behaviours.get(phone_number_id).model_dump(), **body})
    except ValidationError as exc:
        raise RequestValidationError(exc.errors(include_url=False)) from None
    return _apply(ctx, phone_number_id, merged)


def _apply(ctx: SandboxContext, phone_number_id: str, behaviour: Behaviour) -> dict[str, Any]:
    # The tier belongs to the number (Graph reports it): a behaviour that names one changes it and
    # keeps None itself, so a later PUT that omits the tier leaves the number's as it is.
    if behaviour.messaging_limit_tier is not None:
        ctx.meta.update(phone_number_id, messaging_limit_tier=behaviour.messaging_limit_tier)
        behaviour = behaviour.model_copy(update={"messaging_limit_tier": None})
    return _shown(ctx, phone_number_id, ctx.meta.behaviours.set(phone_number_id, behaviour).behaviour)


def _shown(ctx: SandboxContext, phone_number_id: str, behaviour: Behaviour) -> dict[str, Any]:
    number = number_or_404(ctx, phone_number_id)
    return {**behaviour.model_dump(), "messaging_limit_tier": number.messaging_limit_tier}


@control_router.get("/numbers/{phone_number_id}/tier")
async def read_tier(phone_number_id: str, ctx: Context) -> dict[str, Any]:
    """The number's messaging limit, the customers it reached in the last 24 h, and what is left."""
    return _tier(ctx, phone_number_id)


@control_router.post("/numbers/{phone_number_id}/tier/reached")
async def seed_reach(phone_number_id: str, body: ReachSeed, ctx: Context) -> dict[str, Any]:
    """Count customers as reached (e.g. fill a TIER_250 budget without 250 sends)."""
    number_or_404(ctx, phone_number_id)
    at = body.at if body.at is not None else time.time()
    for wa_id in body.wa_ids:
        ctx.meta.reach.record(phone_number_id, wa_id.lstrip("+"), at)
    return _tier(ctx, phone_number_id)


@control_router.delete("/numbers/{phone_number_id}/tier/reached")
async def forget_reach(phone_number_id: str, ctx: Context) -> dict[str, Any]:
    """Start the 24-hour count afresh."""
    number_or_404(ctx, phone_number_id)
    ctx.meta.reach.forget(phone_number_id)
    return _tier(ctx, phone_number_id)


def _tier(ctx: SandboxContext, phone_number_id: str) -> dict[str, Any]:
    number = number_or_404(ctx, phone_number_id)
    limit = tier_limit(number.messaging_limit_tier)
    reached, frees_at = ctx.meta.reach.count(phone_number_id, time.time())
    return {
        "phone_number_id": phone_number_id,
        "messaging_limit_tier": number.messaging_limit_tier,
        "limit": limit,
        "reached": reached,
        "remaining": None if limit is None else max(limit - reached, 0),
        "frees_at": frees_at,
    }


@control_router.get("/numbers/{phone_number_id}/statuses")
async def status_progress(phone_number_id: str, ctx: Context) -> dict[str, int]:
    """Status webhooks of the number: scheduled, pending (not yet due or not yet flushed), in_flight,
    delivered (acknowledged with a 2xx), dropped (number removed), posts and failed_posts."""
    number_or_404(ctx, phone_number_id)
    return ctx.meta_statuses.counters(phone_number_id)


@control_router.post("/customers/window")
async def set_window(body: WindowSet, ctx: Context) -> dict[str, Any]:
    """Pretend the customer last wrote at `last_message_at` (e.g. 25 h ago to close the window)."""
    number_or_404(ctx, body.phone_number_id)
    wa_id = body.wa_id.lstrip("+")
    at = body.last_message_at.timestamp() if body.last_message_at is not None else None
    ctx.meta.windows.set(body.phone_number_id, wa_id, at)
    return _window(ctx, body.phone_number_id, wa_id)


@control_router.get("/customers/window")
async def read_window(phone_number_id: str, wa_id: str, ctx: Context) -> dict[str, Any]:
    """Whether the number may send the customer a free-form message now, and until when."""
    number_or_404(ctx, phone_number_id)
    return _window(ctx, phone_number_id, wa_id.lstrip("+"))


def _window(ctx: SandboxContext, phone_number_id: str, wa_id: str) -> dict[str, Any]:
    last = ctx.meta.windows.last(phone_number_id, wa_id)
    return {
        "phone_number_id": phone_number_id,
        "wa_id": wa_id,
        "last_message_at": last,
        "expires_at": None if last is None else last + WINDOW_S,
        "open": ctx.meta.windows.is_open(phone_number_id, wa_id, time.time()),
    }
