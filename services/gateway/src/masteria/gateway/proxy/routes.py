"""The catch-all routes: ``/api/v1/<family>/...`` to the owning service, ``/webhooks/<service>/...`` as is."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from masteria.gateway.access.authorize import authorization_problem
from masteria.gateway.access.dependencies import authenticated
from masteria.gateway.proxy.families import GATEWAY_FAMILIES, owner_of
from masteria.gateway.proxy.forward import Hop, forward
from masteria.gateway.proxy.headers import Header, api_request_headers, forwarded_headers, webhook_request_headers
from masteria.gateway.state import GatewayState, state_of
from masteria.runtime.problems import Problem

# Registered last: the gateway's own /api/v1 routes match first.
router = APIRouter(include_in_schema=False)
METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


def _base_url(gateway: GatewayState, service: str) -> str:
    base = gateway.settings.service_urls.get(service)
    if not base:
        raise Problem(503, "Service unavailable", f"no address is configured for {service}", service=service)
    return base


def _forwarded(request: Request, gateway: GatewayState) -> list[Header]:
    prior = request.headers.get("x-forwarded-for") if gateway.settings.trust_forwarded_for else None
    client = request.client.host if request.client else None
    return forwarded_headers(client, request.url.scheme, request.headers.get("host"), prior)


@router.api_route("/api/v1/{family}", methods=METHODS)
@router.api_route("/api/v1/{family}/{rest:path}", methods=METHODS)
async def proxy_api(family: str, request: Request) -> Response:
    """Authenticate, authorize coarsely, mint an internal token for the owner, forward."""
    service = owner_of(family)
    if service is None:
        if family in GATEWAY_FAMILIES:  # the gateway's own family, but no such route or method
            raise Problem(404, "Not found", f"no {request.method} {request.url.path}")
        raise Problem(404, "Not found", f"there is no resource family {family!r}")
    principal = await authenticated(request)
    if problem := authorization_problem(principal, request.method, family):
        raise problem
    gateway = state_of(request)
    token = gateway.issuer.issue(principal.identity(), audience=service)
    headers = [
        *api_request_headers(request.headers.items()),
        *_forwarded(request, gateway),
        ("authorization", f"Bearer {token}"),
    ]
    return await forward(request, gateway.upstream, Hop(service, _base_url(gateway, service), headers))


@router.api_route("/webhooks/{service}", methods=METHODS)
@router.api_route("/webhooks/{service}/{rest:path}", methods=METHODS)
async def proxy_webhook(service: str, request: Request) -> Response:
    """Pass a provider's webhook through untouched: the service checks the provider's signature."""
    gateway = state_of(request)
    if service not in gateway.settings.service_urls:
        raise Problem(404, "Not found", f"there is no webhook receiver {service!r}")
    headers = [*webhook_request_headers(request.headers.items()), *_forwarded(request, gateway)]
    return await forward(request, gateway.upstream, Hop(service, _base_url(gateway, service), headers))
