"""`python -m masteria.sandbox` serves with its settings from the environment."""

import asyncio
import os
import signal
import sys

import httpx
import pytest

from masteria.sandbox.settings import SandboxSettings
from masteria.sandbox.testing import free_port, wait_until


def test_public_url_follows_host_and_port(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SANDBOX_PORT", "9123")

    assert SandboxSettings().public_url == "http://127.0.0.1:9123"
    assert SandboxSettings(public_url="http://sandbox:8900/").public_url == "http://sandbox:8900"


async def test_module_runs_a_server_on_the_configured_port() -> None:
    port = free_port()
    env = {**os.environ, "SANDBOX_PORT": str(port), "SANDBOX_LOG_LEVEL": "warning"}
    process = await asyncio.create_subprocess_exec(sys.executable, "-m", "masteria.sandbox", env=env)
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:

            async def healthy() -> bool:
                try:
                    return (await http.get("/_sandbox/health")).json() == {"status": "ok"}
                except httpx.TransportError:
                    return False

            await wait_until(healthy, within_s=20, what="the sandbox process to answer")
    finally:
        process.terminate()
        # uvicorn shuts down gracefully, then re-raises the signal it caught.
        assert await asyncio.wait_for(process.wait(), timeout=10) in (0, -signal.SIGTERM)
