"""Contacts, conversations and messages of the inbox, outbox and processed events, under RLS.

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
S = "crm"


def upgrade() -> None:
    op.execute(f"""CREATE TABLE {S}.contacts (
        id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL,
        phone varchar(16) NOT NULL,
        name text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT uq_contacts_tenant_id_phone UNIQUE (tenant_id, phone))""")
    op.execute(f"""CREATE TABLE {S}.conversations (
        id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL,
        contact_id uuid NOT NULL REFERENCES {S}.contacts (id),
        channel varchar(32) NOT NULL,
        channel_account_id uuid NOT NULL,
        status varchar(16) NOT NULL DEFAULT 'open',
        unread_count integer NOT NULL DEFAULT 0,
        last_message_at timestamptz NOT NULL DEFAULT now(),
        last_message_preview text NOT NULL DEFAULT '',
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT uq_conversations_thread UNIQUE (tenant_id, contact_id, channel, channel_account_id))""")
    op.execute(
        f"CREATE INDEX ix_conversations_inbox_order ON {S}.conversations (tenant_id, last_message_at DESC, id DESC)"
    )
    op.execute(f"""CREATE TABLE {S}.messages (
        id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL,
        conversation_id uuid NOT NULL REFERENCES {S}.conversations (id),
        direction varchar(8) NOT NULL CHECK (direction IN ('inbound', 'outbound')),
        channel varchar(32) NOT NULL,
        external_id text,
        content jsonb NOT NULL,
        preview text NOT NULL,
        sender_name text,
        occurred_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT uq_messages_provider_id UNIQUE (tenant_id, channel, external_id))""")
    op.execute(f"CREATE INDEX ix_messages_thread_order ON {S}.messages (conversation_id, occurred_at DESC, id DESC)")
    for statement in messaging_tables_sql(S):
        op.execute(statement)
    for table in ("contacts", "conversations", "messages", "processed_events"):
        for statement in tenant_rls_sql(S, table):
            op.execute(statement)
    # The relay drains every tenant's outbox; nothing else opens to the system context here.
    for statement in tenant_rls_sql(S, "outbox", allow_system=True):
        op.execute(statement)


def downgrade() -> None:
    for table in ("outbox", "processed_events", "messages", "conversations", "contacts"):
        op.execute(f"DROP TABLE {S}.{table}")
