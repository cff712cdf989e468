"""What `infra status` reports about one engine."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class State(enum.StrEnum):
    """Lifecycle state of one engine as seen from the state directory."""

    RUNNING = "running"
    STOPPED = "stopped"
    # Configured through DATABASE_URL / NATS_URL / REDIS_URL: someone else runs it.
    EXTERNAL = "external"
    # Our port answers, but not from the process our pid file names.
    FOREIGN = "port taken"


@dataclass(frozen=True)
class EngineStatus:
    """One row of `infra status`."""

    engine: str
    url: str
    pid: int | None
    state: State
