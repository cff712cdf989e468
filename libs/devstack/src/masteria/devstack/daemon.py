"""The supervisor as a background daemon: `python -m masteria.devstack supervise --procfile FILE ...`."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from pathlib import Path
from typing import TextIO

from .errors import InfraError
from .liveness import pid_alive, proc_cmdline, read_pid_file, terminate, unlink_quietly
from .procs import ProcessSpec, Supervisor, SupervisorError

SUPERVISOR = "supervisor"


def load_procfile(path: Path) -> list[ProcessSpec]:
    """Read a JSON procfile: a list of {name, argv, env?, cwd?, ready_url?} objects."""
    try:
        entries = json.loads(path.read_text())
        return [ProcessSpec.from_dict(entry) for entry in entries]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InfraError(f"cannot read procfile {path}: {exc}") from exc


def write_procfile(path: Path, specs: list[ProcessSpec]) -> None:
    """Write specs as a JSON procfile (for callers that start the daemon)."""
    path.write_text(json.dumps([spec.to_dict() for spec in specs], indent=2))


def run_daemon(procfile: Path, *, log: Path | None, pidfile: Path | None, ready_file: Path | None,
               grace: float, ready_timeout: float) -> int:
    """Supervise the procfile's processes until SIGTERM/SIGINT, then stop them; return the exit status."""
    specs = load_procfile(procfile)
    if pidfile is not None:
        _claim_pidfile(pidfile)
    sink: TextIO = log.open("a", buffering=1) if log is not None else sys.stdout
    try:
        return asyncio.run(_supervise(specs, sink, ready_file, grace, ready_timeout))
    finally:
        if log is not None:
            sink.close()
        unlink_quietly(*(path for path in (pidfile, ready_file) if path is not None))


def stop_daemon(pidfile: Path, timeout: float = 60.0) -> bool:
    """SIGTERM the daemon named by the pid file and wait until it has stopped its children."""
    pid = read_pid_file(pidfile)
    if pid is None or not pid_alive(pid):
        unlink_quietly(pidfile)
        return False
    terminate(pid, grace=timeout)
    unlink_quietly(pidfile)
    return True


def _claim_pidfile(pidfile: Path) -> None:
    other = read_pid_file(pidfile)
    if other is not None and other != os.getpid() and pid_alive(other) and "supervise" in proc_cmdline(other):
        raise InfraError(f"a supervisor already runs as pid {other} ({pidfile}); stop it first")
    pidfile.parent.mkdir(parents=True, exist_ok=True)
    pidfile.write_text(f"{os.getpid()}\n")


async def _supervise(specs: list[ProcessSpec], sink: TextIO, ready_file: Path | None, grace: float,
                     ready_timeout: float) -> int:
    supervisor = Supervisor(specs, sinks=[sink], grace=grace)
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        loop.add_signal_handler(sig, stopping.set)
    try:
        await supervisor.start_all()
    except SupervisorError as exc:
        supervisor.log(SUPERVISOR, f"error: {exc}")
        await supervisor.stop_all()
        return 1
    readiness = asyncio.create_task(_announce_ready(supervisor, ready_file, ready_timeout))
    await stopping.wait()
    readiness.cancel()
    supervisor.log(SUPERVISOR, "stopping")
    await supervisor.stop_all()
    supervisor.log(SUPERVISOR, "stopped")
    return 0


async def _announce_ready(supervisor: Supervisor, ready_file: Path | None, ready_timeout: float) -> None:
    try:
        await supervisor.wait_ready(timeout=ready_timeout)
    except SupervisorError as exc:
        # Keep running: the processes that did start stay inspectable; the caller sees no ready file.
        supervisor.log(SUPERVISOR, f"error: {exc}")
        return
    supervisor.log(SUPERVISOR, "all ready")
    if ready_file is not None:
        await asyncio.to_thread(ready_file.write_text, f"{os.getpid()}\n")
