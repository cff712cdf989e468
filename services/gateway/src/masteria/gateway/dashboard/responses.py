"""One dashboard file as an HTTP answer: content type, caching, ETag revalidation, compression."""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response

from masteria.gateway.dashboard.encoding import GzipCache, accepted_codings, compressible, precompressed
from masteria.gateway.dashboard.files import Found

NOT_BUILT = """<!doctype html>
<html lang="pt-BR"><head><meta charset="utf-8"><title>Master IA</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 36rem; margin: 4rem auto; padding: 0 1rem">
<h1>O painel ainda n&atilde;o foi constru&iacute;do</h1>
<p>Execute <code>make web</code> e recarregue esta p&aacute;gina.</p>
<p lang="en">The dashboard is not built yet: run <code>make web</code>, then reload this page.</p>
</body></html>
"""


def not_built() -> Response:
    """503 with a page that says how to build the dashboard; never cached, so a build shows at once."""
    return HTMLResponse(NOT_BUILT, status_code=503, headers={"cache-control": "no-store"})


def _etag(found: Found, coding: str | None) -> str:
    # Each representation (identity, gzip, br) needs its own tag, or a cache could mix them up.
    base = f"{found.stat.st_mtime_ns:x}-{found.stat.st_size:x}"
    return f'"{base}-{coding}"' if coding else f'"{base}"'


def _not_modified(request: Request, etag: str) -> bool:
    header = request.headers.get("if-none-match")
    if not header:
        return False
    tags = {tag.strip().removeprefix("W/") for tag in header.split(",")}
    return "*" in tags or etag in tags


async def file_response(request: Request, found: Found, gzip_cache: GzipCache) -> Response:
    """``found`` in the best encoding the client accepts, or 304 when its copy is current."""
    content_type = found.content_type
    headers = {"cache-control": found.cache_control, "x-content-type-options": "nosniff"}
    codings: frozenset[str] = frozenset()
    if compressible(content_type, found.stat.st_size):
        headers["vary"] = "accept-encoding"
        codings = accepted_codings(request.headers.get("accept-encoding", ""))
    sibling = await asyncio.to_thread(precompressed, found.path, codings) if codings else None
    coding = sibling[0] if sibling else ("gzip" if "gzip" in codings else None)
    headers["etag"] = _etag(found, coding)
    if _not_modified(request, headers["etag"]):
        return Response(status_code=304, headers=headers)
    if coding:
        headers["content-encoding"] = coding
    if sibling:
        return FileResponse(sibling[1], stat_result=sibling[2], media_type=content_type, headers=headers)
    if coding:
        body = await gzip_cache.body(found.path, found.stat)
        return Response(body, media_type=content_type, headers=headers)
    return FileResponse(found.path, stat_result=found.stat, media_type=content_type, headers=headers)
