"""A durable pull consumer that takes whatever is waiting, up to a batch, and nothing more.

FastStream's batch subscriber keeps fetching until the batch is full or its timeout passes, which
trades latency for fill: a lone message waits out the timeout. nats-py's own ``fetch(n)`` does the
same once it has to linger. So this waits for one message (returned the moment it arrives), then
takes whatever else is already waiting with a short no-wait fetch: a trickle is handled at once
and a flood arrives in full batches. Acks go after the handler's transaction commits; a failed batch
is nak'ed for redelivery, which the consumers' dedup makes harmless.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

from nats.aio.msg import Msg
from nats.errors import ConnectionClosedError
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js import JetStreamContext
from nats.js.errors import ServiceUnavailableError

from masteria.contracts.streams import ConsumerSpec
from masteria.messaging.consuming import Received, decode_batch
from masteria.observability.logging import get_logger
from masteria.observability.metrics import EVENTS_CONSUMED

log = get_logger(__name__)
BatchHandler = Callable[[list[Received]], Awaitable[None]]


class BatchConsumer:
    """Binds to a provisioned durable consumer and feeds decoded batches to ``handle``."""

    def __init__(
        self, js: JetStreamContext, spec: ConsumerSpec, handle: BatchHandler, *, batch_size: int = 256,
        idle_wait_s: float = 2.0, drain_wait_s: float = 0.002, retry_delay_s: float = 1.0,
    ) -> None:
        self.js, self.spec, self.handle = js, spec, handle
        self.batch_size, self.idle_wait_s, self.retry_delay_s = batch_size, idle_wait_s, retry_delay_s
        self.drain_wait_s = drain_wait_s
        self._task: asyncio.Task[None] | None = None
        self._subscription: JetStreamContext.PullSubscription | None = None

    async def start(self) -> None:
        """Bind to the durable consumer and start pulling."""
        self._subscription = await self.js.pull_subscribe_bind(durable=self.spec.durable, stream=self.spec.stream)
        self._task = asyncio.create_task(self._run(self._subscription), name=f"consumer-{self.spec.durable}")

    async def stop(self) -> None:
        """Stop after the batch in hand; unacked messages are redelivered to the next process."""
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._subscription is not None:
            # Left subscribed, the inbox of the last lingering fetch kept the connection's drain (the broker's
            # stop) waiting for its whole timeout: crm and campaigns were SIGKILLed at every shutdown. Bounded:
            # an unsubscribe must never hold a stop up itself.
            with contextlib.suppress(ConnectionClosedError, TimeoutError):
                async with asyncio.timeout(2.0):
                    await self._subscription.unsubscribe()
            self._subscription = None

    async def _run(self, subscription: JetStreamContext.PullSubscription) -> None:
        while True:
            try:
                messages = await subscription.fetch(1, timeout=self.idle_wait_s)
                messages += await self._drain(subscription)
            except (TimeoutError, NatsTimeoutError):
                continue
            except (ConnectionClosedError, ServiceUnavailableError):
                await asyncio.sleep(self.retry_delay_s)
                continue
            await self._process(messages)

    async def _drain(self, subscription: JetStreamContext.PullSubscription) -> list[Msg]:
        try:
            return await subscription.fetch(self.batch_size - 1, timeout=self.drain_wait_s)
        except (TimeoutError, NatsTimeoutError):
            return []

    async def _process(self, messages: list[Msg]) -> None:
        bodies = [m.data for m in messages]
        headers = [m.headers or {} for m in messages]
        try:
            await self.handle(decode_batch(self.spec.durable, bodies, headers))
        except Exception:  # the batch goes back to JetStream; nothing is lost
            log.exception("batch failed; redelivering", consumer=self.spec.durable, size=len(messages))
            EVENTS_CONSUMED.labels(self.spec.durable, "failed").inc(len(messages))
            for message in messages:
                await message.nak(delay=self.retry_delay_s)
            return
        for message in messages:
            await message.ack()
