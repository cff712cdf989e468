"""Alembic environment of the sms schema."""

from masteria.persistence.migrations import run_env
from masteria.sms.tables import SCHEMA, Base

run_env(Base.metadata, SCHEMA)
