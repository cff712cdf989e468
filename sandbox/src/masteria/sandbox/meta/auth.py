"""Graph's access rules: the version in the path, bearer tokens, and which objects a token may see.

The dependencies are `async def` on purpose: FastAPI runs a plain `def` dependency in a worker thread.
"""

import re
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Request

from masteria.sandbox.context import Context, SandboxContext
from masteria.sandbox.meta.errors import invalid_token, unknown_path
from masteria.sandbox.meta.state import SimulatedNumber

_VERSION = re.compile(r"^v\d+\.\d+$")


def check_version(version: str) -> None:
    """Graph answers 2500 for a path whose first part is not a version like v21.0."""
    if not _VERSION.match(version):
        raise unknown_path(version)


def access_token(authorization: str | None, request: Request) -> str | None:
    """The bearer token, or Graph's `access_token` query parameter."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return request.query_params.get("access_token")


async def authorised_number(
    version: str,
    phone_number_id: str,
    request: Request,
    ctx: Context,
    authorization: Annotated[str | None, Header()] = None,
) -> SimulatedNumber:
    """The number in the path, when the bearer token is its access token; else Graph's error 190."""
    check_version(version)
    number = ctx.meta.authenticate(phone_number_id, access_token(authorization, request))
    if number is None:
        raise invalid_token()
    return number


Number = Annotated[SimulatedNumber, Depends(authorised_number)]


async def token_holder(
    request: Request,
    ctx: Context,
    authorization: Annotated[str | None, Header()] = None,
) -> list[SimulatedNumber]:
    """The numbers whose access token the request carries; Graph's error 190 when it is nobody's."""
    numbers = ctx.meta.numbers_with_token(access_token(authorization, request))
    if not numbers:
        raise invalid_token()
    return numbers


TokenNumbers = Annotated[list[SimulatedNumber], Depends(token_holder)]


def serves_waba(numbers: list[SimulatedNumber], waba_id: str) -> bool:
    """Whether a token (given by the numbers it serves) may act on a WhatsApp Business account."""
    return any(n.waba_id == waba_id for n in numbers)


def number_or_404(ctx: SandboxContext, phone_number_id: str) -> SimulatedNumber:
    """The registered number, or 404 for the control API's caller."""
    number = ctx.meta.get(phone_number_id)
    if number is None:
        raise HTTPException(404, f"unknown phone_number_id {phone_number_id!r}")
    return number
