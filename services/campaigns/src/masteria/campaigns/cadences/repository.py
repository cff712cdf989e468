"""Every query of the cadences API: cadences and steps, set-based enrolment, enrolment lists and stops."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from itertools import groupby
from typing import Any

from sqlalchemy import (
    ColumnElement,
    DateTime,
    Integer,
    Row,
    String,
    Uuid,
    delete,
    exists,
    func,
    insert,
    literal,
    not_,
    select,
    text,
    tuple_,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import Text

from masteria.campaigns.cadences.models import Cadence, CadenceSend, CadenceStep, Enrolment
from masteria.campaigns.tables import contacts
from masteria.persistence.tenancy import set_tenant

cadences_t = Cadence.__table__
steps_t = CadenceStep.__table__
enrolments_t = Enrolment.__table__
sends_t = CadenceSend.__table__
ALL_CHANNELS = "*"
_SYSTEM_ON = text("SELECT set_config('app.system', 'on', true)")
_SYSTEM_OFF = text("SELECT set_config('app.system', 'off', true)")


async def claim_across_tenants(session: AsyncSession, claim: Any, params: dict[str, Any]) -> list[Row[Any]]:
    """Run a timer's claim in the system context (due work of every tenant); the rest runs per tenant."""
    await session.execute(_SYSTEM_ON)
    claimed = list((await session.execute(claim, params)).all())
    await session.execute(_SYSTEM_OFF)
    return claimed


async def each_tenant(
    session: AsyncSession, claimed: list[Row[Any]], work: Callable[[uuid.UUID, list[uuid.UUID]], Awaitable[None]]
) -> None:
    """``work`` on each tenant's share of rows claimed across tenants (their ``id``s), in that tenant's context."""
    for tenant_id, group in groupby(sorted(claimed, key=lambda r: r.tenant_id.int), key=lambda r: r.tenant_id):
        await set_tenant(session, tenant_id)
        await work(tenant_id, [r.id for r in group])


async def insert_cadence(session: AsyncSession, values: dict[str, Any]) -> None:
    """Store a new cadence."""
    await session.execute(insert(cadences_t).values(**values))


async def replace_steps(session: AsyncSession, cadence_id: uuid.UUID, steps: list[dict[str, Any]]) -> None:
    """Store ``steps`` as the cadence's whole sequence."""
    await session.execute(delete(steps_t).where(steps_t.c.cadence_id == cadence_id))
    if steps:
        await session.execute(insert(steps_t), steps)


async def cadence_by_id(session: AsyncSession, cadence_id: uuid.UUID, *, for_update: bool = False) -> Row[Any] | None:
    """A cadence that is not deleted; locked when it is about to change."""
    stmt = select(cadences_t).where(cadences_t.c.id == cadence_id, cadences_t.c.state != "deleted")
    if for_update:
        stmt = stmt.with_for_update()
    row: Row[Any] | None = (await session.execute(stmt)).first()
    return row


async def cadence_page(
    session: AsyncSession, *, limit: int, before: uuid.UUID | None, state: str | None
) -> list[Row[Any]]:
    """Cadences newest first, after the cursor."""
    stmt = select(cadences_t).where(cadences_t.c.state != "deleted").order_by(cadences_t.c.id.desc()).limit(limit)
    if before is not None:
        stmt = stmt.where(cadences_t.c.id < before)
    if state is not None:
        stmt = stmt.where(cadences_t.c.state == state)
    return list((await session.execute(stmt)).all())


async def steps_of(session: AsyncSession, cadence_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[Row[Any]]]:
    """Each cadence's steps in order."""
    stmt = select(steps_t).where(steps_t.c.cadence_id.in_(cadence_ids)).order_by(steps_t.c.position)
    found: dict[uuid.UUID, list[Row[Any]]] = defaultdict(list)
    for row in await session.execute(stmt):
        found[row.cadence_id].append(row)
    return found


async def enrolment_states(session: AsyncSession, cadence_ids: list[uuid.UUID]) -> dict[uuid.UUID, dict[str, int]]:
    """How many enrolments each cadence has in each state."""
    e = enrolments_t.c
    stmt = select(e.cadence_id, e.state, func.count()).where(e.cadence_id.in_(cadence_ids)).group_by(
        e.cadence_id, e.state
    )
    found: dict[uuid.UUID, dict[str, int]] = defaultdict(dict)
    for cadence_id, state, n in await session.execute(stmt):
        found[cadence_id][state] = int(n)
    return found


async def update_cadence(session: AsyncSession, cadence_id: uuid.UUID, values: dict[str, Any]) -> None:
    """Change a cadence's columns."""
    await session.execute(update(cadences_t).where(cadences_t.c.id == cadence_id).values(**values))


