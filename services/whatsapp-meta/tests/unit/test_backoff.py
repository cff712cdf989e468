"""Exponential backoff with full jitter."""

from __future__ import annotations

import random

from masteria.whatsapp_meta.sending.backoff import Backoff


def test_the_ceiling_doubles_from_the_base_up_to_the_cap() -> None:
    backoff = Backoff(1.0, 60.0)
    assert [backoff.ceiling(n) for n in range(1, 9)] == [1, 2, 4, 8, 16, 32, 60, 60]
    assert backoff.ceiling(500) == 60


def test_delays_are_spread_over_the_whole_interval() -> None:
    backoff = Backoff(1.0, 60.0, random.Random(1))
    delays = [backoff.delay(4) for _ in range(2000)]
    assert all(0 <= d <= 8 for d in delays)
    assert min(delays) < 0.5, "full jitter reaches down to zero"
    assert max(delays) > 7.5, "and up to the ceiling"
    assert 3.5 < sum(delays) / len(delays) < 4.5
