"""Alembic plumbing shared by every service: one schema and one history per service."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from alembic import command, context
from alembic.config import Config
from sqlalchemy import MetaData, pool, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from masteria.persistence.rls import create_schema_sql


def admin_url() -> str:
    """The migration URL: a role that owns the schemas (``DATABASE_ADMIN_URL``)."""
    url = os.environ.get("DATABASE_ADMIN_URL")
    if not url:
        raise RuntimeError("DATABASE_ADMIN_URL is not set: migrations run as the schema owner")
    return url


def run_env(target_metadata: MetaData, schema: str) -> None:
    """Body of every service's ``migrations/env.py``."""
    url = context.config.get_main_option("sqlalchemy.url") or admin_url()

    def do_run(connection: Connection) -> None:
        for statement in create_schema_sql(schema):
            connection.execute(text(statement))
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            version_table_schema=schema,
            include_schemas=True,
            include_name=lambda name, type_, _parent: type_ != "schema" or name == schema,
        )
        with context.begin_transaction():
            context.run_migrations()

    async def run_async() -> None:
        engine = create_async_engine(url, poolclass=pool.NullPool)
        async with engine.begin() as connection:
            await connection.run_sync(do_run)
        await engine.dispose()

    asyncio.run(run_async())


def upgrade(service_dir: Path, url: str | None = None, revision: str = "head") -> None:
    """Apply a service's migrations (blocking; call through ``asyncio.to_thread`` from async code)."""
    config = Config()
    config.set_main_option("script_location", str(service_dir / "migrations"))
    config.set_main_option("sqlalchemy.url", url or admin_url())
    command.upgrade(config, revision)
