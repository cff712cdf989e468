"""The pair rate per customer and the messaging tier's budget of unique customers per 24 hours, in Redis.

Tier budget: Meta limits how many unique customers a business reaches *outside* a customer
service window in a moving 24 hours (TIER_250 ... TIER_UNLIMITED). We count, per number, the
customers a template went to while their window was closed (business-initiated conversations);
replies inside an open window are never counted. A customer already counted in the last 24 h does
not count again. When the budget is used up the send is not attempted: it fails at once with
``tier_limit`` (classified transient, with the time the budget frees up in the detail) so that the
campaign, which owns schedules, pauses and retry policy, decides when to try again instead of the
adapter holding thousands of sends for hours where a pause could not reach them.

The budget is kept per number (Meta counts per business portfolio): exact for a portfolio with one
number, and never stricter than the tier Graph reports for the number.
"""

from __future__ import annotations

from dataclasses import dataclass

import redis.asyncio as aioredis

from masteria.ratelimit.gcra import RateLimiter

TIER_LIMITS: dict[str, int | None] = {
    "TIER_50": 50,
    "TIER_250": 250,
    "TIER_1K": 1_000,
    "TIER_2K": 2_000,
    "TIER_10K": 10_000,
    "TIER_100K": 100_000,
    "TIER_UNLIMITED": None,
    "UNLIMITED": None,
}
DAY_MS = 24 * 3600 * 1000

# KEYS[1] = sorted set of customers reached (score: first send in the window, ms).
# ARGV = window ms, limit, customer. Returns {allowed, ms until a place frees up}.
_TIER = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZSCORE', KEYS[1], ARGV[3]) then return {1, 0} end
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return {0, tonumber(oldest[2]) + window - now}
end
redis.call('ZADD', KEYS[1], now, ARGV[3])
redis.call('PEXPIRE', KEYS[1], window)
return {1, 0}
"""


def tier_limit(tier: str | None) -> int | None:
    """Unique customers per 24 h for a tier; None when unlimited or unknown (not enforced)."""
    if tier is None:
        return None
    return TIER_LIMITS.get(tier.upper())


@dataclass(frozen=True)
class TierDecision:
    """Whether a business-initiated send fits the budget, and when a place frees up if not."""

    allowed: bool
    retry_after_s: float
    limit: int | None


class Budgets:
    """Pair rate and tier budget of every number."""

    def __init__(self, redis: aioredis.Redis, *, pair_burst: int, pair_period_s: float) -> None:
        self.redis = redis
        self.pair = RateLimiter(redis, rate=1, period_s=pair_period_s, burst=pair_burst)
        self._tier = redis.register_script(_TIER)

    async def pair_wait(self, phone_number_id: str, customer: str) -> float:
        """Seconds until this customer may get another message (0: now, and the message is counted)."""
        decision = await self.pair.hit(f"wameta:pair:{phone_number_id}:{customer}")
        return 0.0 if decision.allowed else max(decision.retry_after_s, 0.001)

    async def reach(self, phone_number_id: str, tier: str | None, customer: str) -> TierDecision:
        """Count a business-initiated conversation with ``customer`` against the number's tier."""
        limit = tier_limit(tier)
        if limit is None:
            return TierDecision(True, 0.0, None)
        allowed, wait_ms = await self._tier(keys=[f"wameta:tier:{phone_number_id}"], args=[DAY_MS, limit, customer])
        return TierDecision(bool(int(allowed)), float(wait_ms) / 1000, limit)
