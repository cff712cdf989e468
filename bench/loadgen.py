"""A lean load generator: signed Meta webhooks over keep-alive HTTP/1.1 on raw asyncio streams.

The sandbox plays Meta faithfully but spends ~0.7 ms of CPU per webhook in httpx, on the same two
cores as the system under test. Real Meta sends from elsewhere, so the benchmark offers load with
as little CPU as possible: bodies are built and signed before the clock starts, and each lane
writes a request and reads the response on one persistent connection.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from masteria.security.webhook_signatures import meta_signature


@dataclass
class Sent:
    """When one webhook was sent and when its 2xx came back (monotonic-free unix seconds)."""

    wamid: str
    sent_at: float
    acked_at: float = 0.0
    status: int = 0


def meta_webhook(phone_number_id: str, waba_id: str, wamid: str, sender: str, text: str) -> bytes:
    """A text-message webhook exactly as Meta shapes it."""
    return json.dumps({
        "object": "whatsapp_business_account",
        "entry": [{"id": waba_id, "changes": [{"field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "5511900000000", "phone_number_id": phone_number_id},
            "contacts": [{"profile": {"name": f"Cliente {sender[-4:]}"}, "wa_id": sender}],
            "messages": [{"from": sender, "id": wamid, "timestamp": str(int(time.time())), "type": "text",
                          "text": {"body": text}}],
        }}]}],
    }).encode()


def signed_requests(url: str, app_secret: str, bodies: list[tuple[str, bytes]]) -> list[tuple[str, bytes]]:
    """Whole HTTP/1.1 requests, signed with the app secret as Meta signs them."""
    parts = urlsplit(url)
    head = f"POST {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\nContent-Type: application/json\r\n"
    return [
        (wamid, (head + f"X-Hub-Signature-256: {meta_signature(app_secret, body)}\r\n"
                 f"Content-Length: {len(body)}\r\n\r\n").encode() + body)
        for wamid, body in bodies
    ]


async def offer(url: str, requests: list[tuple[str, bytes]], *, lanes: int = 32, rate: float = 0.0) -> list[Sent]:
    """Send every request, ``lanes`` at a time; ``rate`` > 0 paces on an absolute schedule."""
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    queue: asyncio.Queue[int] = asyncio.Queue()
    for index in range(len(requests)):
        queue.put_nowait(index)
    results: list[Sent | None] = [None] * len(requests)
    start = time.monotonic()

    async def lane() -> None:
        reader, writer = await asyncio.open_connection(host, port)
        try:
            while not queue.empty():
                index = queue.get_nowait()
                if rate > 0:
                    delay = start + index / rate - time.monotonic()
                    if delay > 0:
                        await asyncio.sleep(delay)
                wamid, raw = requests[index]
                sent = Sent(wamid, time.time())
                writer.write(raw)
                sent.status = await _read_response(reader)
                sent.acked_at = time.time()
                results[index] = sent
        finally:
            writer.close()

    await asyncio.gather(*(lane() for _ in range(lanes)))
    return [r for r in results if r is not None]


async def _read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    length = next((int(line.split(":", 1)[1]) for line in lines if line.lower().startswith("content-length:")), 0)
    if length:
        await reader.readexactly(length)
    return status
