"""Sending: number profiles, outbound messages and their statuses, service windows, templates, media downloads.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

from alembic import op

from masteria.persistence.rls import tenant_rls_sql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None
S = "whatsapp_meta"


def upgrade() -> None:
    op.execute(f"""ALTER TABLE {S}.phone_numbers
        ADD COLUMN messages_per_second integer NOT NULL DEFAULT 80
            CHECK (messages_per_second BETWEEN 1 AND 1000),
        ADD COLUMN messaging_limit_tier varchar(32),
        ADD COLUMN quality_rating varchar(16),
        ADD COLUMN throughput_level varchar(16),
        ADD COLUMN verified_name text,
        ADD COLUMN profile_refreshed_at timestamptz""")
    op.execute(f"""CREATE TABLE {S}.outbound_messages (
        tenant_id uuid NOT NULL,
        lane varchar(16) NOT NULL CHECK (lane IN ('outbound', 'dispatch')),
        id uuid NOT NULL,
        number_id uuid,
        recipient varchar(32) NOT NULL,
        state varchar(16) NOT NULL
            CHECK (state IN ('queued', 'sending', 'retrying', 'accepted', 'failed', 'unknown')),
        status varchar(16),
        status_at timestamptz,
        attempts integer NOT NULL DEFAULT 0,
        campaign_attempt integer NOT NULL DEFAULT 1,
        next_attempt_at timestamptz,
        sending_at timestamptz,
        wamid text,
        last_error jsonb,
        command bytea,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, lane, id))""")
    op.execute(f"""CREATE INDEX ix_outbound_messages_wamid ON {S}.outbound_messages (tenant_id, wamid)
        WHERE wamid IS NOT NULL""")
    op.execute(f"""CREATE INDEX ix_outbound_messages_due ON {S}.outbound_messages (next_attempt_at)
        WHERE state = 'retrying'""")
    op.execute(f"""CREATE INDEX ix_outbound_messages_sending ON {S}.outbound_messages (sending_at)
        WHERE state = 'sending'""")
    op.execute(f"""CREATE INDEX ix_outbound_messages_queued ON {S}.outbound_messages (updated_at)
        WHERE state = 'queued'""")
    op.execute(f"""CREATE TABLE {S}.orphan_statuses (
        tenant_id uuid NOT NULL,
        wamid text NOT NULL,
        status varchar(16) NOT NULL,
        number_id uuid NOT NULL,
        recipient varchar(32) NOT NULL,
        occurred_at timestamptz NOT NULL,
        error jsonb,
        received_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, wamid, status))""")
    op.execute(f"CREATE INDEX ix_orphan_statuses_received_at ON {S}.orphan_statuses (received_at)")
    op.execute(f"""CREATE TABLE {S}.customer_windows (
        tenant_id uuid NOT NULL,
        number_id uuid NOT NULL,
        wa_id varchar(32) NOT NULL,
        last_inbound_at timestamptz NOT NULL,
        PRIMARY KEY (tenant_id, number_id, wa_id))""")
    op.execute(f"""CREATE TABLE {S}.templates (
        id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL,
        waba_id varchar(64) NOT NULL,
        meta_id varchar(64),
        name varchar(512) NOT NULL,
        language varchar(16) NOT NULL,
        category varchar(32),
        status varchar(32) NOT NULL,
        parameter_format varchar(16) NOT NULL DEFAULT 'POSITIONAL',
        components jsonb NOT NULL,
        quality_score varchar(16),
        synced_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (tenant_id, waba_id, name, language))""")
    op.execute(f"CREATE INDEX ix_templates_tenant_id ON {S}.templates (tenant_id)")
    op.execute(f"""CREATE TABLE {S}.media_downloads (
        id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL,
        phone_number_id varchar(64) NOT NULL,
        media_id text NOT NULL,
        envelope bytea NOT NULL,
        headers jsonb NOT NULL,
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        last_error text,
        created_at timestamptz NOT NULL DEFAULT now())""")
    op.execute(f"CREATE INDEX ix_media_downloads_due ON {S}.media_downloads (next_attempt_at)")
    # Retries, the crash reaper, orphan expiry and media downloads work across tenants (system
    # context), so those tables open to it; windows and templates stay strictly per tenant.
    for table in ("outbound_messages", "orphan_statuses", "media_downloads"):
        for statement in tenant_rls_sql(S, table, allow_system=True):
            op.execute(statement)
    for table in ("customer_windows", "templates"):
        for statement in tenant_rls_sql(S, table):
            op.execute(statement)


def downgrade() -> None:
    for table in ("media_downloads", "templates", "customer_windows", "orphan_statuses", "outbound_messages"):
        op.execute(f"DROP TABLE {S}.{table}")
    op.execute(f"""ALTER TABLE {S}.phone_numbers
        DROP COLUMN messages_per_second, DROP COLUMN messaging_limit_tier, DROP COLUMN quality_rating,
        DROP COLUMN throughput_level, DROP COLUMN verified_name, DROP COLUMN profile_refreshed_at""")
