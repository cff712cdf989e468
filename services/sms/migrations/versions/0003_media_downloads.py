"""Inbound MMS media waiting to be downloaded into the media store.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-10
"""

from alembic import op

from masteria.persistence.rls import tenant_rls_sql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None
S = "sms"


def upgrade() -> None:
    op.execute(f"""CREATE TABLE {S}.media_downloads (
        id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL,
        sender_id uuid NOT NULL,
        media_url text NOT NULL,
        envelope bytea NOT NULL,
        headers jsonb NOT NULL,
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        last_error text,
        created_at timestamptz NOT NULL DEFAULT now())""")
    op.execute(f"CREATE INDEX ix_media_downloads_due ON {S}.media_downloads (next_attempt_at)")
    # The download worker claims due rows across tenants (system context).
    for statement in tenant_rls_sql(S, "media_downloads", allow_system=True):
        op.execute(statement)


def downgrade() -> None:
    op.execute(f"DROP TABLE {S}.media_downloads")
