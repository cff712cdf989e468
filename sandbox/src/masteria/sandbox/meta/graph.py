"""Meta's Graph API for WhatsApp: send a message, read a phone number."""

import json
import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Request

from masteria.sandbox.context import Context
from masteria.sandbox.meta.errors import invalid_parameter, invalid_token, unknown_path
from masteria.sandbox.meta.ids import outbound_wamid
from masteria.sandbox.meta.state import SimulatedNumber
from masteria.sandbox.meta.validation import validate_send

router = APIRouter(prefix="/graph", tags=["meta graph"])
_VERSION = re.compile(r"^v\d+\.\d+$")


def authorised_number(
    version: str,
    phone_number_id: str,
    request: Request,
    ctx: Context,
    authorization: Annotated[str | None, Header()] = None,
) -> SimulatedNumber:
    """The number in the path, when the bearer token is its access token; else Graph's error 190."""
    if not _VERSION.match(version):
        raise unknown_path(version)
    number = ctx.meta.authenticate(phone_number_id, _access_token(authorization, request))
    if number is None:
        raise invalid_token()
    return number


Number = Annotated[SimulatedNumber, Depends(authorised_number)]


@router.post("/{version}/{phone_number_id}/messages")
async def send_message(number: Number, request: Request, ctx: Context) -> dict[str, Any]:
    """Accept a message for delivery, record it in the ledger and answer as Meta does."""
    payload = _decode(await request.body())
    send = validate_send(payload)
    wamid = outbound_wamid(send.wa_id)
    ctx.meta.record_send(number.phone_number_id, send.to, send.type, payload, wamid)
    return {
        "messaging_product": "whatsapp",
        "contacts": [{"input": send.to, "wa_id": send.wa_id}],
        "messages": [{"id": wamid}],
    }


@router.get("/{version}/{phone_number_id}")
async def read_number(number: Number) -> dict[str, Any]:
    """The phone number's profile as Graph returns it by default."""
    return {
        "id": number.phone_number_id,
        "display_phone_number": number.display_phone_number,
        "verified_name": number.verified_name,
        "quality_rating": "GREEN",
        "code_verification_status": "VERIFIED",
    }


def _access_token(authorization: str | None, request: Request) -> str | None:
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    # Graph also takes the token as a query parameter.
    return request.query_params.get("access_token")


def _decode(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise invalid_parameter("Request body is not valid JSON") from None
