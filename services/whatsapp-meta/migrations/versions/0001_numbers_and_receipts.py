"""Registered numbers, inbound receipts, outbox and processed events, all under RLS.

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

from alembic import op

from masteria.messaging.tables import messaging_tables_sql
from masteria.persistence.rls import tenant_rls_sql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None
S = "whatsapp_meta"


def upgrade() -> None:
    op.execute(f"""CREATE TABLE {S}.phone_numbers (
        id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL,
        phone_number_id varchar(64) NOT NULL UNIQUE,
        display_phone_number varchar(32) NOT NULL,
        waba_id varchar(64) NOT NULL,
        label text,
        access_token_sealed text NOT NULL,
        app_secret_sealed text NOT NULL,
        verify_token_sealed text NOT NULL,
        verify_token_hash varchar(64) NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now())""")
    op.execute(f"CREATE INDEX ix_phone_numbers_tenant_id ON {S}.phone_numbers (tenant_id)")
    op.execute(f"CREATE INDEX ix_phone_numbers_verify_token_hash ON {S}.phone_numbers (verify_token_hash)")
    op.execute(f"""CREATE TABLE {S}.inbound_receipts (
        tenant_id uuid NOT NULL,
        key text NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, key))""")
    op.execute(f"CREATE INDEX ix_inbound_receipts_received_at ON {S}.inbound_receipts (received_at)")
    for statement in messaging_tables_sql(S):
        op.execute(statement)
    # Webhook routing must find a number before it knows the tenant (Meta names only the
    # phone_number_id), so phone_numbers opens to the system context; the rest stays per tenant
    # except the outbox, which the relay drains for every tenant.
    for statement in tenant_rls_sql(S, "phone_numbers", allow_system=True):
        op.execute(statement)
    for table in ("inbound_receipts", "processed_events"):
        for statement in tenant_rls_sql(S, table):
            op.execute(statement)
    for statement in tenant_rls_sql(S, "outbox", allow_system=True):
        op.execute(statement)


def downgrade() -> None:
    for table in ("outbox", "processed_events", "inbound_receipts", "phone_numbers"):
        op.execute(f"DROP TABLE {S}.{table}")
