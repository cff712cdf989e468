"""What the shared consumers hand to the cadence hooks: decoded batch items, envelopes or bare payloads."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from masteria.contracts.envelope import Envelope, Payload
from masteria.messaging.consuming import Received


def payloads(items: Iterable[Received | Envelope[Any] | Payload]) -> list[Payload]:
    """The payloads of ``items``, in order."""
    found: list[Payload] = []
    for item in items:
        if isinstance(item, Received):
            found.append(item.envelope.data)
        elif isinstance(item, Envelope):
            found.append(item.data)
        else:
            found.append(item)
    return found
