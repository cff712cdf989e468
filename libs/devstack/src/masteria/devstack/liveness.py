"""Is a process alive, is it the one we started, does a port answer: the checks every engine shares."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import time
from collections.abc import Callable
from pathlib import Path

from .errors import InfraError

POLL_INTERVAL = 0.02


def pid_alive(pid: int) -> bool:
    """Return whether the process exists and is not a zombie."""
    # Our PID 1 may not reap orphans, so a killed server can linger as a zombie that kill(pid, 0) still sees.
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    return _proc_state(pid) not in {"Z", "X", None}


def _proc_state(pid: int) -> str | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        # No /proc (macOS) means we cannot tell a zombie apart; kill(pid, 0) already said it exists.
        return "?" if not Path("/proc/self").exists() else None
    except OSError:
        return "?"
    # The command name may contain spaces or parentheses; the state follows the last ')'.
    return stat.rsplit(")", 1)[1].split()[0]


def reap(pid: int) -> None:
    """Collect the exit status if the process is our child, so it does not stay a zombie."""
    with contextlib.suppress(ChildProcessError, OSError):
        os.waitpid(pid, os.WNOHANG)


def read_pid_file(path: Path) -> int | None:
    """Return the pid on the first line of a pid file, or None if it is missing or unreadable."""
    try:
        first = path.read_text().split("\n", 1)[0].strip()
    except (FileNotFoundError, PermissionError):
        return None
    return int(first) if first.isdigit() else None


def proc_exe(pid: int) -> Path | None:
    """Return the executable of a process, or None if it cannot be read."""
    try:
        target = os.readlink(f"/proc/{pid}/exe")
    except OSError:
        return None
    # A binary replaced by `uv sync` while running shows as "path (deleted)".
    return Path(target.removesuffix(" (deleted)"))


def proc_cwd(pid: int) -> Path | None:
    """Return the working directory of a process, or None if it cannot be read."""
    try:
        return Path(os.readlink(f"/proc/{pid}/cwd"))
    except OSError:
        return None


def proc_cmdline(pid: int) -> list[str]:
    """Return the argv of a process (empty if it cannot be read)."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return []
    return [part.decode(errors="replace") for part in raw.split(b"\0") if part]


def same_file(a: Path | None, b: Path) -> bool:
    """Return whether two paths name the same file (False if the first is unknown)."""
    if a is None:
        return False
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False


def port_open(host: str, port: int, timeout: float = 0.2) -> bool:
    """Return whether something accepts TCP connections on host:port."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def wait_until(check: Callable[[], bool], timeout: float, what: str) -> None:
    """Poll check() until it is true; raise InfraError naming `what` when the deadline passes."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise InfraError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(POLL_INTERVAL)


def terminate(pid: int, grace: float = 10.0) -> None:
    """Send SIGTERM, wait up to `grace` seconds, then SIGKILL; return once the process is gone."""
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5.0)):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, sig)
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            reap(pid)
            if not pid_alive(pid):
                return
            time.sleep(POLL_INTERVAL)
    raise InfraError(f"process {pid} survived SIGKILL")


def log_tail(path: Path, lines: int = 15) -> str:
    """Return the last lines of a log file, indented, for error messages."""
    try:
        content = path.read_text(errors="replace").splitlines()[-lines:]
    except OSError:
        return "    (no log)"
    return "\n".join(f"    {line}" for line in content)


def unlink_quietly(*paths: Path) -> None:
    """Remove files that may not exist."""
    for path in paths:
        path.unlink(missing_ok=True)


def listener_pid(port: int) -> int | None:
    """Return the pid listening on a local TCP port, if /proc lets us find it (for error messages)."""
    inodes = _listening_inodes(port)
    if not inodes:
        return None
    for fd_dir in Path("/proc").glob("[0-9]*/fd"):
        with contextlib.suppress(OSError):
            for fd in fd_dir.iterdir():
                if os.readlink(fd) in inodes:
                    return int(fd_dir.parent.name)
    return None


def _listening_inodes(port: int) -> set[str]:
    listen_state = "0A"
    found: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError):
            for line in Path(table).read_text().splitlines()[1:]:
                fields = line.split()
                if fields[3] == listen_state and int(fields[1].rsplit(":", 1)[1], 16) == port:
                    found.add(f"socket:[{fields[9]}]")
    return found


def describe_port_owner(port: int) -> str:
    """Return 'pid N (cmd)' for whoever listens on the port, or a hint to find out."""
    pid = listener_pid(port)
    if pid is None:
        return f"see `ss -ltnp 'sport = :{port}'`"
    command = " ".join(proc_cmdline(pid))[:120] or "?"
    return f"pid {pid}: {command}"


def group_alive(pgid: int) -> bool:
    """Return whether any non-zombie process is left in a process group."""
    if not Path("/proc/self").exists():
        try:
            os.killpg(pgid, 0)
        except (ProcessLookupError, PermissionError):
            return False
        return True
    for stat_file in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            # Fields after the command name: state, ppid, pgrp, ...
            state, _ppid, pgrp = stat_file.read_text().rsplit(")", 1)[1].split()[:3]
            if int(pgrp) == pgid and state not in {"Z", "X"}:
                return True
    return False
