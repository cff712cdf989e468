"""Alembic environment of the gateway: its own schema, its own history."""

from masteria.gateway.database import SCHEMA, Base, load_models
from masteria.persistence.migrations import run_env

load_models()
run_env(Base.metadata, SCHEMA)
