"""A reader of ``GET /api/v1/events`` for tests: parses the Server-Sent Events frames as a browser does."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
from types import TracebackType

import httpx


@dataclass(frozen=True)
class ServerSentEvent:
    """One dispatched event."""

    id: str | None
    event: str
    data: str


@dataclass
class _Pending:
    id: str | None = None
    event: str = "message"
    data: list[str] = field(default_factory=list)


class EventStreamReader:
    """Opens the stream, collects events and comments in the background, and notes when it ended."""

    def __init__(self, client: httpx.AsyncClient, url: str = "/api/v1/events", headers: dict[str, str] | None = None):
        self.client, self.url, self.headers = client, url, headers or {}
        self.events: list[ServerSentEvent] = []
        self.comments: list[str] = []
        self.retry_ms: int | None = None
        self.ended = False
        self.response: httpx.Response | None = None
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> EventStreamReader:
        """Send the request; read in the background once the answer is a 200."""
        request = self.client.build_request("GET", self.url, headers=self.headers)
        self.response = await self.client.send(request, stream=True)
        if self.response.status_code == 200:
            self._task = asyncio.create_task(self._read(self.response))
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        """Hang up, like a closed browser tab."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, httpx.HTTPError):
                await self._task
        if self.response is not None:
            await self.response.aclose()

    def types(self) -> list[str]:
        """The event types received so far."""
        return [e.event for e in self.events]

    async def _read(self, response: httpx.Response) -> None:
        pending = _Pending()
        try:
            async for line in response.aiter_lines():
                pending = self._line(line, pending)
        finally:
            self.ended = True

    def _line(self, line: str, pending: _Pending) -> _Pending:
        if not line:  # a blank line dispatches the event, if it has data
            if pending.data:
                self.events.append(ServerSentEvent(pending.id, pending.event, "\n".join(pending.data)))
            return _Pending()
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if not name:
            self.comments.append(value)
        elif name == "data":
            pending.data.append(value)
        elif name == "id":
            pending.id = value
        elif name == "event":
            pending.event = value
        elif name == "retry" and value.isdigit():
            self.retry_ms = int(value)
        return pending
