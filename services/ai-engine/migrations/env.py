"""Alembic environment of the ai_engine schema."""

from masteria.ai_engine.tables import SCHEMA, Base
from masteria.persistence.migrations import run_env

run_env(Base.metadata, SCHEMA)
