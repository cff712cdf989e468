"""One hop to an upstream service: streamed both ways, pooled connections, clear failures."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
from opentelemetry.trace import SpanKind
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from masteria.gateway.proxy.headers import Header, response_headers
from masteria.observability.tracing import inject_headers, tracer
from masteria.runtime.problems import Problem

_tracer = tracer("masteria.gateway.proxy")


@dataclass(frozen=True)
class Hop:
    """Where and how to send one request."""

    service: str
    base_url: str
    headers: list[Header]


def _has_body(request: Request) -> bool:
    length = request.headers.get("content-length")
    return (length is not None and length != "0") or "transfer-encoding" in request.headers


def _target(request: Request, base_url: str) -> str:
    # The raw path keeps the client's percent-encoding exactly as sent.
    raw_path: bytes = request.scope.get("raw_path") or request.url.path.encode()
    query: bytes = request.scope.get("query_string", b"")
    return base_url + raw_path.decode("latin-1") + (f"?{query.decode('latin-1')}" if query else "")


def _failure(exc: httpx.RequestError, service: str) -> Problem:
    if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout):
        return Problem(503, "Service unavailable", f"the {service} service is not answering", service=service)
    if isinstance(exc, httpx.TimeoutException):
        return Problem(504, "Service timeout", f"the {service} service took too long to answer", service=service)
    return Problem(502, "Bad gateway", f"the {service} service broke the connection", service=service)


async def _relay(upstream: httpx.Response) -> AsyncIterator[bytes]:
    """The upstream body; the connection goes back to the pool even when the client hangs up mid-way
    (then the response's background task never runs, but this generator is still closed)."""
    try:
        async for chunk in upstream.aiter_raw():
            yield chunk
    finally:
        await upstream.aclose()


async def forward(request: Request, client: httpx.AsyncClient, hop: Hop) -> Response:
    """Send ``request`` to ``hop`` and stream the answer back."""
    with _tracer.start_as_current_span(f"proxy {hop.service}", kind=SpanKind.CLIENT) as span:
        trace_headers: dict[str, str] = {}
        inject_headers(trace_headers)  # W3C traceparent of this hop, child of the client's trace
        outgoing = client.build_request(
            request.method,
            _target(request, hop.base_url),
            headers=[*hop.headers, *trace_headers.items()],
            content=request.stream() if _has_body(request) else None,
        )
        try:
            upstream = await client.send(outgoing, stream=True)
        except httpx.RequestError as exc:
            raise _failure(exc, hop.service) from exc
        span.set_attribute("http.response.status_code", upstream.status_code)
    response = StreamingResponse(
        _relay(upstream), status_code=upstream.status_code, background=BackgroundTask(upstream.aclose)
    )
    # Raw bytes are passed through undecoded, so Content-Length and Content-Encoding stay valid.
    response.raw_headers = [
        (k.encode("latin-1"), v.encode("latin-1")) for k, v in response_headers(upstream.headers.multi_items())
    ]
    return response
