"""Where the devstack keeps its state: the repository's `var/` unless MASTERIA_VAR_DIR says otherwise."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .errors import InfraError

VAR_DIR_ENV = "MASTERIA_VAR_DIR"


def repo_root() -> Path:
    """Return the workspace root: the nearest directory holding `uv.lock` above this file or the cwd."""
    for start in (Path(__file__).resolve().parent, Path.cwd().resolve()):
        for candidate in (start, *start.parents):
            if (candidate / "uv.lock").is_file():
                return candidate
    raise InfraError(f"no uv.lock above {Path(__file__).parent} or {Path.cwd()}; set {VAR_DIR_ENV}")


def var_dir() -> Path:
    """Return the state directory (absolute), without creating it."""
    override = os.environ.get(VAR_DIR_ENV)
    if override:
        return Path(override).expanduser().resolve()
    return repo_root() / "var"


@dataclass(frozen=True)
class Layout:
    """Every path the engines use, derived from one state directory."""

    root: Path

    @classmethod
    def current(cls) -> Layout:
        """Return the layout for the state directory the environment selects."""
        return cls(var_dir())

    @property
    def logs(self) -> Path:
        return self.root / "log"

    @property
    def run(self) -> Path:
        return self.root / "run"

    @property
    def lock_file(self) -> Path:
        return self.root / "infra.lock"

    @property
    def pg(self) -> Path:
        return self.root / "pg"

    @property
    def pg_data(self) -> Path:
        return self.pg / "data"

    @property
    def nats_store(self) -> Path:
        return self.root / "nats"

    @property
    def redis_dir(self) -> Path:
        return self.root / "redis"

    def log(self, engine: str) -> Path:
        """Return the log file of one engine."""
        return self.logs / f"{engine}.log"

    def pid_file(self, engine: str) -> Path:
        """Return the pid file of an engine that we start ourselves (not PostgreSQL's postmaster.pid)."""
        return self.run / f"{engine}.pid"

    def ensure_dirs(self) -> None:
        """Create the shared directories (state root, logs, pid files)."""
        for directory in (self.root, self.logs, self.run):
            directory.mkdir(parents=True, exist_ok=True)
