"""``/api/v1/campaigns/uploads``: a CSV audience matched to the contacts by E.164 number.

The body is the CSV itself (``text/csv``) or a multipart form with a ``file``; options come as query
parameters (or form fields): ``phone_column`` (guessed from the header when left out), ``default_country``
for numbers written without ``+``, and a ``name``. The answer reports every row: matched, or unmatched
with its row number and reason (missing_phone, invalid_number, duplicate, unknown_contact).
"""

from __future__ import annotations

import asyncio
import heapq
import uuid
from datetime import datetime
from itertools import islice
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import UploadFile

from masteria.campaigns.access import writers
from masteria.campaigns.tables import Upload
from masteria.campaigns.tools import upload_store
from masteria.campaigns.tools.csvfile import CsvFileError, ParsedAudience, Rejected, parse
from masteria.campaigns.tools.phones import is_region
from masteria.campaigns.tools.settings import ToolsSettings, tools_settings
from masteria.contracts.ids import uuid7
from masteria.persistence.tenancy import tenant_session
from masteria.runtime import pagination as cursors
from masteria.runtime.auth import current_identity
from masteria.runtime.pagination import Page
from masteria.runtime.problems import Problem
from masteria.runtime.service import service_of
from masteria.security.internal_token import Identity

router = APIRouter(prefix="/api/v1/campaigns/uploads", tags=["campaigns"])
CSV_TYPES = ("text/csv", "text/plain", "application/csv", "application/vnd.ms-excel", "application/octet-stream")
_BODY_DOC: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {"type": "string", "format": "binary"},
                        "phone_column": {"type": "string"},
                        "default_country": {"type": "string"},
                        "name": {"type": "string"},
                    },
                }
            },
        },
    }
}


class UnmatchedRow(BaseModel):
    """A row that selects no contact."""

    row: int = Field(description="Row number as a spreadsheet shows it (the header is row 1).")
    phone: str = Field(description="The number as written, or in E.164 when it could be read.")
    reason: str = Field(description="missing_phone | invalid_number | duplicate | unknown_contact")
    detail: str | None = None


class UploadOut(BaseModel):
    """An uploaded audience and its report."""

    upload_id: uuid.UUID
    name: str | None
    rows: int = Field(description="Data rows of the file (blank lines are not rows).")
    matched: int = Field(description="Rows that selected a contact: the audience of this upload.")
    unmatched_count: int
    unmatched: list[UnmatchedRow] = Field(description="The first unmatched rows, in file order.")
    unmatched_truncated: bool = Field(description="True when more rows are unmatched than listed.")
    created_at: datetime


class UploadReport(UploadOut):
    """The answer to an upload: the report, and how the file was read."""

    phone_column: str | None = Field(description="The column read; null for a headerless list of numbers.")
    default_country: str = Field(description="The country of numbers written without +.")


def to_out(row: Upload) -> UploadOut:
    """The API shape of an upload."""
    unmatched_count = row.rows - row.matched
    return UploadOut(
        upload_id=row.id,
        name=row.filename,
        rows=row.rows,
        matched=row.matched,
        unmatched_count=unmatched_count,
        unmatched=[UnmatchedRow(**u) for u in row.unmatched],
        unmatched_truncated=unmatched_count > len(row.unmatched),
        created_at=row.created_at,
    )


