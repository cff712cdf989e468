"""A running crm against a fresh database, real NATS and Redis, and a media store in a scratch directory."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from masteria.crm.main import build_service
from masteria.crm.settings import CrmSettings
from masteria.devstack.harness import RunningService, ScratchDatabase, fresh_database, running_service, settings_env
from masteria.devstack.secrets_file import DevSecrets
from masteria.media import MediaSettings
from masteria.security.internal_token import Identity, InternalTokenIssuer

pytestmark = pytest.mark.integration


@pytest.fixture(scope="session")
def secrets() -> DevSecrets:
    return DevSecrets.generate()


@pytest.fixture(scope="session")
async def database() -> AsyncIterator[ScratchDatabase]:
    async with fresh_database("crm_it") as db:
        yield db


@pytest.fixture(scope="session")
def media_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("media")


@pytest.fixture(scope="session")
def crm_settings(database: ScratchDatabase, secrets: DevSecrets) -> CrmSettings:
    # Small import batches so a test file of a few dozen rows still goes through several batches.
    return CrmSettings(**settings_env(database, secrets), import_batch_rows=100, import_sweep_interval_s=3600)


@pytest.fixture(scope="session")
async def crm(crm_settings: CrmSettings, media_root: Path) -> AsyncIterator[RunningService]:
    media = MediaSettings(MEDIA_STORE_URL=media_root.as_uri())
    async with running_service("crm", lambda: build_service(crm_settings, media)) as running:
        yield running


@pytest.fixture
def issuer(secrets: DevSecrets) -> InternalTokenIssuer:
    return InternalTokenIssuer(secrets.internal_token_private_key)


def bearer(
    issuer: InternalTokenIssuer, tenant_id: uuid.UUID, role: str = "agent", user_id: uuid.UUID | None = None
) -> dict[str, str]:
    token = issuer.issue(Identity(tenant_id, user_id or uuid.uuid4(), (role,)), audience="crm")
    return {"Authorization": f"Bearer {token}"}
