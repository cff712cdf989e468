"""Idempotent creation of the JetStream streams and durable consumers at start-up."""

from __future__ import annotations

from collections.abc import Sequence

from nats.js import JetStreamContext, api
from nats.js.errors import NotFoundError

from masteria.contracts.streams import ConsumerSpec, StreamSpec
from masteria.observability.logging import get_logger

log = get_logger(__name__)


def stream_config(spec: StreamSpec) -> api.StreamConfig:
    """The nats-py configuration for a contract's stream definition."""
    return api.StreamConfig(**spec.nats_config())


def consumer_config(spec: ConsumerSpec) -> api.ConsumerConfig:
    """The nats-py configuration for a durable pull consumer."""
    return api.ConsumerConfig(**spec.nats_config())


async def ensure_streams(js: JetStreamContext, specs: Sequence[StreamSpec]) -> None:
    """Create missing streams and bring existing ones to the declared configuration."""
    for spec in specs:
        config = stream_config(spec)
        try:
            await js.stream_info(spec.name)
        except NotFoundError:
            await js.add_stream(config)
            log.info("stream created", stream=spec.name)
        else:
            await js.update_stream(config)


async def ensure_consumers(js: JetStreamContext, specs: Sequence[ConsumerSpec]) -> None:
    """Create missing durable consumers; an existing one keeps its position."""
    for spec in specs:
        try:
            await js.consumer_info(spec.stream, spec.durable)
        except NotFoundError:
            await js.add_consumer(spec.stream, consumer_config(spec))
            log.info("consumer created", stream=spec.stream, durable=spec.durable)