async def _read_body(request: Request, limit: int) -> tuple[bytes, dict[str, str]]:
    """The file's bytes and the form's text fields; 413 past ``limit``, 415 for another media type."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type == "multipart/form-data":
        async with request.form(max_files=1) as form:
            file = form.get("file")
            if not isinstance(file, UploadFile):
                raise Problem(422, "Invalid request", "file: the form needs a file field", reason="file_missing")
            data = await file.read(limit + 1)
            fields = {k: v for k, v in form.items() if isinstance(v, str)}
            if file.filename and not fields.get("name"):
                fields["name"] = file.filename
    elif media_type in CSV_TYPES or not media_type:
        data, fields = await _read_stream(request, limit), {}
    else:
        raise Problem(415, "Unsupported media type", "send text/csv or multipart/form-data", reason="not_csv")
    if len(data) > limit:
        raise _too_large(limit)
    return data, fields


async def _read_stream(request: Request, limit: int) -> bytes:
    # Read no further than the limit: a huge body is refused without being held in memory.
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large(limit: int) -> Problem:
    return Problem(413, "File too large", f"an audience file takes at most {limit} bytes", reason="too_large")


def _unmatched(parsed: ParsedAudience, matched_rows: set[int], keep: int) -> list[dict[str, Any]]:
    # Rejected rows and numbers no contact has, both already in file order: merged, and only ``keep`` built.
    unknown = (
        Rejected(row, phone, "unknown_contact", "no contact has this number")
        for phone, row in zip(parsed.phones, parsed.phone_rows, strict=True)
        if row not in matched_rows
    )
    first = islice(heapq.merge(unknown, parsed.rejected, key=lambda r: r.row), keep)
    return [{"row": r.row, "phone": r.phone, "reason": r.reason, "detail": r.detail} for r in first]


async def store_upload(
    session: AsyncSession, tenant_id: uuid.UUID, parsed: ParsedAudience, *, name: str | None, keep: int
) -> Upload:
    """Save the upload with the contacts it matched and the first ``keep`` unmatched rows."""
    upload = Upload(id=uuid7(), tenant_id=tenant_id, filename=name, rows=parsed.rows, matched=0, unmatched=[])
    await upload_store.add_upload(session, upload)
    matched = await upload_store.match_contacts(session, tenant_id, upload.id, parsed.phones, parsed.phone_rows)
    upload.matched = len(matched)
    upload.unmatched = _unmatched(parsed, matched, keep)
    await session.flush()
    return upload


@router.post("", status_code=201, openapi_extra=_BODY_DOC)
async def upload_audience(
    request: Request,
    identity: Identity = Depends(writers),
    settings: ToolsSettings = Depends(tools_settings),
    phone_column: Annotated[str | None, Query(max_length=200, description="Column with the numbers")] = None,
    default_country: Annotated[str | None, Query(description="ISO country of numbers without +, e.g. BR")] = None,
    name: Annotated[str | None, Query(max_length=200)] = None,
) -> UploadReport:
    """Upload a CSV audience; the report says which rows matched a contact and why the others did not."""
    data, fields = await _read_body(request, settings.upload_max_bytes)
    column = fields.get("phone_column") or phone_column
    country = (fields.get("default_country") or default_country or settings.default_region).upper()
    if not is_region(country):
        raise Problem(
            422, "Invalid request", f"default_country: {country!r} is not a country", reason="invalid_country"
        )
    try:
        parsed = await asyncio.to_thread(
            parse, data, phone_column=column, default_region=country, max_rows=settings.upload_max_rows
        )
    except CsvFileError as exc:
        raise Problem(422, "Unusable file", exc.detail, reason=exc.reason) from exc
    svc = service_of(request)
    async with tenant_session(svc.sessions, identity.tenant_id) as session:
        upload = await store_upload(
            session, identity.tenant_id, parsed, name=fields.get("name") or name, keep=settings.upload_report_rows
        )
    out = to_out(upload)
    return UploadReport(**out.model_dump(), phone_column=parsed.phone_column, default_country=country)


@router.get("")
async def list_uploads(
    request: Request,
    identity: Identity = Depends(current_identity),
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: str | None = None,
) -> Page[UploadOut]:
    """The tenant's uploaded audiences, newest first."""
    after = cursors.decode_id(cursor)
    async with tenant_session(service_of(request).sessions, identity.tenant_id) as session:
        rows = await upload_store.upload_page(session, limit=limit + 1, after=after)
    page, more = rows[:limit], len(rows) > limit
    return Page[UploadOut](
        items=[to_out(r) for r in page], next_cursor=cursors.encode_id(page[-1].id) if more else None
    )


@router.get("/{upload_id}")
async def get_upload(
    upload_id: uuid.UUID, request: Request, identity: Identity = Depends(current_identity)
) -> UploadOut:
    """An uploaded audience and its report."""
    async with tenant_session(service_of(request).sessions, identity.tenant_id) as session:
        row = await upload_store.upload_by_id(session, upload_id)
    if row is None:
        raise Problem(404, "Not found", "no such upload", reason="upload_not_found")
    return to_out(row)
