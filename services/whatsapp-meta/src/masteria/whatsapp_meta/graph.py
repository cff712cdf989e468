"""A small client of Meta's Graph API; the sandbox serves the same paths in development and tests.

Every call is bounded by one overall timeout. Graph's refusals raise ``GraphError`` with Meta's
code; a call that got no answer (timeout, refused connection) raises ``GraphUnavailable``: the
classification of both lives in ``sending.errors``.

Sends, the hot path, go through aiohttp (``SendPool``); everything else (profiles, templates,
media up and down) through httpx (``Connections``). Measured client CPU per send against the
sandbox, 32 in flight: httpx 0.93-1.18 ms, aiohttp 0.20-0.32 ms (``bench`` notes in the report of
issue 5), about a quarter of the adapter's whole CPU per send.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Literal

import aiohttp
import httpx

Before = Callable[[], Awaitable[None]]
PROFILE_FIELDS = "display_phone_number,verified_name,quality_rating,messaging_limit_tier,throughput"
TEMPLATE_FIELDS = "id,name,language,status,category,components,parameter_format,quality_score"


class GraphError(Exception):
    """Graph answered with an error object (or an error status without one)."""

    def __init__(self, status: int, error: dict[str, Any]) -> None:
        message = str(error.get("message") or f"Graph error {status}")
        super().__init__(message)
        self.status = status
        code = error.get("code")
        self.code: int | None = code if isinstance(code, int) else _int_or_none(code)
        self.subcode: int | None = _int_or_none(error.get("error_subcode"))
        self.message = message
        self.title: str = str(error.get("error_user_title") or error.get("title") or message)
        data = error.get("error_data")
        self.details: str | None = str(data.get("details")) if isinstance(data, dict) and data.get("details") else None


class GraphUnavailable(Exception):  # noqa: N818 - reads as the condition it reports
    """No answer from Graph: the request may or may not have reached Meta."""

    def __init__(self, kind: Literal["timeout", "connection"], detail: str) -> None:
        super().__init__(f"{kind}: {detail}")
        self.kind, self.detail = kind, detail


@dataclass(frozen=True)
class MediaInfo:
    """What ``GET /{media_id}`` tells about an inbound file."""

    url: str
    mime_type: str | None
    sha256: str | None
    file_size: int | None


@dataclass(frozen=True)
class Downloaded:
    """A file's bytes and the content type Meta served it with."""

    data: bytes
    content_type: str | None


class Connections:
    """Keep-alive connections to Graph, each its own one-connection httpx client, lent one at a time.

    httpx's pool re-examines every pooled connection (and every queued request) whenever a request
    starts or ends, which at hundreds of requests per second costs more than the requests do. A
    queue of single-connection clients hands one out in O(1); a caller waits for a free one.
    """

    def __init__(self, size: int, timeout: httpx.Timeout) -> None:
        limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
        self._all = [httpx.AsyncClient(timeout=timeout, limits=limits) for _ in range(size)]
        # Last in, first out: the connection just used is warm; idle ones beyond the need stay idle.
        self._free: asyncio.LifoQueue[httpx.AsyncClient] = asyncio.LifoQueue()
        for client in self._all:
            self._free.put_nowait(client)

    @contextlib.asynccontextmanager
    async def client(self) -> AsyncIterator[httpx.AsyncClient]:
        """A client with a connection of its own for one request."""
        client = await self._free.get()
        try:
            yield client
        finally:
            self._free.put_nowait(client)

    async def aclose(self) -> None:
        """Close every connection."""
        for client in self._all:
            await client.aclose()


