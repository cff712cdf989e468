"""``/api/v1/contacts/imports``: upload a CSV (202), follow it, download the rows it refused."""

from __future__ import annotations

import asyncio
import csv
import io
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import StreamingResponse
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from masteria.crm import cursors
from masteria.crm.access import writers
from masteria.crm.errors import NotFoundError
from masteria.crm.imports import repository, service
from masteria.crm.imports.schemas import ImportOut
from masteria.crm.problems import domain_errors
from masteria.crm.runtime import crm_of
from masteria.persistence.tenancy import tenant_session
from masteria.runtime.auth import current_identity
from masteria.runtime.pagination import Page
from masteria.runtime.problems import Problem
from masteria.runtime.service import service_of
from masteria.security.internal_token import Identity

router = APIRouter(prefix="/api/v1/contacts/imports", tags=["contacts"])
NOT_FOUND = "no such import"
_ERROR_PAGE = 5000


class ImportNotFoundError(NotFoundError):
    """No such import in the caller's tenant."""


@router.post("", status_code=202)
async def start_import(
    request: Request,
    identity: Identity = Depends(writers),
    file: UploadFile = File(description="CSV with a header row (UTF-8 or Windows-1252; , ; tab or | separated)"),
    mapping: Annotated[
        str | None,
        Form(
            description='JSON {"csv column": "phone|name|email|tags|custom:<field>"}; '
            "guessed from the header (telefone, nome, email, tags...) when left out",
        ),
    ] = None,
    default_country: Annotated[str | None, Form(description="For numbers without +country code, e.g. BR")] = None,
    tags: Annotated[list[str] | None, Form(description="Tags added to every imported contact")] = None,
) -> ImportOut:
    """Start importing in the background; follow ``GET /imports/{id}`` or the contact.import_progressed events."""
    svc, crm = service_of(request), crm_of(request)
    assert svc.outbox is not None
    settings = crm.settings
    data = await file.read(settings.import_max_bytes + 1)
    if len(data) > settings.import_max_bytes:
        raise Problem(413, "File too large", f"an import takes at most {settings.import_max_bytes} bytes")
    with domain_errors(NOT_FOUND):
        upload = await asyncio.to_thread(
            service.check_upload,
            data,
            file.filename,
            mapping,
            default_country or settings.default_region,
            tags or [],
            settings.import_max_rows,
        )
        async with tenant_session(svc.sessions, identity.tenant_id) as session:
            row = await service.start_import(
                session,
                svc.outbox,
                identity.tenant_id,
                upload,
                created_by=identity.user_id,
                lease=timedelta(seconds=settings.import_lease_s),
            )
    crm.imports.launch(identity.tenant_id, row.id)
    return service.to_out(row)


@router.get("")
async def list_imports(
    request: Request,
    identity: Identity = Depends(current_identity),
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: str | None = None,
) -> Page[ImportOut]:
    """The tenant's imports, newest first."""
    after = cursors.decode_id(cursor)
    async with tenant_session(service_of(request).sessions, identity.tenant_id) as session:
        rows = await repository.import_page(session, limit=limit + 1, after=after)
    page, more = rows[:limit], len(rows) > limit
    return Page[ImportOut](
        items=[service.to_out(r) for r in page], next_cursor=cursors.encode_id(page[-1].id) if more else None
    )


@router.get("/{import_id}")
async def get_import(
    import_id: uuid.UUID, request: Request, identity: Identity = Depends(current_identity)
) -> ImportOut:
    """An import and how far it got."""
    with domain_errors(NOT_FOUND):
        async with tenant_session(service_of(request).sessions, identity.tenant_id) as session:
            row = await repository.import_by_id(session, import_id)
            if row is None:
                raise ImportNotFoundError(import_id)
    return service.to_out(row)


@router.get("/{import_id}/errors.csv", response_class=StreamingResponse, responses={200: {"content": {"text/csv": {}}}})
async def import_errors(
    import_id: uuid.UUID, request: Request, identity: Identity = Depends(current_identity)
) -> StreamingResponse:
    """Each refused row: its row number (the header is row 1, as in a spreadsheet) and the reason."""
    svc = service_of(request)
    with domain_errors(NOT_FOUND):
        async with tenant_session(svc.sessions, identity.tenant_id) as session:
            if await repository.import_by_id(session, import_id) is None:
                raise ImportNotFoundError(import_id)
    return StreamingResponse(
        _errors_csv(svc.sessions, identity.tenant_id, import_id),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="import-{import_id}-errors.csv"'},
    )


async def _errors_csv(
    sessions: async_sessionmaker[AsyncSession], tenant_id: uuid.UUID, import_id: uuid.UUID
) -> AsyncIterator[str]:
    yield "row,reason\r\n"
    after = 0
    while True:
        async with tenant_session(sessions, tenant_id) as session:
            rows = await repository.error_page(session, import_id, after_row=after, limit=_ERROR_PAGE)
        if not rows:
            return
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\r\n").writerows([r.row_number, r.reason] for r in rows)
        yield buffer.getvalue()
        after = rows[-1].row_number
