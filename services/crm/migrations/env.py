"""Alembic environment of the crm schema."""

from masteria.crm.tables import SCHEMA, Base
from masteria.persistence.migrations import run_env

run_env(Base.metadata, SCHEMA)
