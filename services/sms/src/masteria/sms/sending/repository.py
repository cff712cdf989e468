"""Queries on sends and on received status callbacks."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from masteria.persistence.base import utcnow
from masteria.sms.tables import Send, StatusReceipt


async def get_for_update(session: AsyncSession, command_id: uuid.UUID, attempt: int) -> Send | None:
    """A command's row, locked until the transaction ends (RLS scopes it to the tenant)."""
    stmt = select(Send).where(Send.command_id == command_id, Send.attempt == attempt).with_for_update()
    return (await session.scalars(stmt)).first()


async def claim_for_call(session: AsyncSession, values: dict[str, Any]) -> int | None:
    """Insert the row as ``sending``, or move a ``retry`` row to ``sending``; the tries count, or None.

    None means another delivery holds the command (it is ``sending`` or already settled), so this
    one must not call Twilio.
    """
    table = Send.__table__
    insert_row = insert(table).values({**values, "state": "sending", "tries": 1})
    stmt = insert_row.on_conflict_do_update(
        index_elements=[table.c.tenant_id, table.c.command_id, table.c.attempt],
        set_={
            "state": "sending",
            "tries": table.c.tries + 1,
            "event_id": insert_row.excluded.event_id,
            "sender_id": insert_row.excluded.sender_id,
            "updated_at": insert_row.excluded.updated_at,
        },
        where=table.c.state == "retry",
    ).returning(table.c.tries)
    tries: int | None = (await session.execute(stmt)).scalar()
    return tries


async def settle(session: AsyncSession, values: dict[str, Any]) -> Send:
    """Insert or overwrite a row in a final or ``retry`` state (the caller holds the command)."""
    row = {**values, "updated_at": utcnow()}
    insert_row = insert(Send).values(row)
    keep = {"tenant_id", "command_id", "attempt", "created_at"}
    stmt = insert_row.on_conflict_do_update(
        index_elements=[Send.tenant_id, Send.command_id, Send.attempt],
        set_={k: insert_row.excluded[k] for k in row if k not in keep},
    ).returning(Send)
    result = await session.scalars(stmt, execution_options={"populate_existing": True})
    send: Send = result.one()
    return send


async def lock_sid(session: AsyncSession, sid: str) -> None:
    """Serialise, until commit, the transactions about one MessageSid.

    A status callback and the send recording its MessageSid may run at the same moment; each must
    see the other's commit, or the callback is neither applied nor left for the send to apply.
    """
    await session.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"), {"key": f"sms:sid:{sid}"})


async def by_sid(session: AsyncSession, sid: str) -> Send | None:
    """The send Twilio knows as ``sid``, locked (a status and the send's own commit may race)."""
    stmt = select(Send).where(Send.sid == sid).with_for_update()
    return (await session.scalars(stmt)).first()


async def claim_receipt(session: AsyncSession, values: dict[str, Any]) -> bool:
    """Record a status callback; False when this (MessageSid, status) was received before."""
    table = StatusReceipt.__table__
    stmt = insert(table).values(values).on_conflict_do_nothing().returning(table.c.sid)
    return (await session.execute(stmt)).first() is not None


async def unapplied_receipts(session: AsyncSession, sid: str) -> list[StatusReceipt]:
    """Callbacks that came before the send recorded its MessageSid."""
    stmt = select(StatusReceipt).where(StatusReceipt.sid == sid, StatusReceipt.applied.is_(False))
    return list((await session.scalars(stmt)).all())


async def mark_applied(session: AsyncSession, sid: str, statuses: list[str]) -> None:
    """Receipts now reflected in the send's status."""
    if statuses:
        await session.execute(
            update(StatusReceipt)
            .where(StatusReceipt.sid == sid, StatusReceipt.status.in_(statuses))
            .values(applied=True)
        )
