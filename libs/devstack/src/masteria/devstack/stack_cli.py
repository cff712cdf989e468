"""`python -m masteria.devstack stack up|down|status`: the whole platform for a person at a keyboard."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

from .daemon import stop_daemon, write_procfile
from .demo_channels import ensure_demo_channels
from .errors import InfraError
from .infra import ensure_infra, stop_infra
from .liveness import pid_alive, read_pid_file
from .paths import Layout, repo_root
from .secrets_file import DevSecrets
from .stack import StackConfig, migrate_all, process_specs

DEMO_EMAIL = os.environ.get("MASTERIA_DEMO_EMAIL", "demo@masteria.app")
DEMO_PASSWORD = os.environ.get("MASTERIA_DEMO_PASSWORD", "demo-password-123")
DEMO_TENANT = "Demo Master IA"


def _files() -> tuple[Path, Path, Path, Path]:
    layout = Layout.current()
    layout.ensure_dirs()
    return layout.run / "stack.json", layout.run / "stack.pid", layout.run / "stack.ready", layout.logs / "stack.log"


def up(base_port: int = 8000) -> int:
    """Start infrastructure, migrate, start every service and the sandbox, create the demo tenant."""
    started = time.perf_counter()
    procfile, pidfile, ready, log = _files()
    step("infrastructure (PostgreSQL + pgvector, NATS JetStream, Redis)")
    infra = ensure_infra()
    step("migrations")
    asyncio.run(migrate_all(infra.database_admin_url))
    config = StackConfig(infra=infra, secrets=DevSecrets.load_or_create(), base_port=base_port)
    pid = read_pid_file(pidfile)
    if pid is not None and pid_alive(pid):
        step(f"services already running (supervisor pid {pid})")
    else:
        step("services")
        write_procfile(procfile, process_specs(config))
        ready.unlink(missing_ok=True)
        _spawn_daemon(procfile, pidfile, ready, log)
        _wait_ready(ready, pidfile, log)
    step("demo tenant")
    _ensure_demo_user(config.gateway_url)
    step("demo channels (WhatsApp number, SMS sender) and conversations")
    demo = ensure_demo_channels(config.gateway_url, config.url("sandbox"), email=DEMO_EMAIL, password=DEMO_PASSWORD)
    print(f"\nMaster IA is up in {time.perf_counter() - started:.1f}s\n")
    print(f"  Dashboard and API : {config.gateway_url}")
    print(f"  API reference     : {config.gateway_url}/api/v1/docs")
    print(f"  Provider sandbox  : {config.url('sandbox')}")
    print(f"  Log in with       : {DEMO_EMAIL} / {DEMO_PASSWORD}")
    print(f"  Demo WhatsApp     : {demo.whatsapp or 'left alone (the tenant has a number of its own)'}")
    print(f"  Demo SMS sender   : {demo.sms or 'left alone (the tenant has a sender of its own)'}")
    print(f"  Demo inbox        : {demo.inbox}")
    print(f"  Merged logs       : {log}  (make logs)")
    print("  Stop everything   : make down\n")
    return 0


def down() -> int:
    """Stop the services, then the infrastructure."""
    _, pidfile, _, _ = _files()
    print("stopping services..." if stop_daemon(pidfile) else "no services were running")
    stop_infra()
    print("infrastructure stopped")
    return 0


def step(what: str) -> None:
    """One progress line."""
    print(f"==> {what}", flush=True)


def _spawn_daemon(procfile: Path, pidfile: Path, ready: Path, log: Path) -> None:
    argv = [sys.executable, "-m", "masteria.devstack", "supervise", "--procfile", str(procfile),
            "--log", str(log), "--pidfile", str(pidfile), "--ready-file", str(ready)]
    subprocess.Popen(argv, cwd=repo_root(), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                     stderr=subprocess.DEVNULL, start_new_session=True)


def _wait_ready(ready: Path, pidfile: Path, log: Path, timeout: float = 180.0) -> None:
    deadline = time.monotonic() + timeout
    while not ready.exists():
        pid = read_pid_file(pidfile)
        if time.monotonic() > deadline or (pid is not None and not pid_alive(pid)):
            tail = log.read_text().splitlines()[-40:] if log.exists() else []
            raise InfraError("services did not become ready; last log lines:\n" + "\n".join(tail))
        time.sleep(0.2)


def _ensure_demo_user(gateway: str) -> None:
    with httpx.Client(base_url=gateway, timeout=10) as client:
        login = client.post("/auth/login", json={"email": DEMO_EMAIL, "password": DEMO_PASSWORD})
        if login.status_code == 200:
            return
        signup = client.post("/auth/signup", json={
            "email": DEMO_EMAIL, "password": DEMO_PASSWORD, "name": "Demo", "tenant_name": DEMO_TENANT})
        if signup.status_code not in (200, 201):
            raise InfraError(f"could not create the demo user: {signup.status_code} {signup.text}")
