"""The sms schema's outbox and processed events, under RLS.

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

from alembic import op

from masteria.messaging.tables import messaging_schema_sql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None
S = "sms"


def upgrade() -> None:
    for statement in messaging_schema_sql(S):
        op.execute(statement)


def downgrade() -> None:
    op.execute(f"DROP TABLE {S}.outbox")
    op.execute(f"DROP TABLE {S}.processed_events")
