"""Fixtures: a sandbox app driven in-process, a real webhook receiver on a socket, a registered number."""

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from masteria.sandbox.app import create_app
from masteria.sandbox.settings import SandboxSettings
from masteria.sandbox.testing import WebhookReceiver

APP_SECRET = "app-secret-for-tests"

Register = Callable[..., Awaitable[dict[str, Any]]]


@pytest.fixture
async def app() -> AsyncIterator[FastAPI]:
    """A fresh sandbox, started and stopped through its lifespan."""
    application = create_app(SandboxSettings(public_url="http://sandbox.test", webhook_timeout_s=5.0))
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client talking to the sandbox app in-process."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox.test") as http:
        yield http


@pytest.fixture
async def receiver() -> AsyncIterator[WebhookReceiver]:
    """A running webhook receiver that knows the number's app secret."""
    rec = WebhookReceiver(app_secret=APP_SECRET)
    await rec.start()
    yield rec
    await rec.stop()


@pytest.fixture
def register(client: httpx.AsyncClient) -> Register:
    """Register the test number with a webhook URL (and overrides); returns the body sent."""

    async def _register(webhook_url: str, **overrides: Any) -> dict[str, Any]:
        body = {
            "phone_number_id": "106540352242922",
            "display_phone_number": "15550001234",
            "waba_id": "102290129340398",
            "access_token": "EAAG-sandbox-token",
            "app_secret": APP_SECRET,
            "webhook_url": webhook_url,
            **overrides,
        }
        response = await client.post("/_sandbox/meta/numbers", json=body)
        assert response.status_code == 201, response.text
        return {**body, "answer": response.json()}

    return _register


@pytest.fixture
async def number(register: Register, receiver: WebhookReceiver) -> dict[str, Any]:
    """The test number, registered with its webhook pointing at `receiver`."""
    return await register(receiver.url)
