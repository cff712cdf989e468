"""Cadence sends retry transient failures: the attempt number, a durable retry timer and the ``retrying`` state.

A send waiting for its retry is ``retrying`` with ``retry_at`` set and no dispatch id (late news of the
abandoned attempt matches nothing). The timer worker claims due retries across tenants, as it claims due
enrolments, so ``cadence_sends`` now admits the system context too.

Revision ID: 0004_cadence_retries
Revises: 0003_cadences
Create Date: 2026-11-27
"""

from alembic import op

from masteria.persistence.rls import tenant_rls_sql

revision = "0004_cadence_retries"
down_revision = "0003_cadences"
branch_labels = None
depends_on = None
S = "campaigns"
STATES = "'queued', 'sent', 'delivered', 'read', 'failed', 'unknown', 'skipped'"


def upgrade() -> None:
    op.execute(f"""ALTER TABLE {S}.cadence_sends
        ADD COLUMN attempt smallint NOT NULL DEFAULT 1 CHECK (attempt >= 1),
        ADD COLUMN retry_at timestamptz,
        DROP CONSTRAINT cadence_sends_state_check,
        ADD CONSTRAINT cadence_sends_state_check CHECK (state IN ({STATES}, 'retrying')),
        ADD CONSTRAINT cadence_sends_retry_timer CHECK ((state = 'retrying') = (retry_at IS NOT NULL))""")
    # The retry timer: the worker's scan reads this index only (it holds just the sends waiting to go again).
    op.execute(f"CREATE INDEX ix_cadence_sends_retry ON {S}.cadence_sends (retry_at) WHERE state = 'retrying'")
    for statement in tenant_rls_sql(S, "cadence_sends", allow_system=True):
        op.execute(statement)


def downgrade() -> None:
    for statement in tenant_rls_sql(S, "cadence_sends", allow_system=False):
        op.execute(statement)
    op.execute(f"DROP INDEX {S}.ix_cadence_sends_retry")
    # A send still waiting for its retry will not get it: it failed.
    op.execute(f"UPDATE {S}.cadence_sends SET state = 'failed', retry_at = NULL WHERE state = 'retrying'")  # noqa: S608
    op.execute(f"""ALTER TABLE {S}.cadence_sends
        DROP CONSTRAINT cadence_sends_retry_timer,
        DROP CONSTRAINT cadence_sends_state_check,
        ADD CONSTRAINT cadence_sends_state_check CHECK (state IN ({STATES})),
        DROP COLUMN retry_at,
        DROP COLUMN attempt""")
