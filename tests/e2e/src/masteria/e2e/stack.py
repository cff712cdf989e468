"""The whole platform started as separate processes, as production runs it, for journeys."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass

import nats
from nats.js.errors import NotFoundError

from masteria.contracts.streams import ALL_STREAMS
from masteria.devstack import postgres
from masteria.devstack.infra import InfraUrls, ensure_infra
from masteria.devstack.procs import Supervisor
from masteria.devstack.secrets_file import DevSecrets
from masteria.devstack.stack import StackConfig, migrate_all, process_specs

# Configurable so that several checkouts (or helpers) can run journeys side by side.
E2E_BASE_PORT = int(os.environ.get("MASTERIA_E2E_BASE_PORT", "18000"))
# What journeys need that production does not: cadence delays in seconds, and a send whose process died
# inside the provider call declared unknown after 10 s rather than 90 s.
TEST_OVERRIDES: dict[str, dict[str, str]] = {
    "campaigns": {"CAMPAIGNS_CADENCE_ALLOW_SECONDS": "1"},
    "whatsapp-meta": {"WHATSAPP_META_SENDING_LEASE_S": "10"},
}


@dataclass
class RunningStack:
    """Handles a test needs: URLs, the supervisor (to kill and restart services), the database."""

    config: StackConfig
    supervisor: Supervisor
    database: str
    admin_url: str
    app_url: str


async def _fresh_streams(nats_url: str) -> None:
    # A fresh database needs fresh streams: durable consumers must not resume another run's position.
    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream()
        for stream in ALL_STREAMS:
            with suppress(NotFoundError):
                await js.delete_stream(stream.name)
    finally:
        await nc.close()


@asynccontextmanager
async def running_stack(
    database: str = "masteria_e2e", base_port: int = E2E_BASE_PORT, overrides: dict[str, dict[str, str]] | None = None
) -> AsyncIterator[RunningStack]:
    """Infrastructure, a fresh migrated database, every service and the sandbox; stopped afterwards."""
    infra = await asyncio.to_thread(ensure_infra)
    urls = await postgres.create_database(database)
    await migrate_all(urls.admin)
    await _fresh_streams(infra.nats_url)
    config = StackConfig(
        infra=InfraUrls(urls.app, urls.admin, infra.nats_url, infra.redis_url),
        secrets=DevSecrets.generate(),
        base_port=base_port,
        overrides=TEST_OVERRIDES if overrides is None else overrides,
    )
    supervisor = Supervisor(process_specs(config), sinks=[sys.stderr], grace=5.0)
    try:
        await supervisor.start_all()
        await supervisor.wait_ready(timeout=90)
        yield RunningStack(config, supervisor, database, urls.admin, urls.app)
    finally:
        await supervisor.stop_all()
        await postgres.drop_database(database)
