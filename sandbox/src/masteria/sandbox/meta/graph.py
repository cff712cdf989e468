"""Meta's Graph API for WhatsApp: send a message, read a phone number or a media object, list templates."""

import json
from typing import Annotated, Any, cast

from fastapi import APIRouter, Header, Request, Response
from fastapi.responses import JSONResponse

from masteria.sandbox.context import Context, SandboxContext
from masteria.sandbox.meta import media_api, templates_api
from masteria.sandbox.meta.auth import TokenNumbers, access_token, check_version, serves_waba
from masteria.sandbox.meta.errors import invalid_parameter, invalid_token, unsupported_get
from masteria.sandbox.meta.sending import send_message as accept_send
from masteria.sandbox.meta.state import SimulatedNumber

router = APIRouter(prefix="/graph", tags=["meta graph"])


async def send_message(request: Request) -> Response:
    """Accept a message for delivery (or refuse it as Meta would), record it and schedule its statuses."""
    # The hot path of every benchmark takes no FastAPI dependencies and answers a ready JSONResponse:
    # resolving `Number` and `Context` and validating a returned dict cost more than the send itself.
    ctx = cast(SandboxContext, request.app.state.sandbox)
    version, phone_number_id = request.path_params["version"], request.path_params["phone_number_id"]
    check_version(version)
    number = ctx.meta.authenticate(phone_number_id, access_token(request.headers.get("authorization"), request))
    if number is None:
        raise invalid_token()
    payload = _decode(await request.body())
    return JSONResponse(await accept_send(ctx.meta, ctx.meta_statuses, number, payload))


# A plain Starlette route: FastAPI's per-request machinery (dependency solving, an exit stack) is skipped.
# `add_route` ignores the router's prefix, so the path carries it.
router.add_route(f"{router.prefix}/{{version}}/{{phone_number_id}}/messages", send_message, methods=["POST"])


@router.get("/{version}/{object_id}")
async def read_object(
    version: str,
    object_id: str,
    request: Request,
    ctx: Context,
    authorization: Annotated[str | None, Header()] = None,
    fields: str | None = None,
) -> dict[str, Any]:
    """A phone number's profile, or a media object's download URL, as Graph answers for that id."""
    check_version(version)
    token = access_token(authorization, request)
    number = ctx.meta.get(object_id)
    if number is not None:
        if ctx.meta.authenticate(object_id, token) is None:
            raise invalid_token()
        return _profile(number, fields)
    holders = ctx.meta.numbers_with_token(token)
    if not holders:
        raise invalid_token()
    media = ctx.meta.media.get(object_id)
    if media is None or not serves_waba(holders, media.waba_id):
        raise unsupported_get(object_id)
    return media_api.media_info(media, request, ctx.meta.media.url_query(media))


@router.delete("/{version}/{object_id}")
async def delete_object(version: str, object_id: str, numbers: TokenNumbers, ctx: Context) -> dict[str, bool]:
    """Delete a media object (the only object Graph lets a WhatsApp token delete here)."""
    check_version(version)
    media = ctx.meta.media.get(object_id)
    if media is None or not serves_waba(numbers, media.waba_id):
        raise unsupported_get(object_id)
    ctx.meta.media.delete(object_id)
    return {"success": True}


@router.get("/{version}/{waba_id}/phone_numbers")
async def list_phone_numbers(
    version: str, waba_id: str, numbers: TokenNumbers, ctx: Context, fields: str | None = None
) -> dict[str, Any]:
    """The WABA's phone numbers with their profiles."""
    check_version(version)
    if not serves_waba(numbers, waba_id):
        raise unsupported_get(waba_id)
    return {"data": [_profile(n, fields) for n in _numbers_of(ctx, waba_id)]}


def _numbers_of(ctx: SandboxContext, waba_id: str) -> list[SimulatedNumber]:
    return [n for n in ctx.meta.numbers() if n.waba_id == waba_id]


def _profile(number: SimulatedNumber, fields: str | None) -> dict[str, Any]:
    """The number's profile; with `fields`, only those (and the id), as Graph does."""
    profile: dict[str, Any] = {
        "verified_name": number.verified_name,
        "code_verification_status": "VERIFIED",
        "display_phone_number": number.display_phone_number,
        "quality_rating": number.quality_rating,
        "platform_type": "CLOUD_API",
        "throughput": {"level": number.throughput_level},
        "messaging_limit_tier": number.messaging_limit_tier,
        "name_status": "APPROVED",
        "id": number.phone_number_id,
    }
    if not fields:
        return profile
    wanted = {f.strip() for f in fields.split(",") if f.strip()} | {"id"}
    return {key: value for key, value in profile.items() if key in wanted}


def _decode(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise invalid_parameter("Request body is not valid JSON") from None


# After this module's routes: their paths have one more segment, so they never shadow each other.
for _module in (media_api, templates_api):
    router.include_router(_module.graph_router)
