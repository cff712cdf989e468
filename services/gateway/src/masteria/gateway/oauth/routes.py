"""``/auth/oauth/{provider}/login`` and ``/callback``: the browser's round trip to Google or Facebook."""

from __future__ import annotations

import httpx
from authlib.common.errors import AuthlibBaseError
from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse

from masteria.gateway.access.client import client_ip
from masteria.gateway.identity import service as identity
from masteria.gateway.identity.cookies import set_session_cookies
from masteria.gateway.identity.tokens import same
from masteria.gateway.oauth import client, service
from masteria.gateway.oauth.providers import ExternalProfile, ProfileError
from masteria.gateway.oauth.redirects import safe_next
from masteria.gateway.settings import OAUTH_PROVIDERS, OAuthProviderConfig
from masteria.gateway.state import GatewayState, state_of
from masteria.observability.logging import get_logger
from masteria.persistence.tenancy import system_session
from masteria.runtime.problems import Problem
from masteria.runtime.service import service_of

router = APIRouter(prefix="/auth/oauth", tags=["auth"])
log = get_logger(__name__)


def _provider(gateway: GatewayState, name: str) -> OAuthProviderConfig:
    config = gateway.settings.oauth(name) if name in OAUTH_PROVIDERS else None
    if config is None or not config.enabled:
        raise Problem(404, "Unknown provider", f"sign-in with {name!r} is not configured")
    return config


def _redirect_uri(gateway: GatewayState, provider: str) -> str:
    return f"{gateway.settings.public_base_url.rstrip('/')}/auth/oauth/{provider}/callback"


@router.get("/{provider}/login", status_code=302, response_class=RedirectResponse)
async def oauth_login(
    provider: str, request: Request, next: str | None = Query(None, description="same-site path to return to")
) -> RedirectResponse:
    """Send the browser to the provider, remembering where to come back to."""
    gateway = state_of(request)
    config = _provider(gateway, provider)
    state = await gateway.oauth_states.create(provider, safe_next(next))
    response = RedirectResponse(client.authorization_url(config, _redirect_uri(gateway, provider), state), 302)
    # The cookie binds the state to this browser: a callback link planted by someone else fails.
    response.set_cookie(
        gateway.settings.oauth_state_cookie,
        state,
        max_age=gateway.settings.oauth_state_ttl_s,
        path="/auth/oauth",
        httponly=True,
        secure=gateway.settings.secure_cookies,
        samesite="lax",
    )
    return response


async def _profile(gateway: GatewayState, config: OAuthProviderConfig, code: str) -> ExternalProfile:
    try:
        return await client.fetch_profile(
            config, code, _redirect_uri(gateway, config.name), timeout_s=gateway.settings.oauth_timeout_s
        )
    except (AuthlibBaseError, httpx.HTTPError, ProfileError, ValueError) as exc:
        log.warning("oauth exchange failed", provider=config.name, error=repr(exc)[:300])
        raise Problem(502, "Sign-in failed", f"{config.name} did not confirm the sign-in; try again") from exc


@router.get("/{provider}/callback", status_code=302, response_class=RedirectResponse)
async def oauth_callback(
    provider: str,
    request: Request,
    code: str | None = None,
    state: str | None = None,
    error: str | None = None,
) -> RedirectResponse:
    """Check the state, trade the code for the profile, find or create the user, start a session."""
    gateway = state_of(request)
    config = _provider(gateway, provider)
    ip = client_ip(request, trust_forwarded_for=gateway.settings.trust_forwarded_for)
    await gateway.throttle.check("oauth", ip)
    cookie = request.cookies.get(gateway.settings.oauth_state_cookie, "")
    if not state or not cookie or not same(state, cookie):
        raise Problem(400, "Invalid state", "the sign-in link is stale or was not started in this browser")
    pending = await gateway.oauth_states.take(state)
    if pending is None or pending.provider != provider:
        raise Problem(400, "Invalid state", "the sign-in link is stale or was already used")
    if error or not code:
        raise Problem(400, "Sign-in cancelled", f"{provider} answered: {error or 'no authorization code'}")
    profile = await _profile(gateway, config, code)
    client_info = identity.ClientInfo(ip=ip, user_agent=request.headers.get("user-agent"))
    async with system_session(service_of(request).sessions) as db:
        user = await service.user_for(db, provider, profile)
        tenant_id = await identity.preferred_tenant(db, user)
        issued = await identity.start_session(
            db, user, tenant_id, ttl_s=gateway.settings.session_ttl_s, client=client_info
        )
    response = RedirectResponse(safe_next(pending.next_path), 302)
    set_session_cookies(
        response,
        gateway.settings,
        token=issued.token,
        csrf_token=issued.csrf_token,
        max_age=gateway.settings.session_ttl_s,
    )
    response.delete_cookie(gateway.settings.oauth_state_cookie, path="/auth/oauth")
    return response
