"""Authentication of requests forwarded by the gateway: its signed internal token, nothing else."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Depends, Request

from masteria.runtime.problems import Problem
from masteria.security.internal_token import Identity, InternalTokenVerifier, InvalidInternalToken


def current_identity(request: Request) -> Identity:
    """The caller, from ``Authorization: Bearer <internal token>``; a tenant header alone is never trusted."""
    verifier: InternalTokenVerifier = request.app.state.token_verifier
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Problem(401, "Unauthorized", "missing internal token: call this service through the gateway")
    try:
        return verifier.verify(token)
    except InvalidInternalToken as exc:
        raise Problem(401, "Unauthorized", f"invalid internal token: {exc}") from exc


def require_roles(*roles: str) -> Callable[..., Coroutine[Any, Any, Identity]]:
    """A dependency that admits only identities holding one of ``roles``."""

    async def dependency(identity: Identity = Depends(current_identity)) -> Identity:
        if not identity.has_role(*roles):
            raise Problem(403, "Forbidden", f"this action needs one of the roles: {', '.join(roles)}")
        return identity

    return dependency
