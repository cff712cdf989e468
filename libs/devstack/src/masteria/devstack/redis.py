"""Redis on 127.0.0.1:16379, memory only (rate-limit state and caches; losing it loses no business data).

With REDIS_URL set nothing is started.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
from pathlib import Path

from .engine import EngineStatus, State
from .errors import InfraError
from .liveness import (
    describe_port_owner,
    log_tail,
    pid_alive,
    port_open,
    proc_exe,
    read_pid_file,
    same_file,
    terminate,
    unlink_quietly,
    wait_until,
)
from .paths import Layout

PORT_ENV = "MASTERIA_REDIS_PORT"
DEFAULT_PORT = 16379
BINARY_ENV = "MASTERIA_REDIS_SERVER"
EXTERNAL_URL_ENV = "REDIS_URL"
HOST = "127.0.0.1"
START_TIMEOUT = 15


def port() -> int:
    """Return the port (MASTERIA_REDIS_PORT, default 16379)."""
    return int(os.environ.get(PORT_ENV, DEFAULT_PORT))


def is_external() -> bool:
    """Return whether REDIS_URL points at a server we must not manage."""
    return bool(os.environ.get(EXTERNAL_URL_ENV))


def url() -> str:
    """Return the client URL: REDIS_URL, or the local server's database 0."""
    return os.environ.get(EXTERNAL_URL_ENV) or f"redis://{HOST}:{port()}/0"


def binary() -> Path:
    """Return the redis-server executable (MASTERIA_REDIS_SERVER or the one on PATH)."""
    found = os.environ.get(BINARY_ENV) or shutil.which("redis-server")
    if not found:
        raise InfraError("redis-server is not installed: run `make deps` (apt-get install -y redis-server)")
    return Path(found)


def ensure() -> None:
    """Start the server unless ours already answers."""
    if is_external():
        return
    layout = Layout.current()
    pid = _our_pid(layout)
    if pid is not None and _server_pid() == pid:
        return
    if pid is not None:
        terminate(pid)
    if port_open(HOST, port()):
        owner = describe_port_owner(port())
        raise InfraError(f"Redis port {HOST}:{port()} is taken by another process ({owner}); "
                         f"stop it or set {PORT_ENV} to a free port")
    _start(layout)


def stop() -> None:
    """Stop our server if it runs (no-op when external)."""
    if is_external():
        return
    layout = Layout.current()
    pid = _our_pid(layout)
    if pid is not None:
        terminate(pid)
    unlink_quietly(layout.pid_file("redis"))


def status() -> EngineStatus:
    """Report whether our server runs, is external, or its port is taken by someone else."""
    if is_external():
        return EngineStatus("redis", url(), None, State.EXTERNAL)
    pid = _our_pid(Layout.current())
    if pid is not None and _server_pid() == pid:
        return EngineStatus("redis", url(), pid, State.RUNNING)
    return EngineStatus("redis", url(), None, State.FOREIGN if port_open(HOST, port()) else State.STOPPED)


def _our_pid(layout: Layout) -> int | None:
    """Return the pid from our pid file if it is a live redis-server (after a reboot the pid may be reused)."""
    pid = read_pid_file(layout.pid_file("redis"))
    if pid is None or not pid_alive(pid):
        return None
    # Debian's redis-server is a symlink (to redis-check-rdb), hence comparing resolved files, not names.
    if Path("/proc/self").exists() and not same_file(proc_exe(pid), binary()):
        return None
    return pid


def _start(layout: Layout) -> None:
    layout.ensure_dirs()
    layout.redis_dir.mkdir(exist_ok=True)
    pid_file, log = layout.pid_file("redis"), layout.log("redis")
    unlink_quietly(pid_file)
    argv = [str(binary()), "--bind", HOST, "--port", str(port()), "--save", "", "--appendonly", "no"]
    argv += ["--daemonize", "yes", "--pidfile", str(pid_file), "--logfile", str(log)]
    argv += ["--dir", str(layout.redis_dir)]
    # With --daemonize the command returns once the server has forked; errors before that land on stderr.
    result = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=30,
                            check=False, start_new_session=True)
    if result.returncode != 0:
        output = result.stderr.strip()
        raise InfraError(f"redis-server failed ({result.returncode}): {output}\n{log_tail(log)}")

    def ready() -> bool:
        pid = read_pid_file(pid_file)
        return pid is not None and _server_pid() == pid

    wait_until(ready, START_TIMEOUT, f"redis-server on {HOST}:{port()} (see {log})")


def _server_pid() -> int | None:
    """Ask the server on our port for its process_id (INFO server); None if nothing Redis-like answers."""
    try:
        with socket.create_connection((HOST, port()), timeout=1) as conn:
            conn.sendall(b"*2\r\n$4\r\nINFO\r\n$6\r\nserver\r\n")
            reply = _read_bulk(conn)
    except OSError:
        return None
    for line in reply.splitlines():
        if line.startswith("process_id:"):
            return int(line.split(":", 1)[1])
    return None


def _read_bulk(conn: socket.socket) -> str:
    data = b""
    while b"\r\n" not in data:
        chunk = conn.recv(4096)
        if not chunk:
            return ""
        data += chunk
    header, body = data.split(b"\r\n", 1)
    if not header.startswith(b"$"):
        return ""
    size = int(header[1:])
    while len(body) < size:
        chunk = conn.recv(4096)
        if not chunk:
            break
        body += chunk
    return body[:size].decode(errors="replace")
