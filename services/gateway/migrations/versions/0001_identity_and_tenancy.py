"""Users, tenants, memberships, sessions, API keys and OAuth identities.

Revision ID: 0001
Revises:
Create Date: 2025-01-01

ADR (Row-Level Security in the gateway schema)
-----------------------------------------------
Context: every tenant-owned table is protected by RLS keyed on ``app.tenant_id``; the services run as
``masteria_app`` without BYPASSRLS, so a query outside a tenant transaction sees nothing.

The gateway is the one place that must resolve a tenant *from* a credential, before any tenant is known:
  * login and ``/auth/me`` list a user's memberships across all of their tenants;
  * a session cookie or an API key is looked up by its hash, and only the row tells the tenant.
Decision: ``memberships``, ``sessions`` and ``api_keys`` accept ``app.system = 'on'`` besides the tenant
predicate (``allow_system=True``), and only the identity/access code opens such system transactions
(``masteria.persistence.tenancy.system_session``). Tenant-facing operations (list members, manage keys)
run in tenant transactions, so a bug there still cannot cross tenants. ``tenants`` gets the same shape of
policy keyed on its own ``id``.
``users`` and ``oauth_identities`` are not tenant-owned (one person, many tenants) and carry no RLS; the
gateway never returns a user that does not share a tenant with the caller.
Consequence: a leaked system transaction in the gateway could read memberships, sessions and keys of every
tenant; that is why those code paths are few and reviewed, and why the hashes, not the secrets, are stored.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from masteria.persistence.rls import SYSTEM_PREDICATE, app_role, tenant_rls_sql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "gateway"
NOW = sa.text("now()")


def _users() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("password_hash", sa.Text, nullable=True),
        sa.Column("email_verified", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("last_tenant_id", sa.Uuid, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=NOW),
        sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("email", name="uq_users_email"),
        sa.CheckConstraint("email = lower(email)", name="ck_users_email_lower"),
        schema=SCHEMA,
    )


def _tenants() -> None:
    op.create_table(
        "tenants",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=NOW),
        schema=SCHEMA,
    )


def _memberships() -> None:
    op.create_table(
        "memberships",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("tenant_id", sa.Uuid, sa.ForeignKey(f"{SCHEMA}.tenants.id", ondelete="CASCADE"), nullable=False),
        sa.Column("user_id", sa.Uuid, sa.ForeignKey(f"{SCHEMA}.users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=NOW),
        sa.UniqueConstraint("tenant_id", "user_id", name="uq_memberships_tenant_id"),
        sa.CheckConstraint("role IN ('owner', 'admin', 'agent', 'viewer')", name="ck_memberships_role"),
        schema=SCHEMA,
    )
    op.create_index("ix_memberships_user_id", "memberships", ["user_id"], schema=SCHEMA)


def _sessions() -> None:
    op.create_table(
        "sessions",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("user_id", sa.Uuid, sa.ForeignKey(f"{SCHEMA}.users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("tenant_id", sa.Uuid, sa.ForeignKey(f"{SCHEMA}.tenants.id", ondelete="SET NULL"), nullable=True),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=NOW),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("refreshed_at", sa.DateTime(timezone=True), nullable=False, server_default=NOW),
        sa.Column("ip", sa.String(64), nullable=True),
        sa.Column("user_agent", sa.String(400), nullable=True),
        sa.UniqueConstraint("token_hash", name="uq_sessions_token_hash"),
        schema=SCHEMA,
    )
    op.create_index("ix_sessions_user_id", "sessions", ["user_id"], schema=SCHEMA)
    op.create_index("ix_sessions_tenant_id", "sessions", ["tenant_id"], schema=SCHEMA)
    op.create_index("ix_sessions_expires_at", "sessions", ["expires_at"], schema=SCHEMA)


def _api_keys() -> None:
    op.create_table(
        "api_keys",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("tenant_id", sa.Uuid, sa.ForeignKey(f"{SCHEMA}.tenants.id", ondelete="CASCADE"), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("prefix", sa.String(32), nullable=False),
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("scopes", postgresql.ARRAY(sa.Text), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("created_by", sa.Uuid, sa.ForeignKey(f"{SCHEMA}.users.id", ondelete="SET NULL"), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=NOW),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("prefix", name="uq_api_keys_prefix"),
        sa.CheckConstraint("role IN ('owner', 'admin', 'agent', 'viewer')", name="ck_api_keys_role"),
        schema=SCHEMA,
    )
    op.create_index("ix_api_keys_tenant_id", "api_keys", ["tenant_id"], schema=SCHEMA)


def _oauth_identities() -> None:
    op.create_table(
        "oauth_identities",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("user_id", sa.Uuid, sa.ForeignKey(f"{SCHEMA}.users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("provider", sa.String(32), nullable=False),
        sa.Column("subject", sa.String(255), nullable=False),
        sa.Column("email", sa.String(320), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=NOW),
        sa.UniqueConstraint("provider", "subject", name="uq_oauth_identities_provider"),
        schema=SCHEMA,
    )
    op.create_index("ix_oauth_identities_user_id", "oauth_identities", ["user_id"], schema=SCHEMA)


def _tenants_rls() -> list[str]:
    """The tenants table is keyed by ``id``, not ``tenant_id``; same fail-closed shape as the helper."""
    predicate = f"id = nullif(current_setting('app.tenant_id', true), '')::uuid OR {SYSTEM_PREDICATE}"
    table = f"{SCHEMA}.tenants"
    return [
        f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY",
        f"DROP POLICY IF EXISTS tenant_isolation ON {table}",
        f"CREATE POLICY tenant_isolation ON {table} USING ({predicate}) WITH CHECK ({predicate})",
    ]


def upgrade() -> None:
    """Create the tables, then switch RLS on for everything that belongs to a tenant."""
    _users()
    _tenants()
    _memberships()
    _sessions()
    _api_keys()
    _oauth_identities()
    statements = _tenants_rls()
    for table in ("memberships", "sessions", "api_keys"):
        statements += tenant_rls_sql(SCHEMA, table, allow_system=True)
    for statement in statements:
        op.execute(statement)
    # Tables created above inherit the schema's default privileges; say it explicitly for clarity.
    op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {SCHEMA} TO {app_role()}")


def downgrade() -> None:
    """Drop everything this revision created."""
    for table in ("oauth_identities", "api_keys", "sessions", "memberships", "tenants", "users"):
        op.drop_table(table, schema=SCHEMA)
