"""Inbound MMS media as Twilio serves it: HTTP Basic on the Media resource, then a short-lived file URL.

Twilio enforces HTTP Basic authentication (the account's SID and auth token) on every media URL it
puts in an incoming-message webhook, and answers an authenticated GET with a redirect to the file on
its CDN, a signed URL that needs no credentials and expires. The sandbox does both, so a client must
authenticate, follow the redirect and not carry its credentials to the CDN's host.
"""

import asyncio
import base64
import binascii
import hashlib
import hmac
import time
from typing import Any

from fastapi import APIRouter, Response
from fastapi.responses import PlainTextResponse, RedirectResponse

from masteria.sandbox.context import Context, SandboxContext
from masteria.sandbox.twilio import errors
from masteria.sandbox.twilio.resources import account_uri

CDN_PREFIX = "/twilio/cdn"
CDN_TTL_S = 300

router = APIRouter(tags=["twilio api"])
control_router = APIRouter(prefix="/_sandbox/twilio", tags=["sandbox: twilio"])


def media_path(account_sid: str, message_sid: str, media_sid: str) -> str:
    """The Media resource's path under /twilio."""
    return f"{account_uri(account_sid)}/Messages/{message_sid}/Media/{media_sid}"


async def redirect_to_file(ctx: SandboxContext, path: str) -> Response:
    """An authenticated request's answer: 307 to the file's signed, expiring CDN URL (after the media's
    `delay_ms`; a 503 for its first `fail_fetches` requests)."""
    media = ctx.twilio.media(path)
    if media is None:
        raise errors.not_found(path)
    fetch = ctx.twilio.media_fetched(path)
    if media.delay_ms:
        await asyncio.sleep(media.delay_ms / 1000)
    if fetch <= media.fail_fetches:
        raise errors.service_unavailable()
    expires = int(time.time()) + CDN_TTL_S
    encoded = base64.urlsafe_b64encode(path.encode()).decode().rstrip("=")
    token = f"{encoded}.{expires}.{_mac(ctx, encoded, expires)}"
    return RedirectResponse(f"{ctx.settings.public_url}{CDN_PREFIX}/{token}", status_code=307)


@router.get(f"{CDN_PREFIX}/{{token}}")
async def cdn_file(token: str, ctx: Context) -> Response:
    """The file behind a signed URL; a forged or expired one is a bare 403, as a storage bucket answers."""
    try:
        encoded, expires_text, mac = token.split(".")
        expires = int(expires_text)
        path = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode()
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return _denied()
    if expires < time.time() or not hmac.compare_digest(mac, _mac(ctx, encoded, expires)):
        return _denied()
    media = ctx.twilio.media(path)
    if media is None:
        return _denied()
    return Response(media.data, media_type=media.content_type)


@control_router.get("/media")
async def list_media(ctx: Context, message_sid: str | None = None) -> list[dict[str, Any]]:
    """Hosted inbound media (optionally of one message) and how often an authenticated client fetched it."""
    return [
        {
            "url": f"{ctx.settings.public_url}/twilio{path}",
            "content_type": media.content_type,
            "size": len(media.data),
            "fetches": fetches,
        }
        for path, media, fetches in ctx.twilio.hosted(message_sid)
    ]


def _mac(ctx: SandboxContext, encoded: str, expires: int) -> str:
    digest = hmac.new(ctx.twilio.media_key, f"{encoded}.{expires}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def _denied() -> Response:
    return PlainTextResponse("AccessDenied", status_code=403)
