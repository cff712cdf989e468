"""Contacts created, changed and deleted through the API, each change published through the outbox."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from masteria.contracts.contacts import ContactCreated, ContactDeleted, ContactSource, ContactUpdated
from masteria.contracts.ids import uuid7
from masteria.crm.contacts import fields, repository
from masteria.crm.contacts.schemas import ConsentOut, ContactCreate, ContactOut, ContactPatch
from masteria.crm.errors import DuplicatePhoneError, NotFoundError
from masteria.crm.events import wrap
from masteria.messaging.outbox import Outbox

# Fields compared to say what a change changed (ContactUpdated.changed).
TRACKED = ("phone", "name", "email", "tags", "custom_fields")


class ContactNotFoundError(NotFoundError):
    """No such contact in the caller's tenant."""


def to_out(row: Row[Any]) -> ContactOut:
    """The API shape of a contact row."""
    return ContactOut(
        id=row.id,
        phone=row.phone,
        name=row.name,
        email=row.email,
        tags=list(row.tags or []),
        custom_fields=dict(row.custom_fields or {}),
        consent={ch: ConsentOut.model_validate(entry) for ch, entry in (row.consent or {}).items()},
        last_inbound_at={ch: datetime.fromisoformat(at) for ch, at in (row.last_inbound_at or {}).items()},
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def state(row: Row[Any] | dict[str, Any]) -> dict[str, Any]:
    """The ContactState fields of a contact (events carry the contact as it stands)."""
    get = row.get if isinstance(row, dict) else row._mapping.get
    return {
        "contact_id": get("id"),
        "phone": get("phone"),
        "name": get("name"),
        "email": get("email"),
        "tags": list(get("tags") or []),
        "custom_fields": dict(get("custom_fields") or {}),
    }


async def create_contact(
    session: AsyncSession,
    outbox: Outbox,
    tenant_id: uuid.UUID,
    body: ContactCreate,
    *,
    default_region: str,
    source: ContactSource,
) -> Row[Any]:
    """Insert a contact; DuplicatePhoneError names the existing one, FieldError the refused field."""
    region = fields.region(body.default_country) if body.default_country else default_region
    now = datetime.now(UTC)
    phone = fields.phone(body.phone, region)
    values = {
        "id": uuid7(),
        "tenant_id": tenant_id,
        "phone": phone,
        "name": fields.name(body.name),
        "email": fields.email(body.email),
        "tags": fields.tags(body.tags),
        "custom_fields": {k: v for k, v in fields.custom_fields(dict(body.custom_fields)).items() if v is not None},
        "created_at": now,
        "updated_at": now,
    }
    for _ in range(2):  # a second try only if the contact holding the number was deleted meanwhile
        row = await repository.insert_contact(session, values)
        if row is not None:
            break
        existing = await repository.contact_id_by_phone(session, phone)
        if existing is not None:
            raise DuplicatePhoneError(phone, existing)
    else:
        raise RuntimeError(f"{phone} kept changing hands while the contact was created")
    await outbox.add(session, wrap(ContactCreated(**state(row), source=source, created_at=now), tenant_id))
    return row


async def update_contact(
    session: AsyncSession,
    outbox: Outbox,
    tenant_id: uuid.UUID,
    contact_id: uuid.UUID,
    patch: ContactPatch,
    *,
    default_region: str,
) -> Row[Any]:
    """Apply the fields the patch names; publishes ContactUpdated naming what really changed."""
    current = await repository.contact_by_id(session, contact_id, lock=True)
    if current is None:
        raise ContactNotFoundError(contact_id)
    wanted = _patched_values(current, patch, default_region)
    changed = [k for k in TRACKED if k in wanted and wanted[k] != _value(current, k)]
    if not changed:
        return current
    if "phone" in changed:
        existing = await repository.contact_id_by_phone(session, wanted["phone"])
        if existing is not None:
            raise DuplicatePhoneError(wanted["phone"], existing)
    now = datetime.now(UTC)
    row = await repository.update_contact(session, contact_id, {**{k: wanted[k] for k in changed}, "updated_at": now})
    await outbox.add(session, wrap(ContactUpdated(**state(row), changed=changed, updated_at=now), tenant_id))
    return row


def _patched_values(current: Row[Any], patch: ContactPatch, default_region: str) -> dict[str, Any]:
    given = patch.model_fields_set
    region = fields.region(patch.default_country) if patch.default_country else default_region
    values: dict[str, Any] = {}
    if "phone" in given:
        values["phone"] = fields.phone(patch.phone, region)
    if "name" in given:
        values["name"] = fields.name(patch.name)
    if "email" in given:
        values["email"] = fields.email(patch.email)
    if "tags" in given:
        values["tags"] = fields.tags(patch.tags or [])
    if "custom_fields" in given:
        changes = fields.custom_fields(dict(patch.custom_fields or {}))
        values["custom_fields"] = fields.merge_fields(dict(current.custom_fields or {}), changes)
    return values


def _value(row: Row[Any], key: str) -> Any:
    value = getattr(row, key)
    if key == "tags":
        return list(value or [])
    if key == "custom_fields":
        return dict(value or {})
    return value


async def delete_contact(session: AsyncSession, outbox: Outbox, tenant_id: uuid.UUID, contact_id: uuid.UUID) -> None:
    """Delete a contact with its conversations, messages and notes; published as contact.deleted.

    The person's data goes with them (an erasure request is the usual reason): their threads leave the
    inbox at once, and consumers of the event drop the contact and send it nothing more.
    """
    row = await repository.contact_by_id(session, contact_id, lock=True)
    if row is None:
        raise ContactNotFoundError(contact_id)
    await repository.delete_contacts(session, [contact_id])
    deleted = ContactDeleted(contact_id=contact_id, phone=row.phone, occurred_at=datetime.now(UTC))
    await outbox.add(session, wrap(deleted, tenant_id))
