"""Builds the gateway's :class:`Service`: routers in matching order, state, middleware."""

from __future__ import annotations

from masteria.gateway.access.refresh import SessionCookieRefresh
from masteria.gateway.api_keys.routes import router as api_keys_router
from masteria.gateway.dashboard.routes import build_router as dashboard_router
from masteria.gateway.errors import install_headered_problems
from masteria.gateway.events.routes import router as events_router
from masteria.gateway.identity.routes import router as identity_router
from masteria.gateway.oauth.routes import router as oauth_router
from masteria.gateway.proxy.docs_routes import router as docs_router
from masteria.gateway.proxy.routes import router as proxy_router
from masteria.gateway.settings import GatewaySettings
from masteria.gateway.state import GatewayState
from masteria.gateway.tenancy.routes import router as tenancy_router
from masteria.observability.logging import get_logger
from masteria.runtime.service import Service
from masteria.security.internal_token import generate_keypair

NAME = "gateway"
log = get_logger(__name__)


def _private_key(settings: GatewaySettings) -> str:
    """The configured signing key; in development an ephemeral one, so the gateway starts anyway."""
    if settings.internal_token_private_key.strip():
        return settings.internal_token_private_key
    log.warning("no GATEWAY_INTERNAL_TOKEN_PRIVATE_KEY: using an ephemeral key services cannot verify")
    return generate_keypair()[0]


def build_service(settings: GatewaySettings | None = None) -> Service:
    """The gateway, ready for ``runner.run`` or for tests (``service.start()`` / ``stop()``)."""
    settings = settings or GatewaySettings()
    # Own routes first: the proxy's catch-all /api/v1/{family} must only see what is left, and the
    # dashboard's catch-all /{path} (SPA fallback) only what the proxy does not take either.
    own = [identity_router, oauth_router, tenancy_router, api_keys_router, events_router, docs_router]
    routers = [*own, proxy_router, dashboard_router(settings.web_dist)]

    async def open_state(service: Service) -> None:
        service.http.state.gateway = GatewayState.open(
            settings, service.redis, service.sessions, _private_key(settings)
        )

    async def close_state(service: Service) -> None:
        state: GatewayState | None = getattr(service.http.state, "gateway", None)
        if state is not None:
            await state.close()

    service = Service(NAME, settings, routers=routers, on_start=[open_state], on_stop=[close_state])
    install_headered_problems(service.http)
    service.http.add_middleware(SessionCookieRefresh, settings=settings)
    return service
