"""Local infrastructure (PostgreSQL with pgvector, NATS, Redis) and a process supervisor for make up and tests.

State lives in <repo>/var (MASTERIA_VAR_DIR). Engines listen on 127.0.0.1: PostgreSQL 55432 (MASTERIA_PG_PORT,
database MASTERIA_PG_DB=masteria), NATS 14222 with monitoring on 18222 (MASTERIA_NATS_PORT,
MASTERIA_NATS_MONITOR_PORT), Redis 16379 (MASTERIA_REDIS_PORT). DATABASE_URL (+ DATABASE_ADMIN_URL), NATS_URL
and REDIS_URL name external engines instead; then nothing is started. CLI: `python -m masteria.devstack --help`.
"""

from .errors import InfraError
from .infra import InfraUrls, ensure_infra, infra_status, stop_infra, urls
from .postgres import DatabaseUrls, admin_url, app_url, create_database, drop_database
from .procs import ProcessSpec, Supervisor, SupervisorError

__all__ = [
    "DatabaseUrls",
    "InfraError",
    "InfraUrls",
    "ProcessSpec",
    "Supervisor",
    "SupervisorError",
    "admin_url",
    "app_url",
    "create_database",
    "drop_database",
    "ensure_infra",
    "infra_status",
    "stop_infra",
    "urls",
]
