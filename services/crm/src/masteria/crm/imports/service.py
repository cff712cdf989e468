"""Starting an import and applying it batch by batch; each batch commits contacts, refused rows, progress and
events together, so a resumed import continues exactly after the last committed row."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from masteria.contracts.contacts import (
    ContactCreated,
    ContactImportProgressed,
    ContactSource,
    ContactUpdated,
    ImportState,
)
from masteria.contracts.envelope import Envelope
from masteria.contracts.ids import uuid7
from masteria.crm.contacts import fields
from masteria.crm.contacts.fields import FieldError
from masteria.crm.contacts.service import state
from masteria.crm.events import wrap
from masteria.crm.imports import repository
from masteria.crm.imports.csvfile import CsvFileError, CsvLayout, inspect
from masteria.crm.imports.rows import BadRow, ColumnMap, GoodRow, check_row, column_map, guess_mapping
from masteria.crm.imports.schemas import ImportOut
from masteria.messaging.outbox import Outbox


@dataclass(frozen=True)
class Upload:
    """What the client sent, checked."""

    data: bytes
    filename: str | None
    layout: CsvLayout
    mapping: dict[str, str]
    region: str
    tags: list[str]


@dataclass
class BatchCounts:
    """What one batch did."""

    imported: int = 0
    created: int = 0
    updated: int = 0
    failed: int = 0


def check_upload(
    data: bytes, filename: str | None, mapping_json: str | None, default_country: str, tags: list[str], max_rows: int
) -> Upload:
    """Read the header, resolve the mapping and count rows (CPU work: run it in a thread); FieldError names the
    field at fault."""
    try:
        layout = inspect(data)
    except CsvFileError as exc:
        raise FieldError("file", str(exc)) from exc
    if layout.total_rows > max_rows:
        raise FieldError("file", f"{layout.total_rows} rows is more than the {max_rows} an import takes")
    mapping = _mapping(mapping_json, layout.header)
    column_map(layout.header, mapping)
    region = fields.region(default_country)
    clean_tags = fields.tags((t for cell in tags for t in fields.split_tags(cell)), "tags")
    return Upload(data, filename, layout, mapping, region, clean_tags)


def _mapping(mapping_json: str | None, header: list[str]) -> dict[str, str]:
    if not mapping_json or not mapping_json.strip():
        guessed = guess_mapping(header)
        if "phone" not in guessed.values():
            raise FieldError("mapping", "no column looks like a phone number: send a mapping")
        return guessed
    try:
        mapping = json.loads(mapping_json)
    except json.JSONDecodeError as exc:
        raise FieldError("mapping", f"not JSON: {exc.msg}") from exc
    if not isinstance(mapping, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in mapping.items()):
        raise FieldError("mapping", 'an object of CSV column to target, e.g. {"Telefone": "phone"}')
    return {k.strip(): v.strip() for k, v in mapping.items()}


async def start_import(
    session: AsyncSession,
    outbox: Outbox,
    tenant_id: uuid.UUID,
    upload: Upload,
    *,
    created_by: uuid.UUID | None,
    lease: timedelta,
) -> Row[Any]:
    """Store the import with its file, leased to this process, and announce it at 0%."""
    now = datetime.now(UTC)
    values = {
        "id": uuid7(),
        "tenant_id": tenant_id,
        "state": ImportState.RUNNING.value,
        "filename": upload.filename,
        "mapping": upload.mapping,
        "default_country": upload.region,
        "tags": upload.tags,
        "encoding": upload.layout.encoding,
        "delimiter": upload.layout.delimiter,
        "total_rows": upload.layout.total_rows,
        "attempts": 1,
        "lease_until": now + lease,
        "created_by": created_by,
        "created_at": now,
        "updated_at": now,
    }
    row = await repository.create_import(session, values, upload.data)
    await outbox.add(session, wrap(progressed(row), tenant_id))
    return row


def progressed(row: Row[Any]) -> ContactImportProgressed:
    """The progress event of an import as it stands."""
    return ContactImportProgressed(
        import_id=row.id,
        state=ImportState(row.state),
        total_rows=row.total_rows,
        processed_rows=row.processed_rows,
        imported_rows=row.imported_rows,
        failed_rows=row.failed_rows,
        occurred_at=datetime.now(UTC),
    )


def to_out(row: Row[Any]) -> ImportOut:
    """The API shape of an import."""
    return ImportOut(
        id=row.id,
        state=ImportState(row.state),
        filename=row.filename,
        mapping=row.mapping,
        default_country=row.default_country,
        tags=list(row.tags),
        total_rows=row.total_rows,
        processed_rows=row.processed_rows,
        imported_rows=row.imported_rows,
        created_rows=row.created_rows,
        updated_rows=row.updated_rows,
        failed_rows=row.failed_rows,
        error=row.error,
        created_at=row.created_at,
        updated_at=row.updated_at,
        finished_at=row.finished_at,
        errors_url=f"/api/v1/contacts/imports/{row.id}/errors.csv",
    )


def take(
    records: Iterator[tuple[int, list[str]]], count: int, columns: ColumnMap, region: str, seen: dict[str, int]
) -> list[GoodRow | BadRow]:
    """Validate the next ``count`` records (CPU work: run it in a thread)."""
    batch: list[GoodRow | BadRow] = []
    for number, cells in records:
        batch.append(check_row(cells, number, columns, region, seen))
        if len(batch) == count:
            break
    return batch


async def apply_batch(
    session: AsyncSession,
    outbox: Outbox,
    tenant_id: uuid.UUID,
    job: Row[Any],
    batch: list[GoodRow | BadRow],
    *,
    announce: bool = True,
) -> BatchCounts:
    """Upsert the good rows by phone, record the bad ones, stage contact events (unless ``announce`` is off);
    returns the counts."""
    good = [r for r in batch if isinstance(r, GoodRow)]
    bad = [r for r in batch if isinstance(r, BadRow)]
    existing = await repository.existing_contacts(session, [g.phone for g in good])
    writes: list[dict[str, Any]] = []
    changed_by_phone: dict[str, list[str]] = {}
    unchanged = 0
    for g in good:
        write, changed, refused = _merge(g, existing.get(g.phone), list(job.tags))
        if refused is not None:
            bad.append(refused)
        elif write is None:
            unchanged += 1
        else:
            writes.append(write)
            if changed:  # an update; a new contact changes nothing
                changed_by_phone[g.phone] = changed
    now = datetime.now(UTC)
    # The events are built (a thread) while the database writes the contacts: both cores work. They are built
    # from the state the upsert will leave, known here; should a row race another writer, they are rebuilt.
    planned = asyncio.to_thread(_event_rows, outbox, tenant_id, writes if announce else [], changed_by_phone, now)
    returned, event_rows = await asyncio.gather(repository.upsert_contacts(session, tenant_id, writes, now), planned)
    if announce and any(r.inserted != (r.phone not in changed_by_phone) for r in returned):
        event_rows = [
            outbox.row(_event(r, r.inserted, changed_by_phone.get(r.phone), now, tenant_id)) for r in returned
        ]
    await outbox.write(session, event_rows)
    await repository.insert_errors(
        session,
        [{"import_id": job.id, "tenant_id": tenant_id, "row_number": b.number, "reason": b.reason} for b in bad],
    )
    created = sum(1 for r in returned if r.inserted)
    return BatchCounts(
        imported=len(returned) + unchanged, created=created, updated=len(returned) - created, failed=len(bad)
    )


def _event(
    contact: Row[Any] | dict[str, Any], created: bool, changed: list[str] | None, now: datetime, tenant_id: uuid.UUID
) -> Envelope[Any]:
    if created:
        return wrap(ContactCreated(**state(contact), source=ContactSource.IMPORT, created_at=now), tenant_id)
    changed = changed or ["name", "email", "tags", "custom_fields"]
    return wrap(ContactUpdated(**state(contact), changed=changed, updated_at=now), tenant_id)


def _event_rows(
    outbox: Outbox,
    tenant_id: uuid.UUID,
    writes: list[dict[str, Any]],
    changed_by_phone: dict[str, list[str]],
    now: datetime,
) -> list[dict[str, Any]]:
    """Outbox rows announcing each write as the upsert will leave it (CPU work: run it in a thread)."""
    return [
        outbox.row(
            _event(w["after"], w["phone"] not in changed_by_phone, changed_by_phone.get(w["phone"]), now, tenant_id)
        )
        for w in writes
    ]


def _merge(
    g: GoodRow, old: Row[Any] | None, import_tags: list[str]
) -> tuple[dict[str, Any] | None, list[str], BadRow | None]:
    """The write for a row (None when the contact already matches), what it changes, or why it is refused."""
    tags = list(dict.fromkeys([*(old.tags if old is not None else []), *g.tags, *import_tags]))
    if len(tags) > fields.MAX_TAGS:
        return None, [], BadRow(g.number, f"tags: the contact would have more than {fields.MAX_TAGS} tags")
    if old is None:
        write = {
            "id": uuid7(),
            "phone": g.phone,
            "name": g.name,
            "email": g.email,
            "tags": tags,
            "custom_fields": g.custom_fields,
        }
        write["after"] = dict(write)
        return write, [], None
    after = {
        "name": g.name or old.name,
        "email": g.email or old.email,
        "tags": tags,
        "custom_fields": {**(old.custom_fields or {}), **g.custom_fields},
    }
    before = {
        "name": old.name,
        "email": old.email,
        "tags": list(old.tags or []),
        "custom_fields": dict(old.custom_fields or {}),
    }
    changed = [k for k in after if after[k] != before[k]]
    if not changed:
        return None, [], None
    write = {
        "id": old.id,
        "phone": g.phone,
        "name": g.name,
        "email": g.email,
        "tags": tags,
        "custom_fields": g.custom_fields,
        "after": {"id": old.id, "phone": g.phone, **after},
    }
    return write, changed, None
