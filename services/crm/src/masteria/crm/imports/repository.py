"""Every query of imports: the bulk upsert (one statement per batch, arrays unnested), progress, leases."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Row, Text, cast, delete, func, select, text, update
from sqlalchemy.dialects.postgresql import ARRAY, insert
from sqlalchemy.ext.asyncio import AsyncSession

from masteria.crm.rows import all_rows, first_row
from masteria.crm.tables import Contact, ContactImport, ContactImportError, ContactImportFile

contacts = Contact.__table__
imports = ContactImport.__table__
files = ContactImportFile.__table__
errors = ContactImportError.__table__

# One round trip for thousands of rows: each column travels as one array parameter.
_UPSERT = text("""
INSERT INTO crm.contacts AS c (id, tenant_id, phone, name, email, tags, custom_fields, created_at, updated_at)
SELECT u.id, :tenant_id, u.phone, u.name, u.email,
       ARRAY(SELECT jsonb_array_elements_text(u.tags)), u.custom_fields, :now, :now
  FROM unnest(CAST(:ids AS uuid[]), CAST(:phones AS text[]), CAST(:names AS text[]), CAST(:emails AS text[]),
              CAST(:tags AS jsonb[]), CAST(:fields AS jsonb[])) AS u(id, phone, name, email, tags, custom_fields)
ON CONFLICT (tenant_id, phone) DO UPDATE
   SET name = coalesce(excluded.name, c.name),
       email = coalesce(excluded.email, c.email),
       tags = excluded.tags,
       custom_fields = c.custom_fields || excluded.custom_fields,
       updated_at = excluded.updated_at
RETURNING c.id, c.phone, c.name, c.email, c.tags, c.custom_fields, (c.xmax = 0) AS inserted
""")


async def existing_contacts(session: AsyncSession, phones: list[str]) -> dict[str, Row[Any]]:
    """The tenant's contacts with these numbers, locked until the batch commits."""
    if not phones:
        return {}
    c = contacts.c
    # One array parameter rather than thousands of IN parameters: planned once, cheap to bind.
    stmt = (
        select(c.id, c.phone, c.name, c.email, c.tags, c.custom_fields)
        .where(c.phone == func.any(cast(phones, ARRAY(Text))))
        .order_by(c.id)
        .with_for_update()
    )
    return {r.phone: r for r in all_rows(await session.execute(stmt))}


async def upsert_contacts(
    session: AsyncSession, tenant_id: uuid.UUID, rows: list[dict[str, Any]], now: datetime
) -> list[Row[Any]]:
    """Insert or update contacts by phone; each returned row says whether it was inserted."""
    if not rows:
        return []
    params = {
        "tenant_id": tenant_id,
        "now": now,
        "ids": [r["id"] for r in rows],
        "phones": [r["phone"] for r in rows],
        "names": [r["name"] for r in rows],
        "emails": [r["email"] for r in rows],
        "tags": [json.dumps(r["tags"]) for r in rows],
        "fields": [json.dumps(r["custom_fields"]) for r in rows],
    }
    return all_rows(await session.execute(_UPSERT, params))


async def insert_errors(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """Record refused rows; a resumed batch that recorded them already changes nothing."""
    if rows:
        await session.execute(insert(errors).on_conflict_do_nothing(), rows)


async def create_import(session: AsyncSession, values: dict[str, Any], data: bytes) -> Row[Any]:
    """The import row and its file."""
    row = (await session.execute(insert(imports).values(**values).returning(*imports.c))).one()
    await session.execute(insert(files).values(import_id=row.id, tenant_id=row.tenant_id, data=data))
    return row


async def import_by_id(session: AsyncSession, import_id: uuid.UUID) -> Row[Any] | None:
    """One import, if the tenant has it."""
    return first_row(await session.execute(select(imports).where(imports.c.id == import_id)))


async def import_page(session: AsyncSession, *, limit: int, after: uuid.UUID | None) -> list[Row[Any]]:
    """The tenant's imports, newest first."""
    stmt = select(imports).order_by(imports.c.id.desc()).limit(limit)
    if after is not None:
        stmt = stmt.where(imports.c.id < after)
    return all_rows(await session.execute(stmt))


async def import_file(session: AsyncSession, import_id: uuid.UUID) -> bytes | None:
    """The uploaded bytes, until the import finishes."""
    return (await session.execute(select(files.c.data).where(files.c.import_id == import_id))).scalar_one_or_none()


async def advance(
    session: AsyncSession, import_id: uuid.UUID, *, from_row: int, values: dict[str, Any], lease: timedelta
) -> Row[Any] | None:
    """Record a batch's progress, only if nobody else moved the import meanwhile (None: another worker has it)."""
    stmt = (
        update(imports)
        .where(imports.c.id == import_id, imports.c.state == "running", imports.c.processed_rows == from_row)
        .values(**values, updated_at=func.now(), lease_until=func.now() + lease)
        .returning(*imports.c)
    )
    return first_row(await session.execute(stmt))


async def finish(session: AsyncSession, import_id: uuid.UUID, state: str, error: str | None = None) -> Row[Any] | None:
    """Completed or failed, for good; the file is no longer needed."""
    stmt = (
        update(imports)
        .where(imports.c.id == import_id, imports.c.state == "running")
        .values(state=state, error=error, finished_at=func.now(), updated_at=func.now())
        .returning(*imports.c)
    )
    row = first_row(await session.execute(stmt))
    await session.execute(delete(files).where(files.c.import_id == import_id))
    return row


async def claim_abandoned(session: AsyncSession, lease: timedelta) -> list[Row[Any]]:
    """Running imports whose worker stopped renewing its lease, taken over (system session: every tenant)."""
    stmt = (
        update(imports)
        .where(imports.c.state == "running", imports.c.lease_until < func.now())
        .values(lease_until=func.now() + lease, attempts=imports.c.attempts + 1)
        .returning(imports.c.id, imports.c.tenant_id, imports.c.attempts)
    )
    return all_rows(await session.execute(stmt))


async def release(session: AsyncSession, ids: list[uuid.UUID]) -> None:
    """Hand imports back at shutdown: the next worker resumes them at once, and it does not count as a failure."""
    if ids:
        stmt = (
            update(imports)
            .where(imports.c.id.in_(ids), imports.c.state == "running")
            .values(lease_until=func.now(), attempts=func.greatest(imports.c.attempts - 1, 0))
        )
        await session.execute(stmt)


async def error_page(session: AsyncSession, import_id: uuid.UUID, *, after_row: int, limit: int) -> list[Row[Any]]:
    """Refused rows in row order."""
    stmt = (
        select(errors.c.row_number, errors.c.reason)
        .where(errors.c.import_id == import_id, errors.c.row_number > after_row)
        .order_by(errors.c.row_number)
        .limit(limit)
    )
    return all_rows(await session.execute(stmt))
