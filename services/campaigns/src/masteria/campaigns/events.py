"""Envelopes campaigns publishes: one source name, causality carried from the event that led to them."""

from __future__ import annotations

import uuid
from typing import Any, TypeVar

from masteria.contracts.envelope import Envelope, Payload

SOURCE = "masteria/campaigns"
P = TypeVar("P", bound=Payload)


def wrap(payload: P, tenant_id: uuid.UUID, caused_by: Envelope[Any] | None = None) -> Envelope[P]:
    """An envelope from campaigns for ``payload``."""
    return Envelope.wrap(payload, tenant=tenant_id, source=SOURCE, caused_by=caused_by)
