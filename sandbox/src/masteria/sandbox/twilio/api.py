"""Twilio's REST API (under /twilio): send a message, read it, and look up the account and its senders."""

import asyncio
import base64
import binascii
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Request, Response, status

from masteria.sandbox.context import Context, SandboxContext
from masteria.sandbox.twilio import errors
from masteria.sandbox.twilio.callbacks import schedule_statuses
from masteria.sandbox.twilio.errors import TwilioRoute
from masteria.sandbox.twilio.media import media_path, redirect_to_file
from masteria.sandbox.twilio.resources import (
    account_json,
    account_uri,
    incoming_number_json,
    message_json,
    page,
    short_code_json,
)
from masteria.sandbox.twilio.sending import accept_send, parse_send
from masteria.sandbox.twilio.state import Account

router = APIRouter(prefix="/twilio/2010-04-01/Accounts", tags=["twilio api"], route_class=TwilioRoute)


def authorised_account(
    account_sid: str, ctx: Context, authorization: Annotated[str | None, Header()] = None
) -> Account:
    """The account in the path, when HTTP Basic gives its sid and auth token; else Twilio's 20003."""
    username, password = _basic_credentials(authorization)
    account = ctx.twilio.authenticate(username, password)
    if account is None or account.sid != account_sid:
        raise errors.authenticate()
    return account


AuthorisedAccount = Annotated[Account, Depends(authorised_account)]


@router.post("/{account_sid}/Messages.json", status_code=status.HTTP_201_CREATED)
async def create_message(account: AuthorisedAccount, request: Request, ctx: Context) -> dict[str, Any]:
    """Accept a message (status `queued`), record it in the ledger and start its status callbacks."""
    send = parse_send(ctx.twilio, account, await request.form())
    await _inject_fault(ctx, send.sender.phone_number)
    record, outcome = accept_send(ctx.twilio, account, send)
    schedule_statuses(ctx, account, record, outcome)
    return message_json(record)


@router.get("/{account_sid}/Messages/{message_sid}.json")
async def read_message(account: AuthorisedAccount, message_sid: str, ctx: Context) -> dict[str, Any]:
    """A message the account sent, with its current status."""
    record = ctx.twilio.message(message_sid)
    if record is None or record.entry.account_sid != account.sid:
        raise errors.not_found(f"{account_uri(account.sid)}/Messages/{message_sid}.json")
    return message_json(record)


@router.get("/{account_sid}.json")
async def read_account(account: AuthorisedAccount) -> dict[str, Any]:
    """The account: how a client checks its credentials."""
    return account_json(account)


@router.get("/{account_sid}/IncomingPhoneNumbers.json")
async def list_incoming_numbers(account: AuthorisedAccount, request: Request, ctx: Context) -> dict[str, Any]:
    """The account's long codes and toll-free numbers, optionally only the one in `PhoneNumber`."""
    wanted = _plus(request.query_params.get("PhoneNumber"))
    numbers = [
        incoming_number_json(n)
        for n in ctx.twilio.numbers(account.sid)
        if n.kind != "short_code" and (wanted is None or n.phone_number == wanted)
    ]
    filters = {"PhoneNumber": wanted} if wanted is not None else {}
    path = f"{account_uri(account.sid)}/IncomingPhoneNumbers.json"
    return page("incoming_phone_numbers", numbers, path, filters)


@router.get("/{account_sid}/SMS/ShortCodes.json")
async def list_short_codes(account: AuthorisedAccount, request: Request, ctx: Context) -> dict[str, Any]:
    """The account's short codes, optionally only the one in `ShortCode`."""
    wanted = request.query_params.get("ShortCode")
    codes = [
        short_code_json(n)
        for n in ctx.twilio.numbers(account.sid)
        if n.kind == "short_code" and (wanted is None or n.phone_number == wanted)
    ]
    filters = {"ShortCode": wanted} if wanted is not None else {}
    return page("short_codes", codes, f"{account_uri(account.sid)}/SMS/ShortCodes.json", filters)


@router.get("/{account_sid}/Messages/{message_sid}/Media/{media_sid}")
async def read_media(account: AuthorisedAccount, message_sid: str, media_sid: str, ctx: Context) -> Response:
    """A file a simulated customer sent: HTTP Basic required, then a redirect to its short-lived URL."""
    return await redirect_to_file(ctx, media_path(account.sid, message_sid, media_sid))


async def _inject_fault(ctx: SandboxContext, phone_number: str) -> None:
    # A faulted request is answered before anything is recorded: no ledger entry, no callbacks.
    fault = ctx.twilio.roll_fault(phone_number)
    if fault == "429":
        raise errors.too_many_requests()
    if fault == "5xx":
        raise errors.internal_error()
    if fault == "timeout":
        await asyncio.sleep(ctx.twilio.behaviour(phone_number).timeout_s)
        raise errors.service_unavailable()


def _basic_credentials(authorization: str | None) -> tuple[str, str]:
    scheme, _, encoded = (authorization or "").partition(" ")
    if scheme.lower() != "basic":
        return "", ""
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return "", ""
    username, _, password = decoded.partition(":")
    return username, password


def _plus(number: str | None) -> str | None:
    # An unencoded `+` in a query string arrives as a space; Twilio's clients encode it, curl users don't.
    if number is not None and number.startswith(" "):
        return "+" + number[1:]
    return number
