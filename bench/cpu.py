"""CPU time of every part of a running stack, to say where a benchmark's CPU went.

Each service is one process (the supervisor knows its pid); PostgreSQL is the postmaster and its
backends (a backend that exited during the run is counted through the postmaster's reaped-children
time); NATS and Redis are one process each, their pids in the engines' state directory.
"""

from __future__ import annotations

import os
from pathlib import Path

from masteria.devstack.paths import Layout
from masteria.e2e.stack import RunningStack

_TICK = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[str] | None:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    # Fields after the command name (which may hold spaces) start at state, field 3.
    return raw[raw.rindex(")") + 2 :].split()


def _own(pid: int, *, reaped: bool = False) -> float:
    fields = _stat(pid)
    if fields is None:
        return 0.0
    ticks = int(fields[11]) + int(fields[12])  # utime, stime
    if reaped:
        ticks += int(fields[13]) + int(fields[14])  # cutime, cstime
    return ticks / _TICK


def _children(parent: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (fields := _stat(int(entry.name))) is not None and int(fields[1]) == parent:
            found.append(int(entry.name))
    return found


def _pid_file(path: Path) -> int | None:
    try:
        return int(path.read_text().split()[0])
    except (FileNotFoundError, ValueError, IndexError):
        return None


def cpu_seconds(stack: RunningStack, services: tuple[str, ...]) -> dict[str, float]:
    """CPU seconds used so far by each service and engine of ``stack``."""
    used: dict[str, float] = {}
    for name in services:
        pid = stack.supervisor.pid(name)
        if pid is not None:
            used[name] = _own(pid) + sum(_own(child) for child in _children(pid))
    layout = Layout.current()
    postmaster = _pid_file(layout.pg_data / "postmaster.pid")
    if postmaster is not None:
        used["postgres"] = _own(postmaster, reaped=True) + sum(_own(child) for child in _children(postmaster))
    for engine in ("nats", "redis"):
        pid = _pid_file(layout.run / f"{engine}.pid")
        if pid is not None:
            used[engine] = _own(pid)
    return used


def per_item_ms(before: dict[str, float], after: dict[str, float], items: int) -> dict[str, float]:
    """Milliseconds of CPU per item for each part, and in total, between two readings."""
    spent = {name: after[name] - before.get(name, 0.0) for name in after}
    spent["total"] = sum(spent.values())
    return {name: round(seconds * 1000 / items, 2) for name, seconds in spent.items()}
