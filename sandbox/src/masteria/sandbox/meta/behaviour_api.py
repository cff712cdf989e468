"""Control API: a number's behaviour, its status webhooks' progress, and customers' service windows."""

import time
from datetime import datetime
from typing import Any

from fastapi import APIRouter
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from masteria.sandbox.context import Context, SandboxContext
from masteria.sandbox.meta.auth import number_or_404
from masteria.sandbox.meta.behaviour import Behaviour
from masteria.sandbox.meta.window import WINDOW_S

control_router = APIRouter(tags=["sandbox: meta"])


class WindowSet(BaseModel):
    """Set when a customer last wrote to a number (unix seconds or ISO 8601; null: never)."""

    model_config = ConfigDict(extra="forbid")

    phone_number_id: str = Field(min_length=1)
    wa_id: str = Field(pattern=r"^\+?\d{5,20}$")
    last_message_at: datetime | None


@control_router.get("/numbers/{phone_number_id}/behaviour")
async def read_behaviour(phone_number_id: str, ctx: Context) -> dict[str, Any]:
    """The behaviour in force (defaults until one is set)."""
    number_or_404(ctx, phone_number_id)
    return ctx.meta.behaviours.get(phone_number_id).model_dump()


@control_router.put("/numbers/{phone_number_id}/behaviour")
async def replace_behaviour(phone_number_id: str, body: Behaviour, ctx: Context) -> dict[str, Any]:
    """Replace the behaviour (omitted fields take their defaults); limiters and the random sequence restart."""
    number_or_404(ctx, phone_number_id)
    return ctx.meta.behaviours.set(phone_number_id, body).behaviour.model_dump()


@control_router.patch("/numbers/{phone_number_id}/behaviour")
async def update_behaviour(phone_number_id: str, body: dict[str, Any], ctx: Context) -> dict[str, Any]:
    """Change only the given fields of the behaviour in force."""
    number_or_404(ctx, phone_number_id)
    try:
        merged = Behaviour.model_validate({**ctx.meta.behaviours.get(phone_number_id).model_dump(), **body})
    except ValidationError as exc:
        raise RequestValidationError(exc.errors(include_url=False)) from None
    return ctx.meta.behaviours.set(phone_number_id, merged).behaviour.model_dump()


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
