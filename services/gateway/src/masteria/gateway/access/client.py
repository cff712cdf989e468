"""The client's address, as far as the gateway can trust it."""

from __future__ import annotations

from starlette.requests import Request


def client_ip(request: Request, *, trust_forwarded_for: bool) -> str:
    """The peer address, or the first ``X-Forwarded-For`` hop when a trusted proxy fronts us."""
    if trust_forwarded_for:
        forwarded = request.headers.get("x-forwarded-for", "")
        first = forwarded.split(",", 1)[0].strip()
        if first:
            return first
    return request.client.host if request.client else "unknown"
