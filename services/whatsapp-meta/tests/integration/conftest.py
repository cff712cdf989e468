"""A running whatsapp-meta against a fresh database, real NATS and Redis."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest

from masteria.devstack.harness import RunningService, ScratchDatabase, fresh_database, running_service, settings_env
from masteria.devstack.secrets_file import DevSecrets
from masteria.security.internal_token import Identity, InternalTokenIssuer
from masteria.whatsapp_meta.main import build_service
from masteria.whatsapp_meta.settings import WhatsAppMetaSettings

pytestmark = pytest.mark.integration


@pytest.fixture(scope="session")
def secrets() -> DevSecrets:
    return DevSecrets.generate()


@pytest.fixture(scope="session")
async def database() -> AsyncIterator[ScratchDatabase]:
    async with fresh_database("wameta_it") as db:
        yield db


@pytest.fixture(scope="session")
async def meta(database: ScratchDatabase, secrets: DevSecrets) -> AsyncIterator[RunningService]:
    settings = WhatsAppMetaSettings(**settings_env(database, secrets), verify_number_on_register=False)
    async with running_service("whatsapp-meta", lambda: build_service(settings)) as running:
        yield running


@pytest.fixture
def issuer(secrets: DevSecrets) -> InternalTokenIssuer:
    return InternalTokenIssuer(secrets.internal_token_private_key)


def bearer(issuer: InternalTokenIssuer, tenant_id: uuid.UUID, role: str = "owner") -> dict[str, str]:
    token = issuer.issue(Identity(tenant_id, uuid.uuid4(), (role,)), audience="whatsapp-meta")
    return {"Authorization": f"Bearer {token}"}
