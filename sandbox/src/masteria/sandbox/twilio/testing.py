"""Capturing the sandbox's outgoing Twilio webhooks in-process, for tests of the sandbox and of its clients."""

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

import httpx
from fastapi import FastAPI

from masteria.sandbox.app import create_app
from masteria.sandbox.settings import SandboxSettings


@dataclass(frozen=True, slots=True)
class CapturedPost:
    """One webhook the sandbox posted: where, with which headers and form fields."""

    url: str
    headers: dict[str, str]
    pairs: list[tuple[str, str]]
    at: float

    @property
    def params(self) -> dict[str, str]:
        """The form fields (every Twilio field name occurs once)."""
        return dict(self.pairs)

    @property
    def signature(self) -> str | None:
        """The `X-Twilio-Signature` header, if sent."""
        return self.headers.get("x-twilio-signature")


@dataclass
class WebhookCapture:
    """An httpx transport (`create_app(webhook_transport=capture.transport)`) recording every POST.

    It answers 200 with an empty TwiML response, or `fail_status` to the next `fail_next` posts.
    """

    fail_next: int = 0
    fail_status: int = 503
    posts: list[CapturedPost] = field(default_factory=list)

    @property
    def transport(self) -> httpx.MockTransport:
        """The transport to give the sandbox."""
        return httpx.MockTransport(self._handle)

    def to(self, url_prefix: str) -> list[CapturedPost]:
        """The posts made to URLs starting with `url_prefix`."""
        return [p for p in self.posts if p.url.startswith(url_prefix)]

    def posts_for(self, message_sid: str) -> list[CapturedPost]:
        """The posts (status callbacks or inbound messages) about one message."""
        return [p for p in self.posts if p.params.get("MessageSid") == message_sid]

    def statuses(self, message_sid: str) -> list[str]:
        """The `MessageStatus` of each status callback for one message, in the order they came."""
        return [
            p.params["MessageStatus"]
            for p in self.posts
            if p.params.get("MessageSid") == message_sid and "MessageStatus" in p.params
        ]

    def _handle(self, request: httpx.Request) -> httpx.Response:
        pairs = parse_qsl(request.content.decode(), keep_blank_values=True)
        self.posts.append(CapturedPost(str(request.url), dict(request.headers), pairs, time.time()))
        if self.fail_next > 0:
            self.fail_next -= 1
            return httpx.Response(self.fail_status, text="try later")
        return httpx.Response(200, text="<Response/>", headers={"Content-Type": "text/xml"})


@dataclass(frozen=True, slots=True)
class InProcessSandbox:
    """A sandbox app served in-process, a client for it, and the capture of its webhooks."""

    app: FastAPI
    client: httpx.AsyncClient
    capture: WebhookCapture


@asynccontextmanager
async def in_process_sandbox(
    capture: WebhookCapture | None = None, settings: SandboxSettings | None = None
) -> AsyncIterator[InProcessSandbox]:
    """Start a fresh sandbox whose webhooks land in `capture`; stopped (callbacks cancelled) on exit."""
    capture = capture or WebhookCapture()
    settings = settings or SandboxSettings(public_url="http://sandbox.test")
    app = create_app(settings, webhook_transport=capture.transport)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sandbox.test") as client,
    ):
        yield InProcessSandbox(app, client, capture)
