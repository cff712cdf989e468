"""A tenant's time zone (IANA name), for schedules and dates the dashboard shows in the company's local time.

Existing tenants get the default; the API validates names against the server's zone database (a database
check cannot), so the column only bounds the length.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "gateway"
# Kept here rather than imported: a migration must not change when the code does.
DEFAULT_TIMEZONE = "America/Sao_Paulo"


def upgrade() -> None:
    """Add ``tenants.timezone``, filled with the default for every existing tenant."""
    op.add_column(
        "tenants",
        sa.Column("timezone", sa.String(64), nullable=False, server_default=DEFAULT_TIMEZONE),
        schema=SCHEMA,
    )


def downgrade() -> None:
    """Drop the column."""
    op.drop_column("tenants", "timezone", schema=SCHEMA)