async def ever_enrolled(session: AsyncSession, cadence_id: uuid.UUID) -> bool:
    """Whether anybody was ever enrolled (then its steps are history and may not change)."""
    stmt = select(exists().where(enrolments_t.c.cadence_id == cadence_id))
    return bool((await session.execute(stmt)).scalar_one())


async def stop_where(session: AsyncSession, condition: ColumnElement[bool], reason: str, now: datetime) -> int:
    """Stop the active enrolments matching ``condition``; a stopped enrolment never sends again."""
    e = enrolments_t.c
    stmt = (
        update(enrolments_t)
        .where(e.state == "active", condition)
        .values(state="stopped", stop_reason=reason, stopped_at=now, next_run_at=None, updated_at=now)
    )
    result = await session.execute(stmt)
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class EnrolCounts:
    """What a set-based enrolment found: contacts matching, those allowed, those newly enrolled."""

    matching: int
    eligible: int
    enrolled: int


async def enrol_matching(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    cadence_id: uuid.UUID,
    *,
    audience: ColumnElement[bool],
    refused_channels: list[str],
    source: str,
    first_run_at: datetime,
    now: datetime,
) -> EnrolCounts:
    """Enrol every contact the predicate keeps, in one statement, whatever the audience's size.

    Contacts without a number are not matching; those who refused a channel the cadence uses (or every
    channel) are not eligible; those already actively enrolled are left as they are.
    """
    c = contacts.c
    candidates = (
        select(c.contact_id, c.opted_out)
        .where(c.tenant_id == tenant_id, audience, c.phone.is_not(None))
        .cte("candidates")
    )
    refused = literal([ALL_CHANNELS, *refused_channels], ARRAY(Text))
    eligible = select(candidates.c.contact_id).where(not_(candidates.c.opted_out.overlap(refused))).cte("eligible")
    rows = select(
        func.gen_random_uuid(),
        literal(tenant_id, Uuid),
        literal(cadence_id, Uuid),
        eligible.c.contact_id,
        literal("active", String),
        literal(source, String),
        literal(1, Integer),
        literal(first_run_at, DateTime(timezone=True)),
        literal(now, DateTime(timezone=True)),
        literal(now, DateTime(timezone=True)),
    )
    e = enrolments_t.c
    columns = ["id", "tenant_id", "cadence_id", "contact_id", "state", "source", "next_position", "next_run_at",
               "enrolled_at", "updated_at"]
    inserted = (
        pg_insert(enrolments_t)
        .from_select(columns, rows)
        .on_conflict_do_nothing(index_elements=[e.cadence_id, e.contact_id], index_where=e.state == "active")
        .returning(e.id)
        .cte("inserted")
    )
    stmt = select(
        select(func.count()).select_from(candidates).scalar_subquery(),
        select(func.count()).select_from(eligible).scalar_subquery(),
        select(func.count()).select_from(inserted).scalar_subquery(),
    )
    matching, allowed, enrolled = (await session.execute(stmt)).one()
    return EnrolCounts(int(matching), int(allowed), int(enrolled))


def _enrolment_columns() -> list[Any]:
    return [*enrolments_t.c, contacts.c.phone, contacts.c.name]


async def enrolment_page(
    session: AsyncSession,
    cadence_id: uuid.UUID,
    *,
    state: str | None,
    limit: int,
    before: tuple[datetime, uuid.UUID] | None,
) -> list[Row[Any]]:
    """A cadence's enrolments, newest first, with the contact's number and name."""
    e = enrolments_t.c
    stmt = (
        select(*_enrolment_columns())
        .select_from(enrolments_t.outerjoin(contacts, contacts.c.contact_id == e.contact_id))
        .where(e.cadence_id == cadence_id)
        .order_by(e.enrolled_at.desc(), e.id.desc())
        .limit(limit)
    )
    if state is not None:
        stmt = stmt.where(e.state == state)
    if before is not None:
        stmt = stmt.where(tuple_(e.enrolled_at, e.id) < tuple_(literal(before[0]), literal(before[1])))
    return list((await session.execute(stmt)).all())


async def enrolment_by_id(session: AsyncSession, cadence_id: uuid.UUID, enrolment_id: uuid.UUID) -> Row[Any] | None:
    """One enrolment of a cadence, with the contact's number and name."""
    e = enrolments_t.c
    stmt = (
        select(*_enrolment_columns())
        .select_from(enrolments_t.outerjoin(contacts, contacts.c.contact_id == e.contact_id))
        .where(e.cadence_id == cadence_id, e.id == enrolment_id)
    )
    return (await session.execute(stmt)).first()
