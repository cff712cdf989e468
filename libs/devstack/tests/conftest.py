"""A private stack for the devstack's own tests: temporary state dir and free ports, so a developer's running
stack (default ports, <repo>/var) is never touched."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from masteria.devstack import InfraUrls, ensure_infra, stop_infra
from masteria.devstack.testing import free_port

EXTERNAL_VARS = ("DATABASE_URL", "DATABASE_ADMIN_URL", "NATS_URL", "REDIS_URL")


def make_var_dir() -> Path:
    """Create a state dir the PostgreSQL system user can traverse (pytest's tmp dirs are 0700)."""
    path = Path(tempfile.mkdtemp(prefix="masteria-devstack-test-"))
    path.chmod(0o755)
    return path


@pytest.fixture(scope="session")
def stack_env() -> Iterator[dict[str, str]]:
    """Point the devstack at a temporary state dir and free ports for the whole session."""
    var = make_var_dir()
    env = {
        "MASTERIA_VAR_DIR": str(var),
        "MASTERIA_PG_PORT": str(free_port()),
        "MASTERIA_NATS_PORT": str(free_port()),
        "MASTERIA_NATS_MONITOR_PORT": str(free_port()),
        "MASTERIA_REDIS_PORT": str(free_port()),
    }
    with pytest.MonkeyPatch.context() as patch:
        for name in EXTERNAL_VARS:
            patch.delenv(name, raising=False)
        for name, value in env.items():
            patch.setenv(name, value)
        yield env
        stop_infra()
    shutil.rmtree(var, ignore_errors=True)


@pytest.fixture(scope="session")
def infra(stack_env: dict[str, str]) -> InfraUrls:
    """Start the private stack once per session."""
    return ensure_infra()


@pytest.fixture
def scratch_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Use a throwaway state dir and ports, for tests that provoke failures without harming the shared stack."""
    var = make_var_dir()
    monkeypatch.setenv("MASTERIA_VAR_DIR", str(var))
    for name in ("MASTERIA_PG_PORT", "MASTERIA_NATS_PORT", "MASTERIA_NATS_MONITOR_PORT", "MASTERIA_REDIS_PORT"):
        monkeypatch.setenv(name, str(free_port()))
    for name in EXTERNAL_VARS:
        monkeypatch.delenv(name, raising=False)
    yield var
    stop_infra()
    shutil.rmtree(var, ignore_errors=True)
