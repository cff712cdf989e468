"""The whatsapp_qr schema's outbox and processed events, under RLS.

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
S = "whatsapp_qr"


def upgrade() -> None:
    for statement in messaging_tables_sql(S):
        op.execute(statement)
    for statement in tenant_rls_sql(S, "processed_events"):
        op.execute(statement)
    for statement in tenant_rls_sql(S, "outbox", allow_system=True):
        op.execute(statement)


def downgrade() -> None:
    op.execute(f"DROP TABLE {S}.outbox")
    op.execute(f"DROP TABLE {S}.processed_events")
