"""Contacts as CSV, streamed page by page (one short transaction each), with the list's filters.

The columns read back through the import: custom fields are ``custom:<field>`` columns, which the
import maps to themselves.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from masteria.crm.contacts import repository
from masteria.crm.contacts.repository import ContactFilters
from masteria.persistence.tenancy import tenant_session

BASE_COLUMNS = ["id", "phone", "name", "email", "tags"]
TAIL_COLUMNS = ["opted_out_channels", "created_at", "updated_at"]
_FORMULA_STARTS = frozenset("=+-@\t\r")


async def export_csv(
    sessions: async_sessionmaker[AsyncSession], tenant_id: uuid.UUID, filters: ContactFilters, page_rows: int
) -> AsyncIterator[str]:
    """The CSV text, a page of contacts at a time."""
    async with tenant_session(sessions, tenant_id) as session:
        custom = await repository.custom_field_names(session, filters)
    yield _lines([[*BASE_COLUMNS, *(f"custom:{name}" for name in custom), *TAIL_COLUMNS]])
    after: uuid.UUID | None = None
    while True:
        async with tenant_session(sessions, tenant_id) as session:
            rows = await repository.contact_page(session, filters, limit=page_rows, after=after)
        if not rows:
            return
        yield _lines([_cells(r, custom) for r in rows])
        if len(rows) < page_rows:
            return
        after = rows[-1].id


def _cells(row: Row[Any], custom: list[str]) -> list[str]:
    fields = row.custom_fields or {}
    opted_out = sorted(ch for ch, entry in (row.consent or {}).items() if not entry.get("allowed", True))
    return [
        str(row.id),
        row.phone,
        _safe(row.name or ""),
        _safe(row.email or ""),
        _safe(";".join(row.tags or [])),
        *(_safe(fields.get(name, "")) for name in custom),
        ";".join(opted_out),
        row.created_at.isoformat(),
        row.updated_at.isoformat(),
    ]


def _safe(value: str) -> str:
    # A cell starting with = + - @ is a formula to a spreadsheet: typed text must not run as one.
    return f"'{value}" if value[:1] in _FORMULA_STARTS else value


def _lines(rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue()
