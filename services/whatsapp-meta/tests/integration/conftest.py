"""A running whatsapp-meta against a fresh database, real NATS and Redis, and the provider sandbox.

The sandbox plays Meta on a real socket (Graph API, status webhooks, media, templates), and the
adapter's HTTP app is served on a socket too, so the sandbox's signed webhooks reach it as Meta's would.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from masteria.devstack.harness import RunningService, ScratchDatabase, fresh_database, running_service, settings_env
from masteria.devstack.secrets_file import DevSecrets
from masteria.media import MediaSettings
from masteria.sandbox.app import create_app
from masteria.sandbox.settings import SandboxSettings
from masteria.sandbox.testing import BackgroundServer, free_port
from masteria.security.internal_token import Identity, InternalTokenIssuer
from masteria.whatsapp_meta.main import build_service
from masteria.whatsapp_meta.settings import WhatsAppMetaSettings

from .support import MetaSandbox

pytestmark = pytest.mark.integration


@pytest.fixture(scope="session")
def secrets() -> DevSecrets:
    return DevSecrets.generate()


@pytest.fixture(scope="session")
async def database() -> AsyncIterator[ScratchDatabase]:
    async with fresh_database("wameta_it") as db:
        yield db


@pytest.fixture(scope="session")
async def sandbox_server() -> AsyncIterator[BackgroundServer]:
    port = free_port()
    app = create_app(SandboxSettings(port=port, public_url=f"http://127.0.0.1:{port}", retry_initial_s=0.02))
    server = BackgroundServer(app, port)
    await server.start()
    async with app.router.lifespan_context(app):
        yield server
        await server.stop()


@pytest.fixture(scope="session")
def media_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("media")


@pytest.fixture(scope="session")
async def meta(
    database: ScratchDatabase, secrets: DevSecrets, sandbox_server: BackgroundServer, media_dir: Path
) -> AsyncIterator[RunningService]:
    settings = WhatsAppMetaSettings(
        **settings_env(database, secrets),
        verify_number_on_register=False,
        graph_url=f"{sandbox_server.base_url}/graph",
        graph_timeout_s=5.0,
        send_backoff_base_s=0.05,
        send_backoff_cap_s=0.3,
        retry_poll_s=0.05,
        reaper_interval_s=0.5,
        sending_lease_s=30.0,
        media_backoff_base_s=0.05,
        media_backoff_cap_s=0.2,
        media_max_attempts=3,
    )
    media = MediaSettings(store_url=media_dir.as_uri())
    async with running_service("whatsapp-meta", lambda: build_service(settings, media)) as running:
        yield running


@pytest.fixture(scope="session")
async def meta_server(meta: RunningService) -> AsyncIterator[BackgroundServer]:
    """The adapter's HTTP app on a socket, where the sandbox delivers Meta's webhooks."""
    server = BackgroundServer(meta.service.http)
    await server.start()
    yield server
    await server.stop()


@pytest.fixture(scope="session")
async def sandbox(sandbox_server: BackgroundServer, meta_server: BackgroundServer) -> AsyncIterator[MetaSandbox]:
    client = MetaSandbox(sandbox_server.base_url, f"{meta_server.base_url}/webhooks/whatsapp-meta")
    yield client
    await client.close()


@pytest.fixture
def issuer(secrets: DevSecrets) -> InternalTokenIssuer:
    return InternalTokenIssuer(secrets.internal_token_private_key)


def bearer(issuer: InternalTokenIssuer, tenant_id: uuid.UUID, role: str = "owner") -> dict[str, str]:
    token = issuer.issue(Identity(tenant_id, uuid.uuid4(), (role,)), audience="whatsapp-meta")
    return {"Authorization": f"Bearer {token}"}
