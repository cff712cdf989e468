"""Alembic environment of the campaigns schema."""

from masteria.campaigns.tables import SCHEMA, Base
from masteria.persistence.migrations import run_env

run_env(Base.metadata, SCHEMA)
