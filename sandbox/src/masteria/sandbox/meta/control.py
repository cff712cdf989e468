"""Control API for the Meta stand-in: numbers (the tenant's dashboard) and the ledger of sends.

Behaviour, windows, media, templates and account webhooks have their own modules; their routes hang off this router.
"""

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, HTTPException, Response, status

from masteria.sandbox.context import Context
from masteria.sandbox.meta import account, behaviour_api, customers, media_api, templates_api
from masteria.sandbox.meta.auth import number_or_404
from masteria.sandbox.meta.ledger import ledger_stats
from masteria.sandbox.meta.schemas import NumberRegistration
from masteria.sandbox.meta.state import SimulatedNumber

__all__ = ["number_or_404", "router"]

router = APIRouter(prefix="/_sandbox/meta", tags=["sandbox: meta"])


@router.post("/numbers", status_code=status.HTTP_201_CREATED)
async def register_number(body: NumberRegistration, ctx: Context) -> dict[str, Any]:
    """Register (or replace) a number; with a verify_token, run Meta's subscription handshake."""
    number = SimulatedNumber(**body.model_dump())
    # Registered even when the handshake fails, so tests can still aim signed traffic at a bad receiver.
    ctx.meta.register(number)
    answer: dict[str, Any] = {
        "phone_number_id": number.phone_number_id,
        "verified": None,
        "status_code": None,
    }
    if body.verify_token is not None:
        result = await ctx.deliverer.verify_subscription(number.webhook_url, body.verify_token)
        answer.update(verified=result.verified, status_code=result.status_code)
        if result.error is not None:
            answer["error"] = result.error
    return answer


@router.get("/numbers")
async def list_numbers(ctx: Context) -> list[dict[str, Any]]:
    """Every registered number (secrets included: this is a test double)."""
    return [asdict(number) for number in ctx.meta.numbers()]


@router.get("/numbers/{phone_number_id}")
async def read_number(phone_number_id: str, ctx: Context) -> dict[str, Any]:
    """One registered number."""
    return asdict(number_or_404(ctx, phone_number_id))


@router.delete("/numbers/{phone_number_id}", status_code=status.HTTP_204_NO_CONTENT)
async def remove_number(phone_number_id: str, ctx: Context) -> Response:
    """Forget a number; its tokens stop working at once."""
    if not ctx.meta.remove(phone_number_id):
        raise HTTPException(404, f"unknown phone_number_id {phone_number_id!r}")
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/ledger/stats")
async def read_ledger_stats(
    ctx: Context, phone_number_id: str | None = None, since: float | None = None
) -> dict[str, Any]:
    """Count, first/last wall time, rate_per_s, max_in_any_1s_window and duplicates of accepted sends
    (one number's, or all; only those at or after the unix time `since` when given)."""
    entries = ctx.meta.ledger(phone_number_id)
    if since is not None:
        entries = [e for e in entries if e.wall_time >= since]
    return ledger_stats(entries)


@router.get("/ledger")
async def read_ledger(ctx: Context, phone_number_id: str | None = None) -> list[dict[str, Any]]:
    """Accepted sends, oldest first, optionally for one number."""
    return [entry.to_json() for entry in ctx.meta.ledger(phone_number_id)]


@router.delete("/ledger")
async def clear_ledger(ctx: Context, phone_number_id: str | None = None) -> dict[str, int]:
    """Empty the ledger (or one number's part of it)."""
    return {"deleted": ctx.meta.clear_ledger(phone_number_id)}


for _module in (account, behaviour_api, customers, media_api, templates_api):
    router.include_router(_module.control_router)
