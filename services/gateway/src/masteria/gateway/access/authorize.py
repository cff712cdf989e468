"""Coarse authorization at the edge, pure: tenant selected, viewers read-only, API key scopes."""

from __future__ import annotations

from masteria.gateway.access.principal import Principal
from masteria.gateway.access.scopes import grants, required_scope
from masteria.gateway.proxy.families import ALL_FAMILIES
from masteria.gateway.tenancy.roles import can_write
from masteria.runtime.problems import Problem


def authorization_problem(principal: Principal, method: str, family: str) -> Problem | None:
    """Why ``principal`` may not call ``method`` on ``family``, or None when it may."""
    if principal.tenant_id is None or principal.role is None:
        return Problem(403, "No tenant", "you are not a member of a tenant; create one or switch tenant")
    needed = required_scope(method, family)
    if principal.kind == "api_key" and not grants(principal.scopes, needed):
        return Problem(403, "Missing scope", f"this API key lacks the scope {needed!r}", missing_scope=needed)
    if needed.endswith(":write") and not can_write(principal.role):
        return Problem(403, "Read-only role", f"the {principal.role} role can only read")
    return None


def event_reader_problem(principal: Principal) -> Problem | None:
    """Why ``principal`` may not follow its tenant's live events, or None when it may.

    Every role reads; an API key needs a read scope of some family (``events:read`` is the narrow one).
    """
    if principal.tenant_id is None or principal.role is None:
        return Problem(403, "No tenant", "you are not a member of a tenant; create one or switch tenant")
    if principal.kind == "api_key" and not any(grants(principal.scopes, f"{f}:read") for f in ALL_FAMILIES):
        return Problem(403, "Missing scope", "this API key has no read scope", missing_scope="events:read")
    return None
