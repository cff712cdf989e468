"""Templates keep why Meta rejected, paused or disabled them (from the sync and the account webhook).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-10
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None
S = "whatsapp_meta"


def upgrade() -> None:
    op.execute(f"ALTER TABLE {S}.templates ADD COLUMN status_reason text")


def downgrade() -> None:
    op.execute(f"ALTER TABLE {S}.templates DROP COLUMN status_reason")