class SendPool:
    """The send path's keep-alive connections: single-connection aiohttp sessions, lent one at a time.

    Lent like ``Connections`` (LIFO, O(1)), so the pacer's ``before`` still runs with a connection in
    hand. Sessions are made on first use: aiohttp wants a running event loop.
    """

    def __init__(self, size: int, *, connect_timeout_s: float = 3.0) -> None:
        self.size, self.connect_timeout_s = size, connect_timeout_s
        self._all: list[aiohttp.ClientSession] = []
        self._free: asyncio.LifoQueue[aiohttp.ClientSession] | None = None

    @contextlib.asynccontextmanager
    async def session(self) -> AsyncIterator[aiohttp.ClientSession]:
        """A session with a connection of its own for one request."""
        if self._free is None:
            self._free = asyncio.LifoQueue()
            timeout = aiohttp.ClientTimeout(total=None, connect=self.connect_timeout_s)
            for _ in range(self.size):
                session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=1), timeout=timeout)
                self._all.append(session)
                self._free.put_nowait(session)
        session = await self._free.get()
        try:
            yield session
        finally:
            self._free.put_nowait(session)

    async def aclose(self) -> None:
        """Close every connection."""
        for session in self._all:
            await session.close()


class GraphClient:
    """Calls ``{graph_url}/{version}/...`` with a number's bearer token."""

    def __init__(
        self,
        connections: Connections,
        graph_url: str,
        version: str,
        *,
        timeout_s: float = 15.0,
        sends: SendPool | None = None,
    ) -> None:
        self.connections, self.base, self.timeout_s = connections, f"{graph_url.rstrip('/')}/{version}", timeout_s
        self.sends = sends

    async def phone_number(self, phone_number_id: str, token: str) -> dict[str, Any]:
        """The number's profile (tier, quality, throughput); proves the token serves this number."""
        return await self._json("GET", f"/{phone_number_id}", token, params={"fields": PROFILE_FIELDS})

    async def send_message(
        self, phone_number_id: str, token: str, body: dict[str, Any], *, before: Before | None = None
    ) -> str:
        """Send one message; returns its wamid. ``before`` runs with a connection in hand (the pacing)."""
        path = f"/{phone_number_id}/messages"
        if self.sends is not None:
            answer = await self._send_json(self.sends, path, token, body, before)
        else:
            answer = await self._json("POST", path, token, before=before, json=body)
        messages = answer.get("messages") or []
        if not messages or not messages[0].get("id"):
            raise GraphError(502, {"message": "Graph accepted the send but returned no message id"})
        return str(messages[0]["id"])

    async def upload_media(
        self, phone_number_id: str, token: str, data: bytes, *, mime_type: str, filename: str
    ) -> str:
        """Upload a file to the number's media (``POST /{pnid}/media``); returns the media id."""
        answer = await self._json(
            "POST",
            f"/{phone_number_id}/media",
            token,
            data={"messaging_product": "whatsapp", "type": mime_type},
            files={"file": (filename, data, mime_type)},
        )
        if not answer.get("id"):
            raise GraphError(502, {"message": "Graph stored the upload but returned no media id"})
        return str(answer["id"])

    async def media_info(self, media_id: str, token: str) -> MediaInfo:
        """Where an inbound file can be fetched (the URL is short-lived and needs the token)."""
        answer = await self._json("GET", f"/{media_id}", token)
        if not answer.get("url"):
            raise GraphError(502, {"message": f"Graph returned no url for media {media_id}"})
        size = answer.get("file_size")
        return MediaInfo(
            url=str(answer["url"]),
            mime_type=answer.get("mime_type"),
            sha256=answer.get("sha256"),
            file_size=int(size) if isinstance(size, int | str) and str(size).isdigit() else None,
        )

    async def download(self, url: str, token: str, *, max_bytes: int) -> Downloaded:
        """The bytes behind a media URL; refuses (GraphError 413) a file above ``max_bytes``."""

        async def fetch(http: httpx.AsyncClient) -> Downloaded:
            async with http.stream("GET", url, headers=_bearer(token)) as response:
                if response.status_code >= 400:
                    await response.aread()
                    raise GraphError(response.status_code, _error_object(response))
                chunks, size = [], 0
                async for chunk in response.aiter_bytes():
                    size += len(chunk)
                    if size > max_bytes:
                        raise GraphError(413, {"message": f"the file is larger than {max_bytes} bytes"})
                    chunks.append(chunk)
                return Downloaded(b"".join(chunks), response.headers.get("content-type"))

        downloaded: Downloaded = await self._bounded(fetch)
        return downloaded

    async def message_templates(
        self, waba_id: str, token: str, *, page_size: int = 100
    ) -> AsyncIterator[list[dict[str, Any]]]:
        """Every template of a WhatsApp Business account, page by page (Meta's cursor paging)."""
        params: dict[str, Any] = {"fields": TEMPLATE_FIELDS, "limit": page_size}
        while True:
            answer = await self._json("GET", f"/{waba_id}/message_templates", token, params=params)
            yield list(answer.get("data") or [])
            paging = answer.get("paging") or {}
            after = (paging.get("cursors") or {}).get("after")
            if not paging.get("next") or not after:
                return
            params = {**params, "after": after}

    async def _json(
        self, method: str, path: str, token: str, *, before: Before | None = None, **kwargs: Any
    ) -> dict[str, Any]:
        async def call(http: httpx.AsyncClient) -> dict[str, Any]:
            response = await http.request(method, f"{self.base}{path}", headers=_bearer(token), **kwargs)
            if response.status_code >= 400:
                raise GraphError(response.status_code, _error_object(response))
            try:
                body = response.json()
            except ValueError as exc:
                raise GraphError(502, {"message": f"Graph answered {response.status_code} without JSON"}) from exc
            return body if isinstance(body, dict) else {}

        answer: dict[str, Any] = await self._bounded(call, before)
        return answer

    async def _bounded(self, call: Callable[[httpx.AsyncClient], Awaitable[Any]], before: Before | None = None) -> Any:
        # Waiting for a free connection is not part of the call's time: the request has not left.
        async with self.connections.client() as http:
            if before is not None:
                await before()
            try:
                async with asyncio.timeout(self.timeout_s):
                    return await call(http)
            except TimeoutError as exc:
                raise GraphUnavailable("timeout", f"no answer from Graph within {self.timeout_s}s") from exc
            except httpx.TimeoutException as exc:
                raise GraphUnavailable("timeout", repr(exc)) from exc
            except httpx.TransportError as exc:
                raise GraphUnavailable("connection", repr(exc)) from exc

    async def _send_json(
        self, sends: SendPool, path: str, token: str, body: dict[str, Any], before: Before | None
    ) -> dict[str, Any]:
        """``_json`` for a POST through the aiohttp pool, with the same errors and the same timeout."""
        async with sends.session() as session:
            if before is not None:
                await before()
            try:
                async with asyncio.timeout(self.timeout_s):
                    async with session.post(f"{self.base}{path}", json=body, headers=_bearer(token)) as response:
                        raw = await response.read()
            except TimeoutError as exc:
                raise GraphUnavailable("timeout", f"no answer from Graph within {self.timeout_s}s") from exc
            except aiohttp.ClientError as exc:
                raise GraphUnavailable("connection", repr(exc)) from exc
        return _answer(response.status, raw)


def _answer(status: int, raw: bytes) -> dict[str, Any]:
    """A Graph answer's JSON object, or the GraphError it carries."""
    try:
        body = json.loads(raw)
    except ValueError:
        body = None
    if status >= 400:
        error = body.get("error") if isinstance(body, dict) else None
        raise GraphError(status, error if isinstance(error, dict) else {"message": f"Graph answered HTTP {status}"})
    if body is None:
        raise GraphError(502, {"message": f"Graph answered {status} without JSON"})
    return body if isinstance(body, dict) else {}


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _error_object(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {"message": f"Graph answered HTTP {response.status_code}"}
    error = body.get("error") if isinstance(body, dict) else None
    return error if isinstance(error, dict) else {"message": f"Graph answered HTTP {response.status_code}"}


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None
