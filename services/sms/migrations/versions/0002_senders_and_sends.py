"""Twilio senders, opt-outs, sends, status and inbound receipts, all under RLS.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

from alembic import op

from masteria.persistence.rls import tenant_rls_sql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None
S = "sms"


def upgrade() -> None:
    op.execute(f"""CREATE TABLE {S}.senders (
        id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL,
        account_sid varchar(64) NOT NULL,
        auth_token_sealed text NOT NULL,
        phone_number varchar(20) NOT NULL,
        kind varchar(16) NOT NULL CHECK (kind IN ('long_code', 'toll_free', 'short_code')),
        messages_per_second integer NOT NULL CHECK (messages_per_second > 0),
        label text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT uq_senders_phone_number UNIQUE (phone_number))""")
    op.execute(f"CREATE INDEX ix_senders_tenant_id ON {S}.senders (tenant_id)")
    op.execute(f"""CREATE TABLE {S}.opt_outs (
        tenant_id uuid NOT NULL,
        sender_number varchar(20) NOT NULL,
        recipient varchar(20) NOT NULL,
        opted_out boolean NOT NULL,
        keyword text NOT NULL,
        changed_at timestamptz NOT NULL DEFAULT now(),
        confirmation_id uuid,
        PRIMARY KEY (tenant_id, sender_number, recipient))""")
    op.execute(f"""CREATE TABLE {S}.sends (
        tenant_id uuid NOT NULL,
        command_id uuid NOT NULL,
        attempt integer NOT NULL,
        lane varchar(16) NOT NULL,
        event_id uuid NOT NULL,
        sender_id uuid,
        recipient varchar(20) NOT NULL,
        state varchar(16) NOT NULL,
        status varchar(16),
        sid varchar(64),
        segments integer,
        tries integer NOT NULL DEFAULT 0,
        error_code varchar(32),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, command_id, attempt))""")
    op.execute(f"CREATE UNIQUE INDEX ix_sends_sid ON {S}.sends (tenant_id, sid) WHERE sid IS NOT NULL")
    op.execute(f"""CREATE TABLE {S}.status_receipts (
        tenant_id uuid NOT NULL,
        sid varchar(64) NOT NULL,
        status varchar(16) NOT NULL,
        error_code varchar(32),
        segments integer,
        recipient text NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        applied boolean NOT NULL DEFAULT false,
        PRIMARY KEY (tenant_id, sid, status))""")
    op.execute(f"""CREATE TABLE {S}.inbound_receipts (
        tenant_id uuid NOT NULL,
        key text NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, key))""")
    op.execute(f"CREATE INDEX ix_inbound_receipts_received_at ON {S}.inbound_receipts (received_at)")
    # Webhooks name only our number (To or From) before the tenant is known, so senders open to the
    # system context; every other table stays strictly per tenant.
    for statement in tenant_rls_sql(S, "senders", allow_system=True):
        op.execute(statement)
    for table in ("opt_outs", "sends", "status_receipts", "inbound_receipts"):
        for statement in tenant_rls_sql(S, table):
            op.execute(statement)


def downgrade() -> None:
    for table in ("inbound_receipts", "status_receipts", "sends", "opt_outs", "senders"):
        op.execute(f"DROP TABLE {S}.{table}")
