"""Helpers for tests and benchmarks that drive the sandbox over real sockets."""

import asyncio
import hashlib
import hmac
import json
import secrets
import socket
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import uvicorn
from fastapi import FastAPI, Request, Response
from fastapi.responses import PlainTextResponse
from starlette.types import ASGIApp

HandshakeMode = Literal["echo", "wrong_body"]
_START_STOP_S = 10.0


async def wait_until(
    condition: Callable[[], Awaitable[bool]] | Callable[[], bool],
    within_s: float = 10.0,
    what: str = "condition",
) -> None:
    """Poll `condition` until it holds; raise AssertionError when `within_s` passes first."""
    deadline = time.monotonic() + within_s
    while True:
        result = condition()
        if isinstance(result, Awaitable):
            result = await result
        if result:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {within_s}s waiting for {what}")
        await asyncio.sleep(0.01)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class BackgroundServer:
    """Serves an ASGI app with uvicorn inside the running event loop; can stop and start again."""

    def __init__(self, app: ASGIApp, port: int | None = None) -> None:
        self.app = app
        self.port = port or free_port()
        self._server: uvicorn.Server | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def base_url(self) -> str:
        """The server's address."""
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        """Listen on `port` (the same one after a stop, so clients see a restart)."""
        # Binding here rather than in uvicorn turns "port busy" into an exception instead of sys.exit.
        # IPPROTO_TCP must be explicit: asyncio sets TCP_NODELAY on accepted sockets only when the
        # protocol says TCP, and without it every keep-alive request waits ~40 ms for a delayed ACK.
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", self.port))
        config = uvicorn.Config(self.app, log_level="warning", lifespan="off", access_log=False)
        server = self._server = uvicorn.Server(config)
        self._task = asyncio.create_task(server.serve(sockets=[sock]))
        await wait_until(lambda: server.started, within_s=_START_STOP_S, what="server start")

    async def stop(self) -> None:
        """Stop listening; connections to the port are refused until the next start."""
        if self._server is None or self._task is None:
            return
        self._server.should_exit = True
        await asyncio.wait_for(self._task, timeout=_START_STOP_S)
        self._server = self._task = None


@dataclass
class ReceivedWebhook:
    """One POST a receiver got."""

    raw: bytes
    headers: dict[str, str]
    signature_valid: bool
    received_at: float

    def json(self) -> Any:
        """The body decoded as JSON."""
        return json.loads(self.raw)


@dataclass
class WebhookReceiver:
    """A tenant's Meta webhook endpoint, for tests and benchmarks of the sandbox itself.

    It checks `X-Hub-Signature-256` with its own HMAC code rather than the sandbox's signer, so a
    signing bug in the sandbox cannot hide behind the same bug here.
    """

    app_secret: str
    verify_token: str = field(default_factory=lambda: secrets.token_urlsafe(12))
    handshake_mode: HandshakeMode = "echo"
    fail_next: int = 0
    received: list[ReceivedWebhook] = field(default_factory=list)
    handshakes: list[dict[str, str]] = field(default_factory=list)
    server: BackgroundServer = field(init=False)

    def __post_init__(self) -> None:
        self.server = BackgroundServer(self._app())

    @property
    def url(self) -> str:
        """Where the sandbox should deliver."""
        return f"{self.server.base_url}/webhook"

    async def start(self) -> None:
        """Start (or restart) listening."""
        await self.server.start()

    async def stop(self) -> None:
        """Stop listening, as a crashed receiver would."""
        await self.server.stop()

    def valid(self) -> list[ReceivedWebhook]:
        """Deliveries whose signature checked out."""
        return [d for d in self.received if d.signature_valid]

    def distinct_wamids(self) -> set[str]:
        """Ids of the messages in validly signed deliveries (duplicates collapse)."""
        ids: set[str] = set()
        for delivery in self.valid():
            for entry in delivery.json()["entry"]:
                for change in entry["changes"]:
                    ids.update(m["id"] for m in change["value"].get("messages", []))
        return ids

    def signature_ok(self, raw: bytes, header: str | None) -> bool:
        """Meta's check: constant-time comparison of the HMAC-SHA256 of the raw body."""
        expected = "sha256=" + hmac.new(self.app_secret.encode(), raw, hashlib.sha256).hexdigest()
        return header is not None and hmac.compare_digest(expected.encode(), header.encode())

    def _app(self) -> FastAPI:
        app = FastAPI()
        app.add_api_route("/webhook", self._verify, methods=["GET"])
        app.add_api_route("/webhook", self._receive, methods=["POST"])
        return app

    async def _verify(self, request: Request) -> Response:
        params = dict(request.query_params)
        self.handshakes.append(params)
        if params.get("hub.mode") != "subscribe" or params.get("hub.verify_token") != self.verify_token:
            return PlainTextResponse("forbidden", status_code=403)
        echo = params.get("hub.challenge", "") if self.handshake_mode == "echo" else "ok"
        return PlainTextResponse(echo)

    async def _receive(self, request: Request) -> Response:
        raw = await request.body()
        valid = self.signature_ok(raw, request.headers.get("x-hub-signature-256"))
        self.received.append(ReceivedWebhook(raw, dict(request.headers), valid, time.time()))
        if self.fail_next > 0:
            self.fail_next -= 1
            return PlainTextResponse("try later", status_code=503)
        if not valid:
            return PlainTextResponse("bad signature", status_code=401)
        return PlainTextResponse("EVENT_RECEIVED")
