"""The send path's aiohttp pool answers like the httpx one: Graph's errors, no answer, a refused connection."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator, Callable

import httpx
import pytest

from masteria.whatsapp_meta.graph import Connections, GraphClient, GraphError, GraphUnavailable, SendPool

Answer = Callable[[bytes], bytes | None]  # request bytes -> raw HTTP answer (None: never answer)


def http(status: int, body: object) -> bytes:
    raw = json.dumps(body).encode()
    head = f"HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {len(raw)}\r\n\r\n"
    return head.encode() + raw


async def server(answer: Answer) -> AsyncIterator[str]:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        length = next(
            int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")
        )
        raw = answer(head + await reader.readexactly(length))
        if raw is None:
            await asyncio.sleep(3600)
        writer.write(raw or b"")
        await writer.drain()
        writer.close()

    listening = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = listening.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        listening.close()


@pytest.fixture
async def graph_at() -> AsyncIterator[Callable[[str, float], GraphClient]]:
    pools: list[tuple[Connections, SendPool]] = []

    def make(url: str, timeout_s: float = 5.0) -> GraphClient:
        pool = (Connections(1, httpx.Timeout(timeout_s)), SendPool(2))
        pools.append(pool)
        return GraphClient(pool[0], url, "v21.0", timeout_s=timeout_s, sends=pool[1])

    yield make
    for connections, sends in pools:
        await connections.aclose()
        await sends.aclose()


async def test_a_send_returns_the_wamid_and_carries_the_token_and_the_body(
    graph_at: Callable[[str, float], GraphClient],
) -> None:
    seen: list[bytes] = []

    def accept(request: bytes) -> bytes:
        seen.append(request)
        return http(200, {"messaging_product": "whatsapp", "messages": [{"id": "wamid.X"}]})

    async for url in server(accept):
        wamid = await graph_at(url, 5.0).send_message("106", "EAAG-t", {"to": "5511", "type": "text"})
    assert wamid == "wamid.X"
    assert seen[0].startswith(b"POST /v21.0/106/messages HTTP/1.1")
    assert b"Authorization: Bearer EAAG-t" in seen[0]
    assert seen[0].endswith(b'{"to": "5511", "type": "text"}')


async def test_graphs_refusal_keeps_metas_code_and_details(graph_at: Callable[[str, float], GraphClient]) -> None:
    refusal = {"error": {"message": "(#130429) Rate limit hit", "code": 130429, "error_data": {"details": "slow"}}}
    async for url in server(lambda _: http(400, refusal)):
        with pytest.raises(GraphError) as refused:
            await graph_at(url, 5.0).send_message("106", "t", {})
    assert (refused.value.status, refused.value.code, refused.value.details) == (400, 130429, "slow")


async def test_no_answer_in_time_is_a_timeout_and_a_closed_port_a_connection_failure(
    graph_at: Callable[[str, float], GraphClient],
) -> None:
    async for url in server(lambda _: None):
        with pytest.raises(GraphUnavailable) as silent:
            await graph_at(url, 0.2).send_message("106", "t", {})
    assert silent.value.kind == "timeout"
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    with pytest.raises(GraphUnavailable) as refused:
        await graph_at(f"http://127.0.0.1:{closed}", 2.0).send_message("106", "t", {})
    assert refused.value.kind == "connection"


async def test_an_answer_that_is_not_json_is_a_502(graph_at: Callable[[str, float], GraphClient]) -> None:
    raw = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 5\r\n\r\n<html"
    async for url in server(lambda _: raw):
        with pytest.raises(GraphError) as odd:
            await graph_at(url, 5.0).send_message("106", "t", {})
    assert odd.value.status == 502
