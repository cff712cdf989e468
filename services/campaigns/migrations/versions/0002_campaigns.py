"""Campaigns: the audience view of contacts, segments, CSV uploads, campaigns, recipients and their counters,
the cross-channel send log and the durable snapshot jobs, all under RLS.

Indexes are chosen for the hot paths and for the audience snapshot (a million inserted rows must stay cheap):
the dispatcher reads pending recipients by (campaign, id) and counts queued ones through partial indexes, the
status consumer finds recipients by dispatch id, reply attribution finds dispatched ones by number. Partial
indexes leave snapshot inserts (pending, no dispatch id, never queued) almost free.

Revision ID: 0002_campaigns
Revises: 0001
Create Date: 2026-12-01
"""

from alembic import op

from masteria.persistence.rls import tenant_rls_sql

revision = "0002_campaigns"
down_revision = "0001"
branch_labels = None
depends_on = None
S = "campaigns"
RECIPIENT_STATES = "'pending', 'queued', 'sent', 'delivered', 'read', 'failed', 'unknown', 'skipped', 'cancelled'"
# Kept here rather than imported from the contracts: a migration must not change when the code does.
E164 = r"^\+[1-9]\d{6,14}$"
CAMPAIGN_STATES = "'draft', 'scheduled', 'running', 'paused', 'completed', 'cancelled'"


def upgrade() -> None:
    _contacts()
    _segments_and_uploads()
    _campaigns()
    _recipients()
    _send_log()


def _contacts() -> None:
    op.execute(f"""CREATE TABLE {S}.contacts (
        contact_id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL,
        phone text,
        -- Computed once per write rather than by a regex at every audience scan (a million rows: ~1 s each).
        phone_ok boolean GENERATED ALWAYS AS (phone IS NOT NULL AND phone ~ '{E164}') STORED,
        name text,
        email text,
        tags text[] NOT NULL DEFAULT '{{}}',
        custom_fields jsonb NOT NULL DEFAULT '{{}}',
        opted_out text[] NOT NULL DEFAULT '{{}}',
        last_inbound_at timestamptz,
        last_inbound_channel text,
        lead_stage_id uuid,
        lead_stage_name text,
        lead_pipeline_id uuid,
        deleted boolean NOT NULL DEFAULT false,
        state_at timestamptz,
        stage_at timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now())""")
    # Not unique: events about two contacts swapping a number may arrive in either order; the send log
    # keeps one number from getting the same content twice anyway.
    op.execute(f"CREATE INDEX ix_contacts_phone ON {S}.contacts (tenant_id, phone)")
    op.execute(f"CREATE INDEX ix_contacts_tags ON {S}.contacts USING gin (tags)")
    op.execute(f"CREATE INDEX ix_contacts_custom_fields ON {S}.contacts USING gin (custom_fields jsonb_path_ops)")
    op.execute(f"CREATE INDEX ix_contacts_stage ON {S}.contacts (tenant_id, lead_stage_id)")
    op.execute(f"CREATE INDEX ix_contacts_last_inbound ON {S}.contacts (tenant_id, last_inbound_at)")
    for statement in tenant_rls_sql(S, "contacts"):
        op.execute(statement)


def _segments_and_uploads() -> None:
    op.execute(f"""CREATE TABLE {S}.segments (
        id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL,
        name text NOT NULL,
        description text,
        filter jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now())""")
    op.execute(f"CREATE INDEX ix_segments_list ON {S}.segments (tenant_id, id DESC)")
    op.execute(f"""CREATE TABLE {S}.uploads (
        id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL,
        filename text,
        rows integer NOT NULL DEFAULT 0,
        matched integer NOT NULL DEFAULT 0,
        unmatched jsonb NOT NULL DEFAULT '[]',
        created_at timestamptz NOT NULL DEFAULT now())""")
    op.execute(f"""CREATE TABLE {S}.upload_contacts (
        upload_id uuid NOT NULL REFERENCES {S}.uploads (id) ON DELETE CASCADE,
        contact_id uuid NOT NULL,
        tenant_id uuid NOT NULL,
        PRIMARY KEY (upload_id, contact_id))""")
    for table in ("segments", "uploads", "upload_contacts"):
        for statement in tenant_rls_sql(S, table):
            op.execute(statement)


