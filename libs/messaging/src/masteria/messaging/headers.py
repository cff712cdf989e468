"""NATS headers every message carries: dedup id, tenant, type and W3C trace context."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from masteria.contracts.envelope import Envelope
from masteria.observability.tracing import inject_headers

MSG_ID = "Nats-Msg-Id"  # JetStream drops a second publish with the same id inside the stream's window
TENANT = "masteria-tenant"
TYPE = "ce-type"


def envelope_headers(envelope: Envelope[Any]) -> dict[str, str]:
    """Headers for publishing ``envelope``, with the current span as the remote parent."""
    headers = {MSG_ID: str(envelope.id), TENANT: str(envelope.tenant), TYPE: envelope.type}
    inject_headers(headers)
    return headers


def tenant_of(headers: Mapping[str, str]) -> uuid.UUID | None:
    """The tenant named in the headers, if any."""
    value = headers.get(TENANT)
    return uuid.UUID(value) if value else None
