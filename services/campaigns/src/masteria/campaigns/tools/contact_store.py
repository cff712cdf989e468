"""Reading contacts of the audience view for previews, estimates and test sends (never a whole audience)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import RowMapping, and_, func, not_, select
from sqlalchemy.ext.asyncio import AsyncSession

from masteria.campaigns.audience.filters import (
    AudienceCount,
    AudienceFilter,
    invalid_number,
    opted_out,
    where_clause,
)
from masteria.campaigns.tables import contacts
from masteria.contracts.channels import Channel


def _reachable(tenant_id: uuid.UUID, audience: AudienceFilter, channel: Channel) -> Any:
    # The contacts a launch would keep: in the audience, not opted out of the channel, with a valid number.
    return and_(
        contacts.c.tenant_id == tenant_id,
        where_clause(audience),
        not_(opted_out(contacts, channel)),
        not_(invalid_number(contacts)),
    )


async def count_reach(
    session: AsyncSession, tenant_id: uuid.UUID, audience: AudienceFilter, channel: Channel
) -> AudienceCount:
    """Total, sendable, opted out and invalid in one scan, each predicate evaluated once per contact.

    The same predicates as ``count_for_channel`` (so the same numbers as the launch's snapshot), grouped
    rather than filtered three times: the number check is a regular expression, the costly part of the scan.
    """
    refused, invalid = opted_out(contacts, channel).label("refused"), invalid_number(contacts).label("invalid")
    query = (
        select(refused, invalid, func.count())
        .where(contacts.c.tenant_id == tenant_id, where_clause(audience))
        .group_by(refused, invalid)
    )
    groups = {(bool(r), bool(i)): int(n) for r, i, n in (await session.execute(query)).all()}
    total = sum(groups.values())
    refused_n = groups.get((True, False), 0) + groups.get((True, True), 0)
    return AudienceCount(
        total=total,
        sendable=groups.get((False, False), 0),
        opted_out=refused_n,
        invalid=groups.get((False, True), 0),
    )


async def contact_by_id(session: AsyncSession, contact_id: uuid.UUID) -> RowMapping | None:
    """A live contact of the session's tenant."""
    query = select(contacts).where(contacts.c.contact_id == contact_id, not_(contacts.c.deleted))
    row: RowMapping | None = (await session.execute(query)).mappings().first()
    return row


async def contact_by_phone(session: AsyncSession, phone: str) -> RowMapping | None:
    """The live contact with this number (the most recently updated if two briefly share it)."""
    query = (
        select(contacts)
        .where(contacts.c.phone == phone, not_(contacts.c.deleted))
        .order_by(contacts.c.updated_at.desc())
        .limit(1)
    )
    row: RowMapping | None = (await session.execute(query)).mappings().first()
    return row


async def first_reachable(
    session: AsyncSession, tenant_id: uuid.UUID, audience: AudienceFilter, channel: Channel, limit: int
) -> Sequence[RowMapping]:
    """The first ``limit`` contacts of the audience a launch would message, oldest first."""
    query = select(contacts).where(_reachable(tenant_id, audience, channel)).order_by(contacts.c.contact_id)
    rows: Sequence[RowMapping] = (await session.execute(query.limit(limit))).mappings().all()
    return rows


async def sample_reachable(
    session: AsyncSession, tenant_id: uuid.UUID, audience: AudienceFilter, channel: Channel, size: int, reachable: int
) -> Sequence[RowMapping]:
    """About ``size`` contacts drawn at random among the ``reachable`` ones of the audience (all when few).

    Each contact is drawn with probability ~size/reachable in the scan that filters the audience: no sort.
    The draw comes first (the subquery is a fence) so the consent and number checks run on the few drawn,
    not on the million.
    """
    drawn = select(contacts).where(contacts.c.tenant_id == tenant_id, where_clause(audience))
    if reachable > size:
        drawn = drawn.where(func.random() < size * 1.1 / reachable)
    sample = drawn.offset(0).subquery("drawn")  # OFFSET 0 keeps the planner from merging the two levels
    query = select(sample).where(not_(opted_out(sample, channel)), not_(invalid_number(sample))).limit(size)
    rows: Sequence[RowMapping] = (await session.execute(query)).mappings().all()
    return rows
