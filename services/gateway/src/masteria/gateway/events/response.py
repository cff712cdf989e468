"""An SSE response that stops the moment the client hangs up and always runs its cleanup."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Awaitable, Callable

from starlette.responses import StreamingResponse
from starlette.types import Receive, Scope, Send

HEADERS = {
    "content-type": "text/event-stream",
    "cache-control": "no-cache",
    "x-accel-buffering": "no",  # nginx (and ingress-nginx) would otherwise buffer the stream
}


class EventStreamResponse(StreamingResponse):
    """Streams ``frames``, then awaits ``on_close`` however the stream ended.

    Starlette's StreamingResponse notices a hang-up only at the next write under ASGI 2.4 (up to a
    heartbeat later), and under 2.3 cancels the body in an anyio scope that also cancels any await in
    its cleanup; a NATS consumer must not outlive its connection either way.
    """

    def __init__(self, frames: AsyncGenerator[bytes, None], on_close: Callable[[], Awaitable[None]]) -> None:
        super().__init__(frames, headers=HEADERS)
        self._frames, self._on_close = frames, on_close

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pump frames and watch for the disconnect side by side; the first to finish ends both."""
        pump = asyncio.create_task(self.stream_response(send))
        hangup = asyncio.create_task(self.listen_for_disconnect(receive))
        try:
            await asyncio.wait((pump, hangup), return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (pump, hangup):
                task.cancel()
            await asyncio.gather(pump, hangup, return_exceptions=True)
            await self._frames.aclose()  # runs the generator's finally blocks if it was suspended in a send
            await self._on_close()
        error = None if pump.cancelled() else pump.exception()
        if error is not None and not isinstance(error, OSError):  # OSError: the client went away mid-write
            raise error
