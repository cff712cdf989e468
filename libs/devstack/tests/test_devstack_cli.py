"""The command line: `infra status|env`, and the supervise daemon driven as `make up` drives it."""

from __future__ import annotations

import asyncio
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from masteria.devstack import InfraUrls
from masteria.devstack.daemon import write_procfile
from masteria.devstack.liveness import pid_alive
from masteria.devstack.procs import ProcessSpec
from masteria.devstack.testing import eventually, free_port

TALKER = "import time\nprint('hello', flush=True)\nwhile True:\n    time.sleep(0.05)\n"


def devstack(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "masteria.devstack", *args], capture_output=True, text=True,
                          timeout=120, check=False)


@pytest.mark.integration
def test_status_lists_running_engines_without_passwords(infra: InfraUrls) -> None:
    result = devstack("infra", "status")
    assert result.returncode == 0, result.stderr
    rows = result.stdout.splitlines()
    assert rows[0].split() == ["ENGINE", "STATE", "PID", "URL"]
    assert [row.split()[:2] for row in rows[1:]] == [["postgres", "running"], ["nats", "running"],
                                                     ["redis", "running"]]
    assert "masteria_app:***@" in result.stdout


@pytest.mark.integration
def test_env_prints_shell_exports(infra: InfraUrls) -> None:
    result = devstack("infra", "env")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        f"export DATABASE_URL={infra.database_url}",
        f"export DATABASE_ADMIN_URL={infra.database_admin_url}",
        f"export NATS_URL={infra.nats_url}",
        f"export REDIS_URL={infra.redis_url}",
    ]


def test_status_exits_3_when_stopped(scratch_env: Path) -> None:
    result = devstack("infra", "status")
    assert result.returncode == 3
    assert "stopped" in result.stdout


def test_failure_is_one_clear_line(scratch_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MASTERIA_REDIS_SERVER", "")
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}")
    monkeypatch.setenv("DATABASE_URL", "postgresql+asyncpg://app:pw@db.internal/masteria")
    monkeypatch.setenv("NATS_URL", "nats://nats.internal:4222")
    result = devstack("infra", "up")
    assert result.returncode == 1
    assert result.stderr.startswith("error: redis-server is not installed: run `make deps`")


async def start_daemon(tmp_path: Path) -> tuple[asyncio.subprocess.Process, Path]:
    port = free_port()
    specs = [
        ProcessSpec("api", [sys.executable, "-c", TALKER]),
        ProcessSpec("web", [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
                    ready_url=f"http://127.0.0.1:{port}/"),
    ]
    write_procfile(tmp_path / "procfile.json", specs)
    argv = ["supervise", "--procfile", "procfile.json", "--log", "stack.log", "--pidfile", "sup.pid",
            "--ready-file", "ready", "--grace", "2"]
    daemon = await asyncio.create_subprocess_exec(sys.executable, "-m", "masteria.devstack", *argv, cwd=tmp_path,
                                                  start_new_session=True)
    await eventually((tmp_path / "ready").exists, "the ready file", timeout=30)
    return daemon, tmp_path / "stack.log"


def child_pids(log: Path) -> list[int]:
    return [int(pid) for pid in re.findall(r"\| started pid (\d+)", log.read_text())]


async def test_daemon_runs_until_sigterm_then_stops_its_children(tmp_path: Path) -> None:
    daemon, log = await start_daemon(tmp_path)
    assert (tmp_path / "sup.pid").read_text().strip() == str(daemon.pid)
    await eventually(lambda: "api | hello" in log.read_text(), "the api's output in the log")
    children = child_pids(log)
    assert len(children) == 2

    daemon.send_signal(signal.SIGTERM)
    async with asyncio.timeout(30):
        assert await daemon.wait() == 0

    assert not any(pid_alive(pid) for pid in children)
    assert not (tmp_path / "sup.pid").exists()
    assert not (tmp_path / "ready").exists()
    assert "supervisor | all ready" in log.read_text()


async def test_stop_supervisor_command(tmp_path: Path) -> None:
    daemon, log = await start_daemon(tmp_path)
    children = child_pids(log)

    result = await asyncio.to_thread(devstack, "stop-supervisor", "--pidfile", str(tmp_path / "sup.pid"))

    assert result.returncode == 0, result.stderr
    async with asyncio.timeout(10):
        await daemon.wait()
    assert not any(pid_alive(pid) for pid in children)


async def test_children_follow_a_daemon_killed_with_sigkill(tmp_path: Path) -> None:
    daemon, log = await start_daemon(tmp_path)
    children = child_pids(log)

    daemon.kill()
    await daemon.wait()

    await eventually(lambda: not any(pid_alive(pid) for pid in children), "the orphaned children to exit")
