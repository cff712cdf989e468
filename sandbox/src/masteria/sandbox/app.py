"""The sandbox application: every provider stand-in behind one FastAPI app."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import Response

from masteria.sandbox import jobs_api
from masteria.sandbox.context import SandboxContext
from masteria.sandbox.meta import control as meta_control
from masteria.sandbox.meta import customers as meta_customers
from masteria.sandbox.meta import graph as meta_graph
from masteria.sandbox.meta.errors import GraphError
from masteria.sandbox.meta.state import MetaRegistry
from masteria.sandbox.oauth import control as oauth_control
from masteria.sandbox.oauth import routes as oauth_routes
from masteria.sandbox.oauth.oidc import OidcIssuer
from masteria.sandbox.oauth.store import OAuthStore
from masteria.sandbox.settings import SandboxSettings
from masteria.sandbox.twilio import routes as twilio_routes


def create_app(
    settings: SandboxSettings | None = None,
    *,
    webhook_transport: httpx.AsyncBaseTransport | None = None,
) -> FastAPI:
    """Build a sandbox with fresh in-memory state; `webhook_transport` reroutes its outgoing calls."""
    settings = settings or SandboxSettings()
    context = SandboxContext(
        settings=settings,
        meta=MetaRegistry(),
        oauth=OAuthStore(settings.oauth_clients),
        oidc=OidcIssuer(f"{settings.public_url}/oauth/google"),
        webhook_transport=webhook_transport,
    )

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        await context.aclose()

    app = FastAPI(title="Master IA provider sandbox", lifespan=lifespan)
    app.state.sandbox = context
    app.add_exception_handler(GraphError, _graph_error)
    for module in (meta_graph, meta_control, meta_customers, jobs_api, oauth_routes, oauth_control):
        app.include_router(module.router)
    app.include_router(twilio_routes.router)
    app.add_api_route("/_sandbox/health", health, methods=["GET"], tags=["sandbox"])
    return app


async def health() -> dict[str, str]:
    """Liveness: the sandbox answers."""
    return {"status": "ok"}


async def _graph_error(_: Request, exc: Exception) -> Response:
    # Registered for GraphError only; the isinstance narrows the type Starlette's signature gives.
    if not isinstance(exc, GraphError):
        raise exc
    response: Response = exc.response()
    return response
