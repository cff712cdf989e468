"""Decoding batches of envelopes and running each one inside its producer's trace."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import groupby
from typing import Any

from pydantic import ValidationError

from masteria.contracts.envelope import Envelope
from masteria.contracts.registry import decode_envelope
from masteria.observability.logging import get_logger
from masteria.observability.metrics import EVENTS_CONSUMED
from masteria.observability.tracing import extract_context, tracer

log = get_logger(__name__)
_tracer = tracer("masteria.messaging")


@dataclass(frozen=True)
class Received:
    """One decoded envelope with the headers it came with."""

    envelope: Envelope[Any]
    headers: Mapping[str, str]


def decode_batch(consumer: str, bodies: Sequence[bytes], headers: Sequence[Mapping[str, str]]) -> list[Received]:
    """Decode what can be decoded; a poison message is logged and counted, never retried forever."""
    received: list[Received] = []
    for body, head in zip(bodies, headers, strict=False):
        try:
            received.append(Received(decode_envelope(body), head))
        except (ValidationError, ValueError, KeyError):
            EVENTS_CONSUMED.labels(consumer, "undecodable").inc()
            log.error("undecodable message dropped", consumer=consumer, msg_id=head.get("Nats-Msg-Id"))
    return received


def by_tenant(items: list[Received]) -> Iterator[tuple[uuid.UUID, list[Received]]]:
    """Group a batch by tenant, keeping arrival order inside each group."""
    ordered = sorted(items, key=lambda r: r.envelope.tenant.int)
    for tenant, group in groupby(ordered, key=lambda r: r.envelope.tenant):
        yield tenant, list(group)


@contextmanager
def consume_span(consumer: str, item: Received) -> Iterator[None]:
    """A consumer span whose parent is the producer's span carried in the headers."""
    with _tracer.start_as_current_span(
        f"consume {item.envelope.type}",
        context=extract_context(item.headers),
        attributes={
            "messaging.system": "nats",
            "messaging.consumer.group.name": consumer,
            "messaging.message.id": str(item.envelope.id),
            "masteria.tenant": str(item.envelope.tenant),
        },
    ):
        yield