def _campaigns() -> None:
    op.execute(f"""CREATE TABLE {S}.campaigns (
        id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL,
        name text NOT NULL,
        channel text NOT NULL,
        state text NOT NULL DEFAULT 'draft' CHECK (state IN ({CAMPAIGN_STATES})),
        audience jsonb NOT NULL,
        message jsonb NOT NULL,
        schedule jsonb NOT NULL DEFAULT '{{}}',
        messages_per_second double precision NOT NULL,
        channel_account_ids uuid[] NOT NULL DEFAULT '{{}}',
        duplicate_window_s integer NOT NULL,
        max_attempts smallint NOT NULL,
        snapshot jsonb NOT NULL DEFAULT '{{}}',
        snapshot_done_at timestamptz,
        launched_at timestamptz,
        paused_at timestamptz,
        completed_at timestamptz,
        needs_sweep boolean NOT NULL DEFAULT false,
        pace_tokens double precision NOT NULL DEFAULT 0,
        pace_at timestamptz,
        sender_cursor bigint NOT NULL DEFAULT 0,
        progress_at timestamptz,
        created_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now())""")
    op.execute(f"CREATE INDEX ix_campaigns_list ON {S}.campaigns (tenant_id, id DESC)")
    # The dispatcher's scan: the few campaigns that may have work, across tenants.
    op.execute(
        f"CREATE INDEX ix_campaigns_active ON {S}.campaigns (state) "
        "WHERE state IN ('scheduled', 'running') OR needs_sweep"
    )
    op.execute(f"""CREATE TABLE {S}.campaign_counters (
        campaign_id uuid PRIMARY KEY REFERENCES {S}.campaigns (id) ON DELETE CASCADE,
        tenant_id uuid NOT NULL,
        total integer NOT NULL DEFAULT 0,
        pending integer NOT NULL DEFAULT 0,
        queued integer NOT NULL DEFAULT 0,
        sent integer NOT NULL DEFAULT 0,
        delivered integer NOT NULL DEFAULT 0,
        read integer NOT NULL DEFAULT 0,
        failed integer NOT NULL DEFAULT 0,
        unknown integer NOT NULL DEFAULT 0,
        skipped integer NOT NULL DEFAULT 0,
        cancelled integer NOT NULL DEFAULT 0,
        replied integer NOT NULL DEFAULT 0)""")
    op.execute(f"""CREATE TABLE {S}.snapshot_jobs (
        campaign_id uuid PRIMARY KEY REFERENCES {S}.campaigns (id) ON DELETE CASCADE,
        tenant_id uuid NOT NULL,
        requested_at timestamptz NOT NULL DEFAULT now())""")
    # The dispatcher and the snapshot worker find work across tenants, then act inside each tenant's context.
    for statement in tenant_rls_sql(S, "campaigns", allow_system=True):
        op.execute(statement)
    for statement in tenant_rls_sql(S, "snapshot_jobs", allow_system=True):
        op.execute(statement)
    for statement in tenant_rls_sql(S, "campaign_counters"):
        op.execute(statement)


def _recipients() -> None:
    # No foreign key to campaigns: its per-row check costs a million-contact snapshot seconds; recipients are
    # removed with their campaign explicitly (only drafts, which have none, can be deleted).
    op.execute(f"""CREATE TABLE {S}.recipients (
        id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL,
        campaign_id uuid NOT NULL,
        contact_id uuid NOT NULL,
        phone text,
        variant text NOT NULL,
        channel_account_id uuid,
        state text NOT NULL DEFAULT 'pending' CHECK (state IN ({RECIPIENT_STATES})),
        skip_reason text,
        attempt smallint NOT NULL DEFAULT 0,
        dispatch_id uuid,
        next_attempt_at timestamptz,
        error_code text,
        error_title text,
        queued_at timestamptz,
        sent_at timestamptz,
        delivered_at timestamptz,
        read_at timestamptz,
        failed_at timestamptz,
        replied_at timestamptz,
        CONSTRAINT uq_recipients_campaign_contact UNIQUE (campaign_id, contact_id))""")
    op.execute(
        f"CREATE UNIQUE INDEX uq_recipients_dispatch ON {S}.recipients (dispatch_id) WHERE dispatch_id IS NOT NULL"
    )
    op.execute(f"CREATE INDEX ix_recipients_pending ON {S}.recipients (campaign_id, id) WHERE state = 'pending'")
    op.execute(f"CREATE INDEX ix_recipients_queued ON {S}.recipients (campaign_id) WHERE state = 'queued'")
    op.execute(
        f"CREATE INDEX ix_recipients_dispatched_phone ON {S}.recipients (phone, queued_at) WHERE queued_at IS NOT NULL"
    )
    for statement in tenant_rls_sql(S, "recipients"):
        op.execute(statement)


def _send_log() -> None:
    op.execute(f"""CREATE TABLE {S}.send_log (
        tenant_id uuid NOT NULL,
        phone text NOT NULL,
        content_hash text NOT NULL,
        last_sent_at timestamptz NOT NULL,
        PRIMARY KEY (tenant_id, phone, content_hash))""")
    for statement in tenant_rls_sql(S, "send_log"):
        op.execute(statement)


def downgrade() -> None:
    for table in (
        "send_log",
        "recipients",
        "snapshot_jobs",
        "campaign_counters",
        "campaigns",
        "upload_contacts",
        "uploads",
        "segments",
        "contacts",
    ):
        op.execute(f"DROP TABLE {S}.{table}")
