"""Fixtures of the campaigns tests: a running campaigns service against a fresh database, real NATS and Redis.

Only tests that ask for them (integration tests) start anything; unit tests use none of these.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest

from masteria.campaigns.main import build_service
from masteria.campaigns.settings import CampaignsSettings
from masteria.devstack.harness import RunningService, ScratchDatabase, fresh_database, running_service, settings_env
from masteria.devstack.secrets_file import DevSecrets
from masteria.security.internal_token import Identity, InternalTokenIssuer


@pytest.fixture(scope="session")
def secrets() -> DevSecrets:
    return DevSecrets.generate()


@pytest.fixture(scope="session")
async def database() -> AsyncIterator[ScratchDatabase]:
    async with fresh_database("campaigns_it") as db:
        yield db


@pytest.fixture(scope="session")
def campaigns_settings(database: ScratchDatabase, secrets: DevSecrets) -> CampaignsSettings:
    # Quick retries so a test sees a transient failure retried within its deadline.
    return CampaignsSettings(**settings_env(database, secrets), retry_base_s=0.2, retry_cap_s=0.5, tick_s=0.05)


@pytest.fixture(scope="session")
async def campaigns(campaigns_settings: CampaignsSettings) -> AsyncIterator[RunningService]:
    async with running_service("campaigns", lambda: build_service(campaigns_settings)) as running:
        yield running


@pytest.fixture
def issuer(secrets: DevSecrets) -> InternalTokenIssuer:
    return InternalTokenIssuer(secrets.internal_token_private_key)


def bearer(
    issuer: InternalTokenIssuer, tenant_id: uuid.UUID, role: str = "admin", user_id: uuid.UUID | None = None
) -> dict[str, str]:
    """Headers the gateway would send for this tenant's user."""
    token = issuer.issue(Identity(tenant_id, user_id or uuid.uuid4(), (role,)), audience="campaigns")
    return {"Authorization": f"Bearer {token}"}
