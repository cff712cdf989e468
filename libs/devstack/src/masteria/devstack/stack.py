"""The whole platform as processes: which services exist, their ports, their environment.

Used by `make up` (through the supervise daemon) and by the end-to-end tests (in-process
Supervisor, so a test can SIGKILL one service and start it again).
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

from .infra import InfraUrls
from .paths import repo_root, var_dir
from .procs import ProcessSpec
from .secrets_file import DevSecrets


@dataclass(frozen=True)
class ServiceDef:
    """One service of the platform."""

    name: str
    module: str
    env_prefix: str
    port_offset: int

    @property
    def directory(self) -> Path:
        """Where its code and migrations live."""
        return repo_root() / "services" / self.name


SERVICES: tuple[ServiceDef, ...] = (
    ServiceDef("gateway", "masteria.gateway", "GATEWAY_", 0),
    ServiceDef("whatsapp-meta", "masteria.whatsapp_meta", "WHATSAPP_META_", 101),
    ServiceDef("whatsapp-qr", "masteria.whatsapp_qr", "WHATSAPP_QR_", 102),
    ServiceDef("sms", "masteria.sms", "SMS_", 103),
    ServiceDef("campaigns", "masteria.campaigns", "CAMPAIGNS_", 104),
    ServiceDef("ai-engine", "masteria.ai_engine", "AI_ENGINE_", 105),
    ServiceDef("voice", "masteria.voice", "VOICE_", 106),
    ServiceDef("crm", "masteria.crm", "CRM_", 107),
)
SANDBOX_OFFSET = 900
OAUTH_CLIENT_ID = "masteria-dev"


@dataclass(frozen=True)
class StackConfig:
    """Everything that differs between the developer's stack and a test's stack."""

    infra: InfraUrls
    secrets: DevSecrets
    base_port: int = 8000
    host: str = "127.0.0.1"
    log_json: bool = False
    # Per-service settings a test stack changes (shorter leases, second-scale cadence delays).
    overrides: dict[str, dict[str, str]] = field(default_factory=dict)

    def port(self, service: ServiceDef) -> int:
        """The port a service listens on."""
        return self.base_port + service.port_offset

    def url(self, name: str) -> str:
        """Base URL of a service, or of ``sandbox``."""
        if name == "sandbox":
            return f"http://{self.host}:{self.base_port + SANDBOX_OFFSET}"
        return f"http://{self.host}:{self.port(service_named(name))}"

    @property
    def gateway_url(self) -> str:
        """The one URL people and partners use."""
        return self.url("gateway")


def service_named(name: str) -> ServiceDef:
    """The definition of ``name``."""
    for service in SERVICES:
        if service.name == name:
            return service
    raise KeyError(name)


def common_env(config: StackConfig) -> dict[str, str]:
    """What every service reads: engines, keys, the public URL."""
    return {
        "DATABASE_URL": config.infra.database_url,
        "NATS_URL": config.infra.nats_url,
        "REDIS_URL": config.infra.redis_url,
        "MASTERIA_ENV": "development",
        "MASTERIA_SECRET_KEYS": config.secrets.secret_keys,
        "MASTERIA_INTERNAL_TOKEN_PUBLIC_KEY": config.secrets.internal_token_public_key,
        "MASTERIA_PUBLIC_URL": config.gateway_url,
        # One media store for every service: a key written by one (an inbound photo) is read by another.
        "MEDIA_STORE_URL": (var_dir() / "media").as_uri(),
        "LOG_JSON": "true" if config.log_json else "false",
        "PYTHONUNBUFFERED": "1",
    }


def service_env(config: StackConfig, service: ServiceDef) -> dict[str, str]:
    """A service's environment: the common part, its port, and what points it at the sandbox."""
    env = {**common_env(config), f"{service.env_prefix}PORT": str(config.port(service))}
    sandbox = config.url("sandbox")
    if service.name == "whatsapp-meta":
        env["WHATSAPP_META_GRAPH_URL"] = f"{sandbox}/graph"
    if service.name == "sms":
        env["SMS_TWILIO_API_URL"] = f"{sandbox}/twilio"
    if service.name == "gateway":
        env |= _gateway_env(config, sandbox)
    return env | config.overrides.get(service.name, {})


def _gateway_env(config: StackConfig, sandbox: str) -> dict[str, str]:
    env = {
        "GATEWAY_INTERNAL_TOKEN_PRIVATE_KEY": config.secrets.internal_token_private_key,
        "GATEWAY_SERVICE_URLS": json.dumps({s.name: config.url(s.name) for s in SERVICES if s.name != "gateway"}),
    }
    for provider, userinfo in (("google", "/oauth/google/userinfo"), ("facebook", "/oauth/facebook/me")):
        key = f"GATEWAY_OAUTH_{provider.upper()}_"
        env |= {
            f"{key}CLIENT_ID": OAUTH_CLIENT_ID,
            f"{key}CLIENT_SECRET": config.secrets.oauth_client_secret,
            f"{key}AUTHORIZE_URL": f"{sandbox}/oauth/{provider}/authorize",
            f"{key}TOKEN_URL": f"{sandbox}/oauth/{provider}/token",
            f"{key}USERINFO_URL": f"{sandbox}{userinfo}",
        }
    return env


def sandbox_env(config: StackConfig) -> dict[str, str]:
    """The sandbox knows the OAuth client the gateway uses, for both providers."""
    clients = [
        {"client_id": OAUTH_CLIENT_ID, "client_secret": config.secrets.oauth_client_secret, "provider": p}
        for p in ("google", "facebook")
    ]
    return {
        "SANDBOX_HOST": config.host,
        "SANDBOX_PORT": str(config.base_port + SANDBOX_OFFSET),
        "SANDBOX_PUBLIC_URL": config.url("sandbox"),
        "SANDBOX_OAUTH_CLIENTS": json.dumps(clients),
        # An access-log line per request costs the sandbox more CPU than answering a send.
        "SANDBOX_LOG_LEVEL": "warning",
        "PYTHONUNBUFFERED": "1",
    }


def process_specs(config: StackConfig, only: list[str] | None = None) -> list[ProcessSpec]:
    """One process per service plus the sandbox, each with a readiness URL."""
    specs = [
        ProcessSpec(
            name="sandbox",
            argv=[sys.executable, "-m", "masteria.sandbox"],
            env=sandbox_env(config),
            cwd=str(repo_root()),
            ready_url=f"{config.url('sandbox')}/_sandbox/health",
        )
    ]
    for service in SERVICES:
        if only is not None and service.name not in only:
            continue
        specs.append(
            ProcessSpec(
                name=service.name,
                argv=[sys.executable, "-m", service.module],
                env=service_env(config, service),
                cwd=str(repo_root()),
                ready_url=f"{config.url(service.name)}/ready",
            )
        )
    return specs


async def migrate_all(admin_url: str) -> None:
    """Apply every service's Alembic history to the database at ``admin_url``."""
    for service in SERVICES:
        await asyncio.to_thread(_migrate, service, admin_url)


def _migrate(service: ServiceDef, admin_url: str) -> None:
    from masteria.persistence.migrations import upgrade

    previous = os.environ.get("DATABASE_ADMIN_URL")
    os.environ["DATABASE_ADMIN_URL"] = admin_url
    try:
        upgrade(service.directory, admin_url)
    finally:
        if previous is None:
            os.environ.pop("DATABASE_ADMIN_URL", None)
        else:
            os.environ["DATABASE_ADMIN_URL"] = previous
