"""OpenTelemetry traces that follow one message across HTTP and NATS hops."""

from __future__ import annotations

import os
from collections.abc import Mapping, MutableMapping

from opentelemetry import context as otel_context
from opentelemetry import propagate, trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor

_configured = False


def configure_tracing(service: str, *, processors: list[SpanProcessor] | None = None) -> TracerProvider:
    """Install a tracer provider for ``service``; exports by OTLP when an endpoint is configured."""
    global _configured  # noqa: PLW0603 - the OTel provider is process-global by design
    provider = TracerProvider(resource=Resource.create({"service.name": service}))
    for processor in processors or _default_processors():
        provider.add_span_processor(processor)
    if not _configured:
        trace.set_tracer_provider(provider)
        _configured = True
    return provider


def _default_processors() -> list[SpanProcessor]:
    if not os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT"):
        return []
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    return [BatchSpanProcessor(OTLPSpanExporter())]


def tracer(name: str) -> trace.Tracer:
    """A tracer from the installed provider."""
    return trace.get_tracer(name)


def inject_headers(headers: MutableMapping[str, str]) -> MutableMapping[str, str]:
    """Write W3C ``traceparent``/``tracestate`` of the current span into ``headers``."""
    propagate.inject(headers)
    return headers


def extract_context(headers: Mapping[str, str]) -> otel_context.Context:
    """The remote parent context carried by ``headers``."""
    return propagate.extract(dict(headers))
