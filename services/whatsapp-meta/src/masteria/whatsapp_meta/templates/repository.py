"""Queries on synced templates (RLS keeps them to the tenant)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Text, cast, delete, func, literal_column, or_, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from masteria.contracts.ids import uuid7
from masteria.whatsapp_meta.tables import Template

T = Template.__table__


async def upsert(session: AsyncSession, tenant_id: uuid.UUID, waba_id: str, rows: list[dict[str, Any]]) -> int:
    """Insert or refresh a WABA's templates; returns how many were new."""
    if not rows:
        return 0
    values = [{"id": uuid7(), "tenant_id": tenant_id, "waba_id": waba_id, **row} for row in rows]
    base = insert(T).values(values)
    stmt: Any = base.on_conflict_do_update(
        index_elements=[T.c.tenant_id, T.c.waba_id, T.c.name, T.c.language],
        set_={
            name: base.excluded[name]
            for name in (
                "meta_id",
                "category",
                "status",
                "status_reason",
                "parameter_format",
                "components",
                "quality_score",
                "synced_at",
            )
        },
    ).returning(literal_column("(xmax = 0)").label("inserted"))  # xmax is 0 on a fresh insert
    return sum(1 for row in (await session.execute(stmt)).all() if row.inserted)


async def remove_others(session: AsyncSession, waba_id: str, keep: list[tuple[str, str]]) -> int:
    """Delete the WABA's templates Meta no longer lists; returns how many went."""
    stmt = delete(T).where(T.c.waba_id == waba_id)
    if keep:
        stmt = stmt.where(tuple_(T.c.name, T.c.language).not_in(keep))
    result = await session.execute(stmt)
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def listing(
    session: AsyncSession,
    *,
    waba_id: str | None,
    status: str | None,
    q: str | None,
    category: str | None,
    after: tuple[str, str, uuid.UUID] | None,
    limit: int,
) -> list[Template]:
    """Templates by name and language, filtered, one page after ``after``."""
    stmt = select(Template).order_by(Template.name, Template.language, Template.id).limit(limit)
    if waba_id is not None:
        stmt = stmt.where(Template.waba_id == waba_id)
    if status:
        stmt = stmt.where(func.upper(Template.status) == status.upper())
    if category:
        stmt = stmt.where(func.upper(Template.category) == category.upper())
    if q:
        pattern = f"%{q.replace('%', '').replace('_', '')}%"
        stmt = stmt.where(or_(Template.name.ilike(pattern), cast(Template.components, Text).ilike(pattern)))
    if after is not None:
        stmt = stmt.where(tuple_(Template.name, Template.language, Template.id) > after)
    return list((await session.scalars(stmt)).all())


async def set_status(
    session: AsyncSession,
    waba_id: str,
    status: str | None,
    *,
    meta_id: str | None,
    name: str | None,
    language: str | None,
    reason: str | None = None,
    quality_score: str | None = None,
) -> int:
    """Apply what Meta announced for a template (by its Meta id, else by name and language): a new
    status with its reason, or (status None) only a new quality score."""
    values: dict[str, Any] = {"status": status[:32], "status_reason": reason} if status is not None else {}
    if quality_score is not None:
        values["quality_score"] = quality_score[:16]
    if not values:
        return 0
    stmt = update(T).where(T.c.waba_id == waba_id).values(**values)
    if meta_id:
        stmt = stmt.where(T.c.meta_id == meta_id)
    elif name and language:
        stmt = stmt.where(T.c.name == name, T.c.language == language)
    else:
        return 0
    result = await session.execute(stmt)
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def get(session: AsyncSession, template_id: uuid.UUID) -> Template | None:
    """One template of the tenant."""
    return await session.get(Template, template_id)


async def unsendable(session: AsyncSession, waba_id: str) -> list[tuple[str, str, str, str | None]]:
    """(name, language, status, reason) of the WABA's templates that are not APPROVED."""
    stmt = select(T.c.name, T.c.language, T.c.status, T.c.status_reason).where(
        T.c.waba_id == waba_id, func.upper(T.c.status) != "APPROVED"
    )
    return [(row.name, row.language, row.status, row.status_reason) for row in (await session.execute(stmt)).all()]
