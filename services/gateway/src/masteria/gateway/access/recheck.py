"""Is the caller of a long-lived response still admitted? Checked again while the response runs."""

from __future__ import annotations

from starlette.requests import Request

from masteria.gateway.access.principal import Principal
from masteria.gateway.api_keys import service as api_keys
from masteria.gateway.identity import service as identity
from masteria.gateway.state import state_of
from masteria.persistence.base import utcnow
from masteria.persistence.tenancy import system_session
from masteria.runtime.service import service_of


async def _current(request: Request, admitted: Principal) -> Principal | None:
    """The same credential resolved afresh, without side effects a streaming response cannot carry."""
    settings = state_of(request).settings
    async with system_session(service_of(request).sessions) as db:
        if admitted.kind == "api_key":
            token = request.headers.get("authorization", "").partition(" ")[2].strip()
            return await api_keys.authenticate(db, token, utcnow())
        cookie = request.cookies.get(settings.session_cookie, "")
        # No sliding: the Set-Cookie that would carry the new expiry cannot be sent mid-stream.
        found = await identity.authenticate(db, cookie, utcnow(), ttl_s=settings.session_ttl_s, refresh_s=None)
        return found[0] if found else None


async def still_admitted(request: Request, admitted: Principal) -> bool:
    """True while the credential is valid and still acts for the same tenant with some role."""
    current = await _current(request, admitted)
    return current is not None and current.tenant_id == admitted.tenant_id and current.role is not None
