"""Alembic environment of the voice schema."""

from masteria.persistence.migrations import run_env
from masteria.voice.tables import SCHEMA, Base

run_env(Base.metadata, SCHEMA)
