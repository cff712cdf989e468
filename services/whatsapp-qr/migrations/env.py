"""Alembic environment of the whatsapp_qr schema."""

from masteria.persistence.migrations import run_env
from masteria.whatsapp_qr.tables import SCHEMA, Base

run_env(Base.metadata, SCHEMA)
