"""The outbox and processed-event tables each service keeps in its own schema."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, LargeBinary, MetaData, PrimaryKeyConstraint, Table, Text, Uuid, func
from sqlalchemy.dialects.postgresql import JSONB

from masteria.persistence.rls import tenant_rls_sql


def outbox_table(metadata: MetaData) -> Table:
    """Rows written in the business transaction and published by the relay after commit."""
    return Table(
        "outbox",
        metadata,
        Column("id", Uuid, primary_key=True),  # the event id: UUIDv7, so ORDER BY id is FIFO
        Column("tenant_id", Uuid, nullable=False),
        Column("subject", Text, nullable=False),
        Column("payload", LargeBinary, nullable=False),
        Column("headers", JSONB, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    )


def processed_events_table(metadata: MetaData) -> Table:
    """Event ids a consumer has applied, so a redelivery has no second effect."""
    return Table(
        "processed_events",
        metadata,
        Column("consumer", Text, nullable=False),
        Column("event_id", Uuid, nullable=False),
        Column("tenant_id", Uuid, nullable=False),
        Column("processed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        PrimaryKeyConstraint("consumer", "event_id"),
    )


def messaging_tables_sql(schema: str) -> list[str]:
    """DDL for both tables, for a service's first migration."""
    return [
        f"""CREATE TABLE {schema}.outbox (
            id uuid PRIMARY KEY,
            tenant_id uuid NOT NULL,
            subject text NOT NULL,
            payload bytea NOT NULL,
            headers jsonb NOT NULL,
            created_at timestamptz NOT NULL DEFAULT now())""",
        f"""CREATE TABLE {schema}.processed_events (
            consumer text NOT NULL,
            event_id uuid NOT NULL,
            tenant_id uuid NOT NULL,
            processed_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (consumer, event_id))""",
    ]


def messaging_schema_sql(schema: str) -> list[str]:
    """Both tables with their RLS: the relay drains every tenant's outbox (system context)."""
    return [
        *messaging_tables_sql(schema),
        *tenant_rls_sql(schema, "processed_events"),
        *tenant_rls_sql(schema, "outbox", allow_system=True),
    ]
