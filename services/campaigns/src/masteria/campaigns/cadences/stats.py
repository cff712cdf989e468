"""Per-step figures of a cadence and where its enrolments stand (a few grouped scans of one cadence)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from masteria.campaigns.cadences import repository
from masteria.campaigns.cadences.schemas import CadenceStats, EnrolmentCounts, StepStats

s = repository.sends_t.c


async def cadence_stats(session: AsyncSession, cadence_id: uuid.UUID) -> CadenceStats:
    """The statistics page of one cadence."""
    steps = (await repository.steps_of(session, [cadence_id])).get(cadence_id, [])
    figures = {step.id: StepStats(step_id=step.id, position=step.position, channel=step.channel) for step in steps}
    await _sends(session, cadence_id, figures)
    await _skips(session, cadence_id, figures)
    states = (await repository.enrolment_states(session, [cadence_id])).get(cadence_id, {})
    return CadenceStats(
        steps=sorted(figures.values(), key=lambda f: f.position),
        enrolments=EnrolmentCounts(total=sum(states.values()), **states),
        stop_reasons=await _stop_reasons(session, cadence_id),
    )


async def _sends(session: AsyncSession, cadence_id: uuid.UUID, figures: dict[uuid.UUID, StepStats]) -> None:
    def where_state(*states: str) -> Any:
        return func.count().filter(s.state.in_(states))

    stmt = (
        select(
            s.step_id,
            # A send waiting for its retry is still on its way (a retried and delivered send counts once).
            where_state("queued", "retrying"),
            where_state("sent", "delivered", "read"),
            where_state("delivered", "read"),
            where_state("read"),
            where_state("failed"),
            where_state("unknown"),
            func.count().filter(s.replied_at.is_not(None)),
        )
        .where(s.cadence_id == cadence_id)
        .group_by(s.step_id)
    )
    for step_id, queued, sent, delivered, read, failed, unknown, replied in await session.execute(stmt):
        if step_id in figures:
            figures[step_id] = figures[step_id].model_copy(update={
                "queued": queued, "sent": sent, "delivered": delivered, "read": read, "failed": failed,
                "unknown": unknown, "replied": replied,
            })


async def _skips(session: AsyncSession, cadence_id: uuid.UUID, figures: dict[uuid.UUID, StepStats]) -> None:
    stmt = (
        select(s.step_id, s.skip_reason, func.count())
        .where(s.cadence_id == cadence_id, s.state == "skipped")
        .group_by(s.step_id, s.skip_reason)
    )
    skipped: dict[uuid.UUID, dict[str, int]] = defaultdict(dict)
    for step_id, reason, n in await session.execute(stmt):
        skipped[step_id][reason or "unknown"] = int(n)
    for step_id, reasons in skipped.items():
        if step_id in figures:
            by_condition = reasons.pop("condition", 0)
            figures[step_id] = figures[step_id].model_copy(update={"skipped_condition": by_condition,
                                                                    "skipped": reasons})


async def _stop_reasons(session: AsyncSession, cadence_id: uuid.UUID) -> dict[str, int]:
    e = repository.enrolments_t.c
    stmt = (
        select(e.stop_reason, func.count())
        .where(e.cadence_id == cadence_id, e.state == "stopped")
        .group_by(e.stop_reason)
    )
    return {str(reason): int(n) for reason, n in await session.execute(stmt)}
