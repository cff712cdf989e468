"""A campaign's statistics (counts, rates, failures, skips, variants, a time series).

Counts come from the counters row (constant cost); the breakdowns are aggregates over the campaign's
recipients, computed when asked (a dashboard asks every few seconds, not per status).
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from masteria.campaigns import counters
from masteria.contracts.campaigns import RecipientCounts

MAX_BUCKETS = 720
_FAILURES = text("""
    SELECT coalesce(error_code, 'unknown') AS code, coalesce(error_title, '') AS title, count(*) AS n
      FROM campaigns.recipients WHERE campaign_id = :c AND state = 'failed'
     GROUP BY 1, 2 ORDER BY n DESC, code LIMIT 50
""")
_SKIPS = text("""
    SELECT skip_reason AS reason, count(*) AS n FROM campaigns.recipients
     WHERE campaign_id = :c AND state = 'skipped' GROUP BY 1 ORDER BY n DESC
""")
_VARIANTS = text("""
    SELECT variant, state, count(*) AS n, count(replied_at) AS replied FROM campaigns.recipients
     WHERE campaign_id = :c GROUP BY 1, 2 ORDER BY 1
""")
_SPAN = text("""
    SELECT min(queued_at) AS first, max(greatest(queued_at, sent_at, delivered_at, read_at, failed_at)) AS last
      FROM campaigns.recipients WHERE campaign_id = :c AND queued_at IS NOT NULL
""")
_SERIES = text("""
    SELECT date_bin(make_interval(secs => :bucket), x.at, :origin) AS bucket, x.kind, count(*) AS n
      FROM campaigns.recipients r
     CROSS JOIN LATERAL (VALUES (r.sent_at, 'sent'), (r.delivered_at, 'delivered'), (r.read_at, 'read'),
                                (r.failed_at, 'failed')) AS x(at, kind)
     WHERE r.campaign_id = :c AND r.queued_at IS NOT NULL AND x.at IS NOT NULL
     GROUP BY 1, 2 ORDER BY 1
""")


class Failure(BaseModel):
    """Recipients that failed with one error."""

    code: str
    title: str
    count: int


class VariantStats(BaseModel):
    """The counts of one variant."""

    name: str
    counts: RecipientCounts


class Point(BaseModel):
    """Recipients that reached each state during one bucket starting at ``t``."""

    t: datetime
    sent: int = 0
    delivered: int = 0
    read: int = 0
    failed: int = 0


class CampaignStats(BaseModel):
    """Everything the live campaign page shows."""

    counts: RecipientCounts
    delivery_rate: float = Field(description="Delivered (or read) over those with an outcome from the channel.")
    read_rate: float = Field(description="Read over delivered (or read).")
    reply_rate: float = Field(description="Replied over those the channel accepted.")
    failures: list[Failure]
    skipped: dict[str, int] = Field(description="Skipped recipients per reason.")
    variants: list[VariantStats]
    bucket_s: int
    series: list[Point]


async def campaign_stats(session: AsyncSession, campaign_id: uuid.UUID) -> CampaignStats:
    """The statistics of one campaign."""
    counts = await counters.read(session, campaign_id)
    accepted = counts.sent + counts.delivered + counts.read
    outcome = accepted + counts.failed + counts.unknown
    reached = counts.delivered + counts.read
    params = {"c": campaign_id}
    failures = [Failure(code=r.code, title=r.title, count=r.n) for r in await _all(session, _FAILURES, params)]
    skipped = {str(r.reason): int(r.n) for r in await _all(session, _SKIPS, params)}
    bucket_s, series = await _series(session, campaign_id)
    return CampaignStats(
        counts=counts,
        delivery_rate=_ratio(reached, outcome),
        read_rate=_ratio(counts.read, reached),
        reply_rate=_ratio(counts.replied, accepted),
        failures=failures,
        skipped=skipped,
        variants=await _variants(session, campaign_id),
        bucket_s=bucket_s,
        series=series,
    )


async def _variants(session: AsyncSession, campaign_id: uuid.UUID) -> list[VariantStats]:
    per: dict[str, dict[str, int]] = {}
    for row in await _all(session, _VARIANTS, {"c": campaign_id}):
        counts = per.setdefault(row.variant, {"total": 0, "replied": 0})
        counts[row.state] = int(row.n)
        counts["total"] += int(row.n)
        counts["replied"] += int(row.replied)
    return [VariantStats(name=name, counts=RecipientCounts(**c)) for name, c in per.items()]


async def _series(session: AsyncSession, campaign_id: uuid.UUID) -> tuple[int, list[Point]]:
    span = (await session.execute(_SPAN, {"c": campaign_id})).one()
    if span.first is None:
        return 10, []
    bucket = _bucket_s(span.last - span.first)
    rows = await _all(session, _SERIES, {"c": campaign_id, "bucket": bucket, "origin": span.first})
    points: dict[datetime, Point] = {}
    for row in rows:
        point = points.setdefault(row.bucket, Point(t=row.bucket))
        setattr(point, row.kind, int(row.n))
    return bucket, list(points.values())


def _bucket_s(span: timedelta) -> int:
    """10 s buckets, or a whole number of minutes when that would make too many."""
    seconds = span.total_seconds()
    if seconds <= 10 * MAX_BUCKETS:
        return 10
    minutes = int(seconds // (60 * MAX_BUCKETS)) + 1
    return 60 * minutes


def _ratio(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


async def _all(session: AsyncSession, statement: Any, params: dict[str, Any]) -> list[Any]:
    return list((await session.execute(statement, params)).all())
