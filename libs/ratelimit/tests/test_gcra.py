"""The GCRA limiter against a real Redis: bursts up to the limit, then a steady rate."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis

from masteria.devstack.infra import ensure_infra
from masteria.ratelimit.gcra import RateLimiter

pytestmark = pytest.mark.integration


@pytest.fixture
async def redis() -> AsyncIterator[aioredis.Redis]:
    client = aioredis.from_url(ensure_infra().redis_url)
    yield client
    await client.aclose()


async def test_a_burst_passes_then_the_next_request_is_told_how_long_to_wait(redis: aioredis.Redis) -> None:
    limiter = RateLimiter(redis, rate=10, period_s=60, burst=5)
    key = f"test:{uuid.uuid4()}"
    decisions = [await limiter.hit(key) for _ in range(6)]
    assert [d.allowed for d in decisions] == [True] * 5 + [False]
    assert 5.0 < decisions[-1].retry_after_s <= 6.0  # one token every 6 s


async def test_keys_are_independent(redis: aioredis.Redis) -> None:
    limiter = RateLimiter(redis, rate=1, period_s=60, burst=1)
    a, b = f"test:{uuid.uuid4()}", f"test:{uuid.uuid4()}"
    assert (await limiter.hit(a)).allowed
    assert not (await limiter.hit(a)).allowed
    assert (await limiter.hit(b)).allowed


def test_nonsense_limits_are_refused() -> None:
    with pytest.raises(ValueError, match="positive"):
        RateLimiter(None, rate=0, period_s=1)  # type: ignore[arg-type]
