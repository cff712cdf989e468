"""Alembic environment of the whatsapp-meta schema."""

from masteria.persistence.migrations import run_env
from masteria.whatsapp_meta.tables import SCHEMA, Base

run_env(Base.metadata, SCHEMA)
