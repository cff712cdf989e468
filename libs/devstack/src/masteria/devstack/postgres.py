"""Embedded PostgreSQL with pgvector on 127.0.0.1:55432: lifecycle, bootstrap, URLs, throwaway databases.

With DATABASE_URL set (production, Kubernetes) nothing is started: that URL is the services' URL and
DATABASE_ADMIN_URL the one migrations and test helpers use.
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from . import pgserver
from .engine import EngineStatus, State
from .errors import InfraError
from .liveness import describe_port_owner, port_open
from .paths import Layout

PORT_ENV = "MASTERIA_PG_PORT"
DEFAULT_PORT = 55432
DB_ENV = "MASTERIA_PG_DB"
DEFAULT_DB = "masteria"
HOST = pgserver.HOST
SUPERUSER = pgserver.SUPERUSER
# The services' runtime role: no superuser, no BYPASSRLS, so row-level security applies to it.
APP_ROLE = "masteria_app"
# Development only: the password is the role name, as the documented local URLs say.
APP_PASSWORD = APP_ROLE
EXTERNAL_URL_ENV = "DATABASE_URL"
EXTERNAL_ADMIN_URL_ENV = "DATABASE_ADMIN_URL"
_DB_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")

# Runs on every ensure (a few milliseconds) so a dropped role or database comes back. Migrations run as the
# superuser and therefore own the schemas; masteria_app is never an owner, so RLS always applies to it.
_BOOTSTRAP = r"""
SELECT format('CREATE ROLE %I', :'app_role')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'app_role') \gexec
ALTER ROLE :"app_role" LOGIN PASSWORD :'app_password'
  NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOREPLICATION;
SELECT format('CREATE DATABASE %I', :'db')
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'db') \gexec
\connect :"db"
CREATE EXTENSION IF NOT EXISTS vector;
"""


@dataclass(frozen=True)
class DatabaseUrls:
    """SQLAlchemy URLs (postgresql+asyncpg://) of one database, for the services and for migrations."""

    app: str
    admin: str


def port() -> int:
    """Return the TCP port of the embedded server (MASTERIA_PG_PORT, default 55432)."""
    return int(os.environ.get(PORT_ENV, DEFAULT_PORT))


def database_name() -> str:
    """Return the main database name (MASTERIA_PG_DB, default masteria)."""
    return os.environ.get(DB_ENV, DEFAULT_DB)


def is_external() -> bool:
    """Return whether DATABASE_URL points at a server we must not manage."""
    return bool(os.environ.get(EXTERNAL_URL_ENV))


def app_url(database: str | None = None) -> str:
    """Return the services' URL (role masteria_app, subject to RLS) for the main or a named database."""
    if is_external():
        return _with_database(os.environ[EXTERNAL_URL_ENV], database)
    name = database or database_name()
    return f"postgresql+asyncpg://{APP_ROLE}:{APP_PASSWORD}@{HOST}:{port()}/{name}"


def admin_url(database: str | None = None) -> str:
    """Return the superuser URL used for bootstrap and migrations (DATABASE_ADMIN_URL when external)."""
    if is_external():
        external = os.environ.get(EXTERNAL_ADMIN_URL_ENV) or os.environ[EXTERNAL_URL_ENV]
        return _with_database(external, database)
    name = database or database_name()
    return f"postgresql+asyncpg://{SUPERUSER}@{HOST}:{port()}/{name}"


def asyncpg_dsn(url: str) -> str:
    """Turn a SQLAlchemy URL into one asyncpg.connect() accepts (drop the +driver suffix)."""
    scheme, rest = url.split("://", 1)
    return f"{scheme.split('+', 1)[0]}://{rest}"


def _with_database(url: str, database: str | None) -> str:
    if database is None:
        return url
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{database}"))


def ensure() -> None:
    """Start the server unless ours already answers, then bootstrap roles, database and pgvector."""
    if is_external():
        return
    layout, tcp_port = Layout.current(), port()
    postmaster = pgserver.running_postmaster(layout)
    healthy = postmaster is not None and postmaster.port == tcp_port and postmaster.status == "ready"
    if postmaster is not None and not (healthy and port_open(HOST, tcp_port)):
        # Ours but on another port or wedged in startup: a restart is the quickest known-good state.
        pgserver.stop(layout)
        postmaster = None
    if postmaster is None:
        if port_open(HOST, tcp_port):
            raise InfraError(f"PostgreSQL port {HOST}:{tcp_port} is taken by another process "
                             f"({describe_port_owner(tcp_port)}); stop it or set {PORT_ENV} to a free port")
        pgserver.start(layout, tcp_port)
    _bootstrap(tcp_port, database_name())


def stop() -> None:
    """Stop the embedded server if it runs (no-op when external)."""
    if not is_external():
        pgserver.stop(Layout.current())


def status() -> EngineStatus:
    """Report whether the embedded server runs, is external, or its port is taken by someone else."""
    if is_external():
        return EngineStatus("postgres", app_url(), None, State.EXTERNAL)
    postmaster = pgserver.running_postmaster(Layout.current())
    if postmaster is not None and postmaster.port == port():
        return EngineStatus("postgres", app_url(), postmaster.pid, State.RUNNING)
    state = State.FOREIGN if port_open(HOST, port()) else State.STOPPED
    return EngineStatus("postgres", app_url(), None, state)


def _bootstrap(tcp_port: int, database: str) -> None:
    variables = {"app_role": APP_ROLE, "app_password": APP_PASSWORD, "db": database, "ON_ERROR_STOP": "1"}
    argv = [str(pgserver.bin_dir() / "psql"), "-X", "-q", "-h", HOST, "-p", str(tcp_port), "-U", SUPERUSER]
    argv += ["-d", "postgres", "-f", "-"]
    for key, value in variables.items():
        argv += ["-v", f"{key}={value}"]
    result = subprocess.run(argv, input=_BOOTSTRAP, capture_output=True, text=True, env=pgserver.clean_env(),
                            timeout=60, check=False)
    if result.returncode != 0:
        raise InfraError(f"bootstrapping PostgreSQL on port {tcp_port} failed:\n{result.stderr.strip()}")


async def create_database(name: str) -> DatabaseUrls:
    """Create (or re-create) a database with pgvector, for tests that want a fresh one; return its URLs."""
    name = _checked(name)
    await drop_database(name)
    await _admin_execute(f'CREATE DATABASE "{name}"')
    await _admin_execute("CREATE EXTENSION IF NOT EXISTS vector", database=name)
    return DatabaseUrls(app=app_url(name), admin=admin_url(name))


async def drop_database(name: str) -> None:
    """Drop a database if it exists, disconnecting its sessions first."""
    await _admin_execute(f'DROP DATABASE IF EXISTS "{_checked(name)}" WITH (FORCE)')


def _checked(name: str) -> str:
    # Identifiers cannot be bound as parameters, so only plain lowercase names get near the SQL text.
    if not _DB_NAME.fullmatch(name) or name in {"postgres", "template0", "template1", database_name()}:
        raise ValueError(f"refusing database name {name!r}: use lowercase letters, digits, underscores")
    return name


async def _admin_execute(sql: str, database: str = "postgres") -> None:
    import asyncpg

    connection = await asyncpg.connect(asyncpg_dsn(admin_url(database)))
    try:
        await connection.execute(sql)
    finally:
        await connection.close()
