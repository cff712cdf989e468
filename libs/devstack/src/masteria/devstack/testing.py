"""Helpers for tests that drive the stack: free ports and waiting on a condition with a deadline."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable


def free_port() -> int:
    """Return a loopback TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def eventually(check: Callable[[], bool], what: str, timeout: float = 10.0) -> None:  # noqa: ASYNC109
    """Poll check() until it holds; raise TimeoutError naming `what` after `timeout` seconds."""
    # A timeout parameter rather than the caller's asyncio.timeout, so the failure says what never happened.
    # Polling is the point: the conditions are outside state (processes, files, sockets) with no event to await.
    try:
        async with asyncio.timeout(timeout):
            while not check():  # noqa: ASYNC110
                await asyncio.sleep(0.02)
    except TimeoutError:
        raise TimeoutError(f"timed out after {timeout}s waiting for {what}") from None
