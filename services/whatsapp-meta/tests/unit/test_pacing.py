"""The spacing rule behind "never more than the limit in any one second", and the tier table."""

from __future__ import annotations

import asyncio
import itertools

import pytest

from masteria.whatsapp_meta.sending.budgets import tier_limit
from masteria.whatsapp_meta.sending.pacing import NumberPacer, PacingConfig


@pytest.mark.parametrize("limit", [1, 10, 80, 1000])
def test_limit_plus_one_sends_always_span_more_than_a_second_plus_the_margin(limit: int) -> None:
    config = PacingConfig(margin_ms=50)
    span_us = config.interval_us(limit) * limit  # first to (limit + 1)-th send
    assert span_us >= 1_050_000 - 1e-6
    # ...and the pace stays within 5% of the limit.
    assert 1_000_000 / config.interval_us(limit) >= limit * 0.95


def test_tiers_map_to_unique_customers_per_day_and_unknown_ones_are_not_enforced() -> None:
    assert [tier_limit(t) for t in ("TIER_250", "TIER_1K", "TIER_2K", "TIER_10K", "TIER_100K")] == [
        250,
        1000,
        2000,
        10000,
        100000,
    ]
    assert tier_limit("TIER_UNLIMITED") is None
    assert tier_limit(None) is None
    assert tier_limit("tier_1k") == 1000


class _Book:
    """What a pacer reads from its slot book for departures (no Redis involved)."""

    def __init__(self, config: PacingConfig) -> None:
        self.config = config


async def test_late_sends_leave_one_interval_apart_not_in_a_burst() -> None:
    pacer = NumberPacer(_Book(PacingConfig(margin_ms=100)), "1")  # type: ignore[arg-type]
    loop = asyncio.get_running_loop()
    overdue = loop.time() - 1.0  # five sends whose slots passed while the loop was busy
    left = []
    for _ in range(5):
        await pacer.depart(overdue, 20)
        left.append(loop.time())
        pacer.arrived(0.001)
    gaps = [b - a for a, b in itertools.pairwise(left)]
    interval = 1.1 / 20
    catch_up = 0.1 / 4
    assert all(gap >= interval - catch_up - 0.002 for gap in gaps[1:]), gaps
    assert sum(gaps) >= 4 * interval - catch_up - 0.01


def test_sends_in_flight_are_capped_by_the_margin_when_answers_are_quick_and_by_latency_when_slow() -> None:
    pacer = NumberPacer(_Book(PacingConfig(margin_ms=100)), "1")  # type: ignore[arg-type]
    assert pacer.in_flight_cap(80) == 2  # a quarter of the margin's worth of sends
    assert pacer.in_flight_cap(1000) == 25
    for _ in range(10):
        pacer.in_flight += 1
        pacer.arrived(0.2)  # a distant Graph: 200 ms answers
    assert pacer.in_flight_cap(80) == 32  # 80/s needs 16 in flight; twice that for variance
