"""DDL for schemas, grants and Row-Level Security policies, used from Alembic migrations."""

from __future__ import annotations

import os
import re

_IDENT = re.compile(r"^[a-z_][a-z0-9_]*$")

TENANT_PREDICATE = "tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid"
SYSTEM_PREDICATE = "current_setting('app.system', true) = 'on'"


def app_role() -> str:
    """The runtime role of the services (no BYPASSRLS); overridable for production."""
    return _ident(os.environ.get("MASTERIA_DB_APP_ROLE", "masteria_app"))


def _ident(name: str) -> str:
    if not _IDENT.match(name):
        raise ValueError(f"unsafe SQL identifier {name!r}")
    return name


def create_schema_sql(schema: str) -> list[str]:
    """Create the service schema and let the app role use what migrations create in it."""
    s, role = _ident(schema), app_role()
    return [
        f"CREATE SCHEMA IF NOT EXISTS {s}",
        f"GRANT USAGE ON SCHEMA {s} TO {role}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {s} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {role}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {s} GRANT USAGE, SELECT ON SEQUENCES TO {role}",
    ]


def tenant_rls_sql(schema: str, table: str, *, allow_system: bool = False) -> list[str]:
    """Enable RLS on a tenant table; a missing tenant setting matches no row (fails closed)."""
    qualified = f"{_ident(schema)}.{_ident(table)}"
    predicate = TENANT_PREDICATE + (f" OR {SYSTEM_PREDICATE}" if allow_system else "")
    return [
        f"ALTER TABLE {qualified} ENABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {qualified} FORCE ROW LEVEL SECURITY",
        f"DROP POLICY IF EXISTS tenant_isolation ON {qualified}",
        f"CREATE POLICY tenant_isolation ON {qualified} USING ({predicate}) WITH CHECK ({predicate})",
    ]
