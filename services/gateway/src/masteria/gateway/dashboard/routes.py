"""The last route of all: files of the dashboard build, and its index.html for any other page path."""

from __future__ import annotations

import asyncio
from pathlib import Path

from fastapi import APIRouter, Request, Response

from masteria.gateway.dashboard import files
from masteria.gateway.dashboard.encoding import GzipCache
from masteria.gateway.dashboard.responses import file_response, not_built
from masteria.gateway.errors import HeaderedProblem
from masteria.runtime.problems import Problem

READ_METHODS = ("GET", "HEAD")
# Every method, so that a POST to an unknown /auth path stays a 404 rather than becoming a 405 here.
METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


def build_router(dist: Path) -> APIRouter:
    """The catch-all over ``dist``; it may be missing at start-up and built later."""
    router = APIRouter(include_in_schema=False)
    gzip_cache = GzipCache()

    @router.api_route("/{path:path}", methods=METHODS)
    async def dashboard(request: Request) -> Response:
        """A file of the build; else, for a page path, index.html so the dashboard's router takes over."""
        path = request.url.path
        if files.is_reserved(path):
            raise Problem(404, "Not found", f"no {request.method} {path}")
        if request.method not in READ_METHODS:
            raise HeaderedProblem(
                405, "Method not allowed", "the dashboard is read-only", headers={"Allow": "GET, HEAD"}
            )
        found = await asyncio.to_thread(files.lookup, dist, path)
        if found is None and files.is_asset(path):
            raise Problem(404, "Not found", f"no asset {path}")
        if found is None:
            found = await asyncio.to_thread(files.index_of, dist)
        if found is None:
            return not_built()
        return await file_response(request, found, gzip_cache)

    return router
