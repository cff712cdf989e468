"""Coarse authorization at the edge, pure: tenant selected, viewers read-only, API key scopes."""

from __future__ import annotations

from masteria.gateway.access.principal import Principal
from masteria.gateway.access.scopes import grants, required_scope
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
