"""Bring the whole local infrastructure up or down, idempotently and safely from several processes at once."""

from __future__ import annotations

from dataclasses import dataclass

from . import nats, postgres, redis
from .engine import EngineStatus
from .locking import file_lock
from .paths import Layout


@dataclass(frozen=True)
class InfraUrls:
    """Where the services find their engines (the values of the variables `infra env` exports)."""

    database_url: str
    database_admin_url: str
    nats_url: str
    redis_url: str

    def as_env(self) -> dict[str, str]:
        """Return the URLs as the environment variables the services read."""
        return {
            postgres.EXTERNAL_URL_ENV: self.database_url,
            postgres.EXTERNAL_ADMIN_URL_ENV: self.database_admin_url,
            nats.EXTERNAL_URL_ENV: self.nats_url,
            redis.EXTERNAL_URL_ENV: self.redis_url,
        }


def urls() -> InfraUrls:
    """Return the URLs the current environment selects, without starting anything."""
    return InfraUrls(postgres.app_url(), postgres.admin_url(), nats.url(), redis.url())


def ensure_infra() -> InfraUrls:
    """Start whichever engine is not running (reusing running ones) and return the URLs."""
    if postgres.is_external() and nats.is_external() and redis.is_external():
        return urls()
    layout = Layout.current()
    layout.ensure_dirs()
    with file_lock(layout.lock_file):
        postgres.ensure()
        nats.ensure()
        redis.ensure()
    return urls()


def stop_infra() -> None:
    """Stop the engines we started; external ones are left alone."""
    layout = Layout.current()
    layout.ensure_dirs()
    with file_lock(layout.lock_file):
        redis.stop()
        nats.stop()
        postgres.stop()


def infra_status() -> list[EngineStatus]:
    """Report each engine's URL, pid and state."""
    return [postgres.status(), nats.status(), redis.status()]
