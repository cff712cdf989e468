"""Cadences: drip sequences, their steps, enrolments (durable timers) and per-step sends, under RLS.

Revision ID: 0003_cadences
Revises: 0002_campaigns
Create Date: 2026-12-01
"""

from alembic import op

from masteria.persistence.rls import tenant_rls_sql

revision = "0003_cadences"
down_revision = "0002_campaigns"
branch_labels = None
depends_on = None
S = "campaigns"


def upgrade() -> None:
    op.execute(f"""CREATE TABLE {S}.cadences (
        id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL,
        name text NOT NULL,
        state varchar(16) NOT NULL DEFAULT 'draft' CHECK (state IN ('draft', 'active', 'paused', 'deleted')),
        business_hours jsonb,
        stop_on_reply boolean NOT NULL DEFAULT true,
        stop_on_stage_change boolean NOT NULL DEFAULT false,
        enrol_on_stage_id uuid,
        duplicate_window_s integer NOT NULL DEFAULT 86400 CHECK (duplicate_window_s >= 0),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        activated_at timestamptz,
        paused_at timestamptz,
        deleted_at timestamptz)""")
    op.execute(f"CREATE INDEX ix_cadences_list ON {S}.cadences (tenant_id, id DESC) WHERE state <> 'deleted'")
    # A lead entering a stage finds the cadences it enrols into.
    op.execute(
        f"CREATE INDEX ix_cadences_stage_trigger ON {S}.cadences (tenant_id, enrol_on_stage_id) "
        "WHERE state = 'active' AND enrol_on_stage_id IS NOT NULL"
    )
    op.execute(f"""CREATE TABLE {S}.cadence_steps (
        id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL,
        cadence_id uuid NOT NULL REFERENCES {S}.cadences (id) ON DELETE CASCADE,
        position integer NOT NULL CHECK (position >= 1),
        channel varchar(32) NOT NULL,
        channel_account_id uuid,
        content jsonb NOT NULL,
        delay_value integer NOT NULL CHECK (delay_value >= 0),
        delay_unit varchar(8) NOT NULL CHECK (delay_unit IN ('seconds', 'minutes', 'hours', 'days')),
        condition varchar(16) NOT NULL CHECK (condition IN ('always', 'no_reply', 'not_read', 'stage_is')),
        condition_stage_id uuid,
        condition_since varchar(16) NOT NULL DEFAULT 'enrolment',
        CONSTRAINT uq_cadence_steps_cadence_id_position UNIQUE (cadence_id, position))""")
    _enrolments()
    _sends()
    # The timer worker claims due enrolments of every tenant (and checks their cadence is active) in a system
    # context; steps, sends and the contact view stay tenant-only: it switches to each tenant to work.
    for table, system in (("cadences", True), ("cadence_steps", False), ("enrolments", True), ("cadence_sends", False)):
        for statement in tenant_rls_sql(S, table, allow_system=system):
            op.execute(statement)


def _enrolments() -> None:
    op.execute(f"""CREATE TABLE {S}.enrolments (
        id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL,
        cadence_id uuid NOT NULL REFERENCES {S}.cadences (id) ON DELETE CASCADE,
        contact_id uuid NOT NULL,
        state varchar(16) NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'completed', 'stopped')),
        source varchar(16) NOT NULL,
        next_position integer NOT NULL DEFAULT 1,
        next_run_at timestamptz,
        enrolled_at timestamptz NOT NULL DEFAULT now(),
        last_step_at timestamptz,
        last_reply_at timestamptz,
        stopped_at timestamptz,
        stop_reason varchar(32),
        completed_at timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now(),
        CHECK (state <> 'active' OR next_run_at IS NOT NULL))""")
    # One active enrolment per contact and cadence; a finished one may be followed by a new one.
    op.execute(
        f"CREATE UNIQUE INDEX uq_enrolments_active ON {S}.enrolments (cadence_id, contact_id) WHERE state = 'active'"
    )
    # The durable timer: the worker's scan reads this index only.
    op.execute(f"CREATE INDEX ix_enrolments_due ON {S}.enrolments (next_run_at) WHERE state = 'active'")
    op.execute(f"CREATE INDEX ix_enrolments_contact ON {S}.enrolments (tenant_id, contact_id) WHERE state = 'active'")
    op.execute(f"CREATE INDEX ix_enrolments_list ON {S}.enrolments (cadence_id, enrolled_at DESC, id DESC)")


def _sends() -> None:
    op.execute(f"""CREATE TABLE {S}.cadence_sends (
        id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL,
        cadence_id uuid NOT NULL REFERENCES {S}.cadences (id) ON DELETE CASCADE,
        enrolment_id uuid NOT NULL REFERENCES {S}.enrolments (id) ON DELETE CASCADE,
        step_id uuid NOT NULL REFERENCES {S}.cadence_steps (id) ON DELETE CASCADE,
        position integer NOT NULL,
        contact_id uuid NOT NULL,
        channel varchar(32) NOT NULL,
        dispatch_id uuid,
        state varchar(16) NOT NULL
            CHECK (state IN ('queued', 'sent', 'delivered', 'read', 'failed', 'unknown', 'skipped')),
        skip_reason varchar(32),
        error_code text,
        error_title text,
        created_at timestamptz NOT NULL DEFAULT now(),
        sent_at timestamptz,
        delivered_at timestamptz,
        read_at timestamptz,
        failed_at timestamptz,
        replied_at timestamptz,
        CONSTRAINT uq_cadence_sends_enrolment_id_step_id UNIQUE (enrolment_id, step_id),
        CONSTRAINT uq_cadence_sends_dispatch_id UNIQUE (dispatch_id))""")
    op.execute(f"CREATE INDEX ix_cadence_sends_stats ON {S}.cadence_sends (cadence_id, position)")
    op.execute(f"CREATE INDEX ix_cadence_sends_latest ON {S}.cadence_sends (enrolment_id, position DESC)")


def downgrade() -> None:
    for table in ("cadence_sends", "enrolments", "cadence_steps", "cadences"):
        op.execute(f"DROP TABLE {S}.{table}")
