"""NATS JetStream and Redis answer; stale pid files, foreign ports, external URLs and missing binaries."""

from __future__ import annotations

import os
import signal
import socket

import httpx
import nats as nats_client
import pytest
import redis.asyncio as redis_client

from masteria.devstack import InfraError, InfraUrls, ensure_infra, infra_status
from masteria.devstack import nats as dev_nats
from masteria.devstack import redis as dev_redis
from masteria.devstack.liveness import pid_alive
from masteria.devstack.paths import Layout
from masteria.devstack.testing import eventually

pytestmark = pytest.mark.integration


def pid_of(engine: str) -> int:
    pid = {row.engine: row.pid for row in infra_status()}[engine]
    assert pid is not None, f"{engine} is not running"
    return pid


async def test_jetstream_accepts_a_stream_and_a_publish(infra: InfraUrls) -> None:
    client = await nats_client.connect(infra.nats_url)
    try:
        js = client.jetstream()
        await js.add_stream(name="DEVSTACK_PROBE", subjects=["devstack.probe.>"])
        ack = await js.publish("devstack.probe.one", b'{"hello": "world"}')
        info = await js.stream_info("DEVSTACK_PROBE")
        await js.delete_stream("DEVSTACK_PROBE")
    finally:
        await client.close()
    assert ack.stream == "DEVSTACK_PROBE"
    assert info.state.messages == 1


def test_nats_monitoring_reports_jetstream_healthy(infra: InfraUrls, stack_env: dict[str, str]) -> None:
    url = f"http://127.0.0.1:{stack_env['MASTERIA_NATS_MONITOR_PORT']}/healthz?js-enabled-only=true"
    assert httpx.get(url, timeout=5).status_code == 200


def test_nats_runs_from_the_virtualenv_binary(infra: InfraUrls) -> None:
    exe = os.readlink(f"/proc/{pid_of('nats')}/exe")
    assert exe == str(dev_nats.binary().resolve())


async def test_redis_answers_and_keeps_nothing_on_disk(infra: InfraUrls) -> None:
    client = redis_client.from_url(infra.redis_url)
    try:
        await client.set("devstack:probe", "1")
        value = await client.get("devstack:probe")
        save = await client.config_get("save")
        appendonly = await client.config_get("appendonly")
    finally:
        await client.aclose()
    assert value == b"1"
    assert save == {"save": ""}
    assert appendonly == {"appendonly": "no"}


@pytest.mark.parametrize("engine", ["nats", "redis"])
async def test_kill_9_then_ensure_restarts_the_engine(infra: InfraUrls, engine: str) -> None:
    old = pid_of(engine)
    os.kill(old, signal.SIGKILL)
    await eventually(lambda: not pid_alive(old), f"{engine} to die")

    ensure_infra()

    assert pid_of(engine) != old


def test_pid_file_naming_an_unrelated_process_is_not_trusted(infra: InfraUrls) -> None:
    # After a reboot our pid file can name any process; ensure must neither reuse nor kill it.
    dev_redis.stop()
    Layout.current().pid_file("redis").write_text(f"{os.getpid()}\n")

    ensure_infra()

    assert pid_of("redis") != os.getpid()


def test_foreign_process_on_our_port_is_reported(scratch_env: object, monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        monkeypatch.setenv("MASTERIA_REDIS_PORT", str(squatter.getsockname()[1]))
        with pytest.raises(InfraError, match=rf"taken by another process \(pid {os.getpid()}.*MASTERIA_REDIS_PORT"):
            dev_redis.ensure()


def test_missing_redis_server_says_to_run_make_deps(scratch_env: object, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.delenv("MASTERIA_REDIS_SERVER", raising=False)
    with pytest.raises(InfraError, match="make deps"):
        dev_redis.ensure()


def test_external_urls_start_nothing(scratch_env: object, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql+asyncpg://app:pw@db.internal:5432/masteria")
    monkeypatch.setenv("DATABASE_ADMIN_URL", "postgresql+asyncpg://owner:pw@db.internal:5432/masteria")
    monkeypatch.setenv("NATS_URL", "nats://nats.internal:4222")
    monkeypatch.setenv("REDIS_URL", "redis://redis.internal:6379/0")

    urls = ensure_infra()

    assert urls.database_url == "postgresql+asyncpg://app:pw@db.internal:5432/masteria"
    assert urls.database_admin_url == "postgresql+asyncpg://owner:pw@db.internal:5432/masteria"
    assert urls.nats_url == "nats://nats.internal:4222"
    assert urls.redis_url == "redis://redis.internal:6379/0"
    assert {row.state.value for row in infra_status()} == {"external"}
    assert not Layout.current().pg.exists()
