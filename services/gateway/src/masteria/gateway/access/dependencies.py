"""FastAPI dependencies: resolve the caller once per request, enforce CSRF, authorize coarsely."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any, cast

from fastapi import Request

from masteria.gateway.access.authorize import authorization_problem, event_reader_problem
from masteria.gateway.access.principal import Principal
from masteria.gateway.access.scopes import SAFE_METHODS
from masteria.gateway.api_keys import keys
from masteria.gateway.api_keys import service as api_keys
from masteria.gateway.errors import HeaderedProblem
from masteria.gateway.identity import service as identity
from masteria.gateway.identity.tokens import same
from masteria.gateway.state import state_of
from masteria.persistence.base import utcnow
from masteria.persistence.tenancy import system_session
from masteria.runtime.problems import Problem
from masteria.runtime.service import service_of

_UNRESOLVED = object()


def unauthorized(detail: str) -> HeaderedProblem:
    """401 with the challenge RFC 9110 asks for."""
    return HeaderedProblem(401, "Unauthorized", detail, headers={"WWW-Authenticate": 'Bearer realm="masteria"'})


async def _from_api_key(request: Request, header: str) -> Principal:
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not keys.looks_like_key(token):
        raise unauthorized("use 'Authorization: Bearer mia_...' with an API key")
    async with system_session(service_of(request).sessions) as db:
        principal = await api_keys.authenticate(db, token, utcnow())
    if principal is None:
        raise unauthorized("the API key is invalid or revoked")
    return principal


def _check_csrf(request: Request, principal: Principal) -> None:
    """Double submit: the readable cookie's value must come back in the header, and match the session."""
    if request.method in SAFE_METHODS:
        return
    name = state_of(request).settings.csrf_cookie
    header, cookie = request.headers.get("x-csrf-token", ""), request.cookies.get(name, "")
    expected = principal.csrf_token or ""
    if not header or not same(header, cookie) or not same(header, expected):
        raise Problem(403, "CSRF check failed", f"send the {name} cookie's value in the X-CSRF-Token header")


async def _from_session_cookie(request: Request, token: str) -> Principal | None:
    settings = state_of(request).settings
    async with system_session(service_of(request).sessions) as db:
        found = await identity.authenticate(
            db, token, utcnow(), ttl_s=settings.session_ttl_s, refresh_s=settings.session_refresh_s
        )
    if found is None:
        return None
    principal, refreshed = found
    if refreshed:
        request.state.refresh_session = (token, principal.csrf_token)
    _check_csrf(request, principal)
    return principal


async def current_principal(request: Request) -> Principal | None:
    """The caller (API key first, then the session cookie), resolved once per request; None if anonymous."""
    cached = getattr(request.state, "principal", _UNRESOLVED)
    if cached is not _UNRESOLVED:
        return cast(Principal | None, cached)
    principal: Principal | None = None
    if header := request.headers.get("authorization"):
        principal = await _from_api_key(request, header)
    elif token := request.cookies.get(state_of(request).settings.session_cookie):
        principal = await _from_session_cookie(request, token)
    request.state.principal = principal
    return principal


async def authenticated(request: Request) -> Principal:
    """Any authenticated caller."""
    principal = await current_principal(request)
    if principal is None:
        raise unauthorized("sign in, or send an API key")
    return principal


async def signed_in(request: Request) -> Principal:
    """A person with a browser session (API keys do not have a user)."""
    principal = await authenticated(request)
    if principal.kind != "session" or principal.user_id is None:
        raise Problem(403, "Session required", "this endpoint is for signed-in users, not API keys")
    return principal


async def event_reader(request: Request) -> Principal:
    """A caller allowed to follow its current tenant's live events."""
    principal = await authenticated(request)
    if problem := event_reader_problem(principal):
        raise problem
    return principal


def family_access(family: str) -> Callable[[Request], Coroutine[Any, Any, Principal]]:
    """A dependency admitting callers allowed to use ``family`` with the request's method."""

    async def dependency(request: Request) -> Principal:
        principal = await authenticated(request)
        if problem := authorization_problem(principal, request.method, family):
            raise problem
        return principal

    return dependency
