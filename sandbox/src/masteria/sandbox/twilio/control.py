"""Control API for the Twilio stand-in: accounts, numbers and their behaviour, opt-outs, ledger, callbacks."""

import time
from typing import Any

from fastapi import APIRouter, Body, HTTPException, Query, Response, status
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from masteria.sandbox.context import Context, SandboxContext
from masteria.sandbox.twilio.ids import sid
from masteria.sandbox.twilio.ledger import ledger_stats
from masteria.sandbox.twilio.schemas import AccountRegistration, Behaviour, NumberRegistration
from masteria.sandbox.twilio.state import Account, SimulatedNumber

router = APIRouter(prefix="/_sandbox/twilio", tags=["sandbox: twilio"])


def number_or_404(ctx: SandboxContext, phone_number: str) -> SimulatedNumber:
    """The registered number, or 404 for the control API's caller."""
    number = ctx.twilio.number(phone_number)
    if number is None:
        raise HTTPException(404, f"unknown number {phone_number!r}")
    return number


@router.post("/accounts", status_code=status.HTTP_201_CREATED)
async def register_account(body: AccountRegistration, ctx: Context) -> dict[str, Any]:
    """Create an account, or rotate its auth token (the old one stops working at once)."""
    known = ctx.twilio.account(body.account_sid)
    created = known.created_at if known is not None else time.time()
    ctx.twilio.register_account(Account(body.account_sid, body.auth_token, body.friendly_name, created))
    return {"account_sid": body.account_sid, "friendly_name": body.friendly_name}


@router.get("/accounts")
async def list_accounts(ctx: Context) -> list[dict[str, Any]]:
    """Every account (auth tokens included: this is a test double)."""
    return [
        {"account_sid": a.sid, "auth_token": a.auth_token, "friendly_name": a.friendly_name}
        for a in ctx.twilio.accounts()
    ]


@router.post("/numbers", status_code=status.HTTP_201_CREATED)
async def register_number(body: NumberRegistration, ctx: Context) -> dict[str, Any]:
    """Give the account a sender (or update one); its behaviour and opt-outs survive a re-registration."""
    if ctx.twilio.account(body.account_sid) is None:
        raise HTTPException(404, f"unknown account {body.account_sid!r}")
    known = ctx.twilio.number(body.phone_number)
    if known is not None and known.account_sid != body.account_sid:
        raise HTTPException(409, f"{body.phone_number} belongs to account {known.account_sid}")
    number = SimulatedNumber(
        sid=known.sid if known is not None else sid("PN"),
        account_sid=body.account_sid,
        phone_number=body.phone_number,
        kind=body.kind,
        sms_url=body.sms_url,
        friendly_name=body.friendly_name or body.phone_number,
        messaging_service_sid=body.messaging_service_sid,
        created_at=known.created_at if known is not None else time.time(),
    )
    ctx.twilio.register_number(number, body.mps_limit)
    return _number_json(ctx, number)


@router.get("/numbers")
async def list_numbers(ctx: Context, account_sid: str | None = None) -> list[dict[str, Any]]:
    """Every registered number, or one account's."""
    return [_number_json(ctx, n) for n in ctx.twilio.numbers(account_sid)]


@router.get("/numbers/{phone_number}")
async def read_number(phone_number: str, ctx: Context) -> dict[str, Any]:
    """One number and its behaviour."""
    return _number_json(ctx, number_or_404(ctx, phone_number))


@router.delete("/numbers/{phone_number}", status_code=status.HTTP_204_NO_CONTENT)
async def remove_number(phone_number: str, ctx: Context) -> Response:
    """Release a number: sends from it get 21606 from now on."""
    if not ctx.twilio.remove_number(phone_number):
        raise HTTPException(404, f"unknown number {phone_number!r}")
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/numbers/{phone_number}/behaviour")
async def read_behaviour(phone_number: str, ctx: Context) -> dict[str, Any]:
    """How the number behaves now."""
    number_or_404(ctx, phone_number)
    return ctx.twilio.behaviour(phone_number).model_dump()


@router.put("/numbers/{phone_number}/behaviour")
async def change_behaviour(phone_number: str, ctx: Context, changes: dict[str, Any] = Body(...)) -> dict[str, Any]:
    """Change the fields given (the others keep their values); a `seed` restarts the random choices."""
    number_or_404(ctx, phone_number)
    current = ctx.twilio.behaviour(phone_number).model_dump()
    try:
        behaviour = Behaviour.model_validate({**current, **changes})
    except ValidationError as exc:
        raise RequestValidationError(exc.errors(include_url=False)) from None
    ctx.twilio.set_behaviour(phone_number, behaviour, reseed="seed" in changes)
    return behaviour.model_dump()


@router.get("/opt-outs")
async def list_opt_outs(ctx: Context, sender: str | None = None) -> list[dict[str, Any]]:
    """Recipients who replied STOP, per sender: a number, or a Messaging Service sid (`since`: unix seconds)."""
    return [o for o in ctx.twilio.opt_outs() if sender is None or o["sender"] == sender]


@router.get("/ledger")
async def read_ledger(
    ctx: Context,
    sender: str | None = Query(None, alias="from"),
    to: str | None = None,
) -> list[dict[str, Any]]:
    """Accepted sends, oldest first, optionally from one sender and/or to one recipient."""
    return [entry.to_json() for entry in ctx.twilio.ledger.entries(sender, to)]


@router.get("/ledger/stats")
async def read_ledger_stats(
    ctx: Context,
    sender: str | None = Query(None, alias="from"),
    to: str | None = None,
) -> dict[str, Any]:
    """Count, pace, the busiest one-second window and repeated sends (same from, to, content, callback URL)."""
    return ledger_stats(ctx.twilio.ledger.entries(sender, to))


@router.delete("/ledger")
async def clear_ledger(ctx: Context, sender: str | None = Query(None, alias="from")) -> dict[str, int]:
    """Empty the ledger (or one sender's part of it)."""
    return {"deleted": ctx.twilio.ledger.clear(sender)}


@router.get("/callbacks")
async def read_callbacks(ctx: Context, message_sid: str | None = None) -> list[dict[str, Any]]:
    """Webhooks posted (status callbacks and inbound messages), oldest first, with their answers."""
    return ctx.twilio.callbacks(message_sid)


def _number_json(ctx: SandboxContext, number: SimulatedNumber) -> dict[str, Any]:
    return {**number.to_json(), "behaviour": ctx.twilio.behaviour(number.phone_number).model_dump()}
