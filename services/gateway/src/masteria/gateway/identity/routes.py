"""``/auth/*``: sign-up, login, logout, who am I, switch tenant."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends, Request, Response, status

from masteria.gateway.access.client import client_ip
from masteria.gateway.access.dependencies import current_principal, signed_in
from masteria.gateway.access.principal import Principal
from masteria.gateway.identity import service
from masteria.gateway.identity.cookies import clear_session_cookies, set_session_cookies
from masteria.gateway.identity.schemas import LoginIn, MeOut, SignupIn, SwitchTenantIn
from masteria.gateway.state import state_of
from masteria.persistence.tenancy import system_session
from masteria.runtime.problems import Problem
from masteria.runtime.service import service_of

router = APIRouter(prefix="/auth", tags=["auth"])


def _session_of(principal: Principal) -> tuple[uuid.UUID, uuid.UUID, str]:
    """(user id, session id, CSRF token) of a browser session principal."""
    if principal.user_id is None or principal.session_id is None or principal.csrf_token is None:
        raise Problem(403, "Session required", "this endpoint is for signed-in users, not API keys")
    return principal.user_id, principal.session_id, principal.csrf_token


def _client(request: Request) -> service.ClientInfo:
    ip = client_ip(request, trust_forwarded_for=state_of(request).settings.trust_forwarded_for)
    return service.ClientInfo(ip=ip, user_agent=request.headers.get("user-agent"))


async def _signed_in_answer(request: Request, response: Response, issued: service.IssuedSession) -> MeOut:
    settings = state_of(request).settings
    set_session_cookies(
        response, settings, token=issued.token, csrf_token=issued.csrf_token, max_age=settings.session_ttl_s
    )
    async with system_session(service_of(request).sessions) as db:
        return await service.describe(db, issued.user_id, issued.tenant_id, issued.csrf_token)


@router.post("/signup", status_code=status.HTTP_201_CREATED, response_model=MeOut)
async def signup(data: SignupIn, request: Request, response: Response) -> MeOut:
    """Create an account and its first tenant, and sign in."""
    gateway, client = state_of(request), _client(request)
    await gateway.throttle.check("signup", client.ip, data.email)
    async with system_session(service_of(request).sessions) as db:
        issued = await service.signup(db, data, ttl_s=gateway.settings.session_ttl_s, client=client)
    return await _signed_in_answer(request, response, issued)


@router.post("/login", response_model=MeOut)
async def login(data: LoginIn, request: Request, response: Response) -> MeOut:
    """Sign in with email and password."""
    gateway, client = state_of(request), _client(request)
    await gateway.throttle.check("login", client.ip, data.email)
    async with system_session(service_of(request).sessions) as db:
        issued = await service.login(db, data, ttl_s=gateway.settings.session_ttl_s, client=client)
    return await _signed_in_answer(request, response, issued)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
async def logout(request: Request) -> Response:
    """End the session (idempotent); a live session must pass the CSRF check."""
    settings = state_of(request).settings
    principal = await current_principal(request)
    token = request.cookies.get(settings.session_cookie)
    if principal is not None and principal.kind == "session" and token:
        async with system_session(service_of(request).sessions) as db:
            await service.logout(db, token)
    request.state.refresh_session = None  # never re-issue cookies on the way out
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    clear_session_cookies(response, settings)
    return response


@router.get("/me", response_model=MeOut)
async def me(request: Request, principal: Principal = Depends(signed_in)) -> MeOut:
    """The signed-in user, the current tenant and role, and every membership."""
    user_id, _, csrf_token = _session_of(principal)
    async with system_session(service_of(request).sessions) as db:
        return await service.describe(db, user_id, principal.tenant_id, csrf_token)


@router.post("/switch-tenant", response_model=MeOut)
async def switch_tenant(data: SwitchTenantIn, request: Request, principal: Principal = Depends(signed_in)) -> MeOut:
    """Act for another of the user's tenants."""
    user_id, session_id, csrf_token = _session_of(principal)
    async with system_session(service_of(request).sessions) as db:
        await service.switch_tenant(db, session_id, user_id, data.tenant_id)
        return await service.describe(db, user_id, data.tenant_id, csrf_token)
