"""``/api/v1/openapi.json`` and the Swagger UI at ``/api/v1/docs``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse

from masteria.gateway.state import state_of

router = APIRouter(include_in_schema=False)


@router.get("/api/v1/openapi.json")
async def openapi_document(request: Request) -> dict[str, Any]:
    """The gateway's and every reachable service's operations in one document."""
    return await state_of(request).openapi.document(request.app.openapi())


@router.get("/api/v1/docs")
async def swagger_ui() -> HTMLResponse:
    """Swagger UI over the aggregated document."""
    return get_swagger_ui_html(openapi_url="/api/v1/openapi.json", title="Master IA API")
