"""Prometheus metrics shared by every service, exposed at ``/metrics``."""

from __future__ import annotations

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest

HTTP_REQUESTS = Counter("http_requests_total", "HTTP requests served", ["method", "route", "status"])
HTTP_LATENCY = Histogram(
    "http_request_duration_seconds", "HTTP request latency", ["method", "route"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
)
EVENTS_CONSUMED = Counter(
    "events_consumed_total", "Events handled by a consumer", ["consumer", "outcome"]
)
OUTBOX_PUBLISHED = Counter("outbox_published_total", "Outbox rows published to JetStream", ["service"])
OUTBOX_FAILURES = Counter("outbox_publish_failures_total", "Outbox publish attempts that failed", ["service"])


def render() -> tuple[bytes, str]:
    """The exposition body and its content type."""
    return generate_latest(), CONTENT_TYPE_LATEST
