"""The floor under our layers: raw JetStream publish and consume on the same machine, same run."""

from __future__ import annotations

import asyncio
import contextlib
import os
import time

import nats
from nats.js.api import ConsumerConfig, StreamConfig

PAYLOAD = os.urandom(162).hex().encode()  # 324 bytes, about one of our inbound envelopes' headers+body


async def raw_jetstream_rates(nats_url: str, count: int = 20_000, window: int = 500) -> dict[str, float]:
    """Publish ``count`` messages acked in windows, then consume them with a pull consumer."""
    nc = await nats.connect(nats_url)
    js = nc.jetstream()
    stream = "BENCH_RAW"
    with contextlib.suppress(nats.js.errors.NotFoundError):
        await js.delete_stream(stream)
    await js.add_stream(StreamConfig(name=stream, subjects=["bench.raw"], storage="file"))
    started = time.perf_counter()
    for offset in range(0, count, window):
        await asyncio.gather(*(js.publish("bench.raw", PAYLOAD) for _ in range(min(window, count - offset))))
    publish_s = time.perf_counter() - started
    sub = await js.pull_subscribe("bench.raw", durable="bench", config=ConsumerConfig(max_ack_pending=-1))
    consumed = 0
    started = time.perf_counter()
    while consumed < count:
        for msg in await sub.fetch(window, timeout=5):
            await msg.ack()
            consumed += 1
    consume_s = time.perf_counter() - started
    await js.delete_stream(stream)
    await nc.close()
    return {
        "raw_publish_per_s": round(count / publish_s),
        "raw_consume_per_s": round(count / consume_s),
        "raw_publish_and_consume_per_s": round(count / (publish_s + consume_s)),
    }
