"""CRM and inbox: contact details, tags, consent and service windows; assignment, notes, delivery
statuses and search; contact imports.

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
S = "crm"
# Kept here rather than imported from the models: a migration must not change when the code does.
MESSAGE_SEARCH_TEXT = (
    "coalesce(content ->> 'body', content ->> 'caption', (content -> 'interactive') ->> 'body', preview)"
)


def upgrade() -> None:
    # Trigram search (ILIKE '%...%' served by GIN indexes). Migrations run as the schema owner; pg_trgm is a
    # trusted extension, so a database owner without superuser can create it too.
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    _contacts()
    _conversations()
    _messages()
    _notes()
    _imports()


def _contacts() -> None:
    op.execute(f"""ALTER TABLE {S}.contacts
        ADD COLUMN email text,
        ADD COLUMN custom_fields jsonb NOT NULL DEFAULT '{{}}',
        ADD COLUMN tags text[] NOT NULL DEFAULT '{{}}',
        ADD COLUMN consent jsonb NOT NULL DEFAULT '{{}}',
        ADD COLUMN last_inbound_at jsonb NOT NULL DEFAULT '{{}}'""")
    op.execute(f"CREATE INDEX ix_contacts_tags ON {S}.contacts USING gin (tags)")
    op.execute(f"CREATE INDEX ix_contacts_list_order ON {S}.contacts (tenant_id, id DESC)")
    for column in ("name", "phone", "email"):
        op.execute(f"CREATE INDEX ix_contacts_{column}_trgm ON {S}.contacts USING gin ({column} gin_trgm_ops)")


def _conversations() -> None:
    op.execute(f"UPDATE {S}.conversations SET status = 'resolved' WHERE status = 'closed'")  # noqa: S608 - constants
    op.execute(f"""ALTER TABLE {S}.conversations
        ADD COLUMN assignee_user_id uuid,
        ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now(),
        ADD CONSTRAINT ck_conversations_status CHECK (status IN ('open', 'pending', 'resolved'))""")
    op.execute(
        f"CREATE INDEX ix_conversations_by_status ON {S}.conversations "
        "(tenant_id, status, last_message_at DESC, id DESC)"
    )
    op.execute(
        f"CREATE INDEX ix_conversations_by_assignee ON {S}.conversations "
        "(tenant_id, assignee_user_id, last_message_at DESC, id DESC)"
    )
    op.execute(f"CREATE INDEX ix_conversations_contact ON {S}.conversations (contact_id)")


def _messages() -> None:
    op.execute(f"""ALTER TABLE {S}.messages
        ADD COLUMN status varchar(16),
        ADD COLUMN error jsonb,
        ADD COLUMN status_at timestamptz,
        ADD COLUMN author_user_id uuid,
        ADD COLUMN origin varchar(16),
        ADD COLUMN status_attempt integer,
        ADD COLUMN search_text text GENERATED ALWAYS AS ({MESSAGE_SEARCH_TEXT}) STORED""")
    op.execute(f"CREATE INDEX ix_messages_search_trgm ON {S}.messages USING gin (search_text gin_trgm_ops)")
    # Statuses that arrived before the send they belong to was recorded (another consumer, another stream).
    op.execute(f"""CREATE TABLE {S}.pending_statuses (
        id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL,
        message_id uuid NOT NULL,
        payload jsonb NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now())""")
    op.execute(f"CREATE INDEX ix_pending_statuses_message ON {S}.pending_statuses (message_id)")
    for statement in tenant_rls_sql(S, "pending_statuses"):
        op.execute(statement)


def _notes() -> None:
    op.execute(f"""CREATE TABLE {S}.conversation_notes (
        id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL,
        conversation_id uuid NOT NULL REFERENCES {S}.conversations (id),
        author_user_id uuid,
        body text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now())""")
    op.execute(
        f"CREATE INDEX ix_conversation_notes_thread_order ON {S}.conversation_notes "
        "(conversation_id, created_at DESC, id DESC)"
    )
    for statement in tenant_rls_sql(S, "conversation_notes"):
        op.execute(statement)


def _imports() -> None:
    op.execute(f"""CREATE TABLE {S}.contact_imports (
        id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL,
        state varchar(16) NOT NULL CHECK (state IN ('running', 'completed', 'failed')),
        filename text,
        mapping jsonb NOT NULL,
        default_country varchar(2) NOT NULL,
        tags text[] NOT NULL DEFAULT '{{}}',
        encoding varchar(16) NOT NULL,
        delimiter varchar(1) NOT NULL,
        total_rows integer NOT NULL DEFAULT 0,
        processed_rows integer NOT NULL DEFAULT 0,
        imported_rows integer NOT NULL DEFAULT 0,
        created_rows integer NOT NULL DEFAULT 0,
        updated_rows integer NOT NULL DEFAULT 0,
        failed_rows integer NOT NULL DEFAULT 0,
        error text,
        attempts integer NOT NULL DEFAULT 0,
        lease_until timestamptz NOT NULL DEFAULT now(),
        created_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz)""")
    op.execute(f"CREATE INDEX ix_contact_imports_running ON {S}.contact_imports (lease_until) WHERE state = 'running'")
    op.execute(f"CREATE INDEX ix_contact_imports_tenant ON {S}.contact_imports (tenant_id, id DESC)")
    op.execute(f"""CREATE TABLE {S}.contact_import_files (
        import_id uuid PRIMARY KEY REFERENCES {S}.contact_imports (id) ON DELETE CASCADE,
        tenant_id uuid NOT NULL,
        data bytea NOT NULL)""")
    op.execute(f"""CREATE TABLE {S}.contact_import_errors (
        import_id uuid NOT NULL REFERENCES {S}.contact_imports (id) ON DELETE CASCADE,
        tenant_id uuid NOT NULL,
        row_number integer NOT NULL,
        reason text NOT NULL,
        PRIMARY KEY (import_id, row_number))""")
    for table in ("contact_import_files", "contact_import_errors"):
        for statement in tenant_rls_sql(S, table):
            op.execute(statement)
    # Workers claim abandoned imports of every tenant (a crashed replica's); nothing else opens to the system.
    for statement in tenant_rls_sql(S, "contact_imports", allow_system=True):
        op.execute(statement)


def downgrade() -> None:
    for table in (
        "contact_import_errors",
        "contact_import_files",
        "contact_imports",
        "conversation_notes",
        "pending_statuses",
    ):
        op.execute(f"DROP TABLE {S}.{table}")
    op.execute(f"""ALTER TABLE {S}.messages DROP COLUMN search_text, DROP COLUMN status_attempt, DROP COLUMN origin,
        DROP COLUMN author_user_id, DROP COLUMN status_at, DROP COLUMN error, DROP COLUMN status""")
    op.execute(f"""ALTER TABLE {S}.conversations DROP CONSTRAINT ck_conversations_status,
        DROP COLUMN updated_at, DROP COLUMN assignee_user_id""")
    for index in ("ix_conversations_by_status", "ix_conversations_by_assignee", "ix_conversations_contact"):
        op.execute(f"DROP INDEX IF EXISTS {S}.{index}")
    op.execute(f"""ALTER TABLE {S}.contacts DROP COLUMN last_inbound_at, DROP COLUMN consent, DROP COLUMN tags,
        DROP COLUMN custom_fields, DROP COLUMN email""")
    for index in ("ix_contacts_list_order", "ix_contacts_name_trgm", "ix_contacts_phone_trgm"):
        op.execute(f"DROP INDEX IF EXISTS {S}.{index}")
