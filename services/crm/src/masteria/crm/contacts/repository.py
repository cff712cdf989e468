"""Every contact query: bulk ones for the inbound path, keyset pages and single rows for the API."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Row,
    and_,
    cast,
    delete,
    exists,
    func,
    literal_column,
    not_,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB, insert
from sqlalchemy.ext.asyncio import AsyncSession

from masteria.contracts.ids import uuid7
from masteria.crm.rows import all_rows, first_row
from masteria.crm.search import like_pattern, phone_digits
from masteria.crm.tables import Contact, Conversation, ConversationNote, Message

contacts = Contact.__table__
conversations = Conversation.__table__
messages = Message.__table__
notes = ConversationNote.__table__
_ANY_OPTED_OUT: ColumnElement[Any] = literal_column("'$.* ? (@.allowed == false)'::jsonpath")


@dataclass(frozen=True)
class ContactFilters:
    """What the contact list and the export filter on.

    ``channel`` alone keeps contacts with a conversation on that channel; with ``opted_out`` it only
    says which channel's consent to look at. ``opted_out`` without a channel means "on any channel".
    """

    q: str | None = None
    tags: list[str] = field(default_factory=list)
    channel: str | None = None
    opted_out: bool | None = None


def filter_clauses(f: ContactFilters) -> list[ColumnElement[bool]]:
    """WHERE clauses for the filters (the tenant comes from RLS)."""
    c = contacts.c
    clauses: list[ColumnElement[bool]] = []
    if f.q:
        pattern = like_pattern(f.q)
        matches = [c.name.ilike(pattern, escape="\\"), c.email.ilike(pattern, escape="\\")]
        if digits := phone_digits(f.q):
            matches.append(c.phone.like(f"%{digits}%"))
        clauses.append(or_(*matches))
    if f.tags:
        clauses.append(c.tags.contains(f.tags))
    if f.opted_out is not None:
        if f.channel:
            opted: ColumnElement[bool] = c.consent.contains({f.channel: {"allowed": False}})
        else:
            opted = func.jsonb_path_exists(c.consent, _ANY_OPTED_OUT)
        clauses.append(opted if f.opted_out else not_(opted))
    elif f.channel:
        cv = conversations.c
        clauses.append(exists().where(and_(cv.contact_id == c.id, cv.channel == f.channel)))
    return clauses


async def contact_page(
    session: AsyncSession, f: ContactFilters, *, limit: int, after: uuid.UUID | None
) -> list[Row[Any]]:
    """Contacts newest first (ids are time ordered), filtered."""
    stmt = select(contacts).where(*filter_clauses(f)).order_by(contacts.c.id.desc()).limit(limit)
    if after is not None:
        stmt = stmt.where(contacts.c.id < after)
    return all_rows(await session.execute(stmt))


async def custom_field_names(session: AsyncSession, f: ContactFilters) -> list[str]:
    """Every custom field name the filtered contacts use (the export's extra columns)."""
    key = func.jsonb_object_keys(contacts.c.custom_fields).label("key")
    inner = select(key).where(*filter_clauses(f)).subquery()
    stmt = select(inner.c.key).distinct().order_by(inner.c.key)
    return list((await session.execute(stmt)).scalars())


async def contact_by_id(session: AsyncSession, contact_id: uuid.UUID, *, lock: bool = False) -> Row[Any] | None:
    """One contact, if the tenant has it; ``lock`` holds it until the transaction ends."""
    stmt = select(contacts).where(contacts.c.id == contact_id)
    if lock:
        stmt = stmt.with_for_update()
    return first_row(await session.execute(stmt))


async def contacts_by_ids(session: AsyncSession, ids: list[uuid.UUID], *, lock: bool = False) -> list[Row[Any]]:
    """Several contacts, in id order (the order locks are taken in, so merges cannot deadlock)."""
    stmt = select(contacts).where(contacts.c.id.in_(ids)).order_by(contacts.c.id)
    if lock:
        stmt = stmt.with_for_update()
    return all_rows(await session.execute(stmt))


async def contact_id_by_phone(session: AsyncSession, phone: str) -> uuid.UUID | None:
    """The id of the tenant's contact with this E.164 number."""
    return (await session.execute(select(contacts.c.id).where(contacts.c.phone == phone))).scalar_one_or_none()


async def insert_contact(session: AsyncSession, values: dict[str, Any]) -> Row[Any] | None:
    """Insert a contact; None when the number is taken (the caller reports the existing one)."""
    stmt = insert(contacts).values(**values).on_conflict_do_nothing().returning(*contacts.c)
    return first_row(await session.execute(stmt))


async def update_contact(session: AsyncSession, contact_id: uuid.UUID, values: dict[str, Any]) -> Row[Any]:
    """Apply ``values`` and return the contact after."""
    stmt = update(contacts).where(contacts.c.id == contact_id).values(**values).returning(*contacts.c)
    return (await session.execute(stmt)).one()


async def delete_contacts(session: AsyncSession, ids: list[uuid.UUID]) -> None:
    """Delete contacts with their conversations, messages and notes (a person's data goes with them)."""
    threads = select(conversations.c.id).where(conversations.c.contact_id.in_(ids)).scalar_subquery()
    await session.execute(delete(notes).where(notes.c.conversation_id.in_(threads)))
    await session.execute(delete(messages).where(messages.c.conversation_id.in_(threads)))
    await session.execute(delete(conversations).where(conversations.c.contact_id.in_(ids)))
    await session.execute(delete(contacts).where(contacts.c.id.in_(ids)))


async def tag_counts(session: AsyncSession, *, limit: int, after: str | None) -> list[Row[Any]]:
    """Tags in alphabetical order with how many contacts carry each."""
    tag = func.unnest(contacts.c.tags).label("tag")
    inner = select(tag).subquery()
    stmt = select(inner.c.tag, func.count().label("count")).group_by(inner.c.tag).order_by(inner.c.tag).limit(limit)
    if after is not None:
        stmt = stmt.where(inner.c.tag > after)
    return all_rows(await session.execute(stmt))


async def set_consent(session: AsyncSession, contact_id: uuid.UUID, channel: str, entry: dict[str, Any]) -> Row[Any]:
    """Replace one channel's consent entry; returns the contact after."""
    patch = func.jsonb_build_object(channel, cast(entry, JSONB))
    return await update_contact(
        session, contact_id, {"consent": contacts.c.consent.op("||")(patch), "updated_at": func.now()}
    )


# Created where missing, read where present, in one statement. The read uses the statement's snapshot, so a
# number another transaction inserted meanwhile is found by a second, later read (``ensure_contacts``).
_ENSURE = text("""
WITH wanted AS (
    SELECT * FROM unnest(CAST(:ids AS uuid[]), CAST(:phones AS text[]), CAST(:names AS text[])) AS w(id, phone, name)
), created AS (
    INSERT INTO crm.contacts (id, tenant_id, phone, name)
    SELECT id, CAST(:tenant AS uuid), phone, name FROM wanted
    ON CONFLICT DO NOTHING
    RETURNING id, phone
)
SELECT id, phone FROM created
UNION ALL
SELECT c.id, c.phone FROM crm.contacts c JOIN wanted w ON c.tenant_id = CAST(:tenant AS uuid) AND c.phone = w.phone
""")


async def ensure_contacts(
    session: AsyncSession, tenant_id: uuid.UUID, names_by_phone: dict[str, str | None]
) -> tuple[dict[str, uuid.UUID], set[str]]:
    """Ids of the contacts for these numbers, creating the missing ones; also the phones created now."""
    if not names_by_phone:
        return {}, set()
    phones = sorted(names_by_phone)
    proposed = {p: uuid7() for p in phones}
    params = {
        "tenant": tenant_id,
        "ids": [proposed[p] for p in phones],
        "phones": phones,
        "names": [names_by_phone[p] for p in phones],
    }
    ids = {r.phone: r.id for r in await session.execute(_ENSURE, params)}
    if missing := [p for p in phones if p not in ids]:  # created by a transaction that committed meanwhile
        found = await session.execute(select(contacts.c.id, contacts.c.phone).where(contacts.c.phone.in_(missing)))
        ids.update({r.phone: r.id for r in found})
    return ids, {p for p, i in ids.items() if i == proposed[p]}
