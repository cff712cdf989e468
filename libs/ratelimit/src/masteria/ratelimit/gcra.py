"""Generic Cell Rate Algorithm in Redis: one key, one atomic script, smooth limits with bursts.

GCRA keeps a single timestamp (the theoretical arrival time) per key instead of a window of
counters, so a limit is exact at any instant and costs one round trip.
"""

from __future__ import annotations

from dataclasses import dataclass

import redis.asyncio as aioredis

# KEYS[1] = key; ARGV = emission interval ms, burst tolerance ms, cost. Uses the server clock so
# that every replica agrees on time.
_SCRIPT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local interval = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local new_tat = tat + interval * cost
local allow_at = new_tat - tolerance
if allow_at > now then
  return {0, allow_at - now}
end
redis.call('SET', KEYS[1], new_tat, 'PX', math.ceil(new_tat - now) + 1000)
return {1, 0}
"""


@dataclass(frozen=True)
class Decision:
    """Whether the request may go now, and if not, how long to wait."""

    allowed: bool
    retry_after_s: float


class RateLimiter:
    """``rate`` events per ``period_s`` with bursts of up to ``burst`` events."""

    def __init__(self, redis: aioredis.Redis, *, rate: int, period_s: float, burst: int | None = None) -> None:
        if rate <= 0 or period_s <= 0:
            raise ValueError("rate and period must be positive")
        self.redis = redis
        self.interval_ms = period_s * 1000 / rate
        self.tolerance_ms = self.interval_ms * ((burst or rate) - 1) + self.interval_ms
        self._script = redis.register_script(_SCRIPT)

    async def hit(self, key: str, cost: int = 1) -> Decision:
        """Take ``cost`` tokens for ``key`` if the limit allows."""
        allowed, wait_ms = await self._script(keys=[key], args=[self.interval_ms, self.tolerance_ms, cost])
        return Decision(bool(allowed), float(wait_ms) / 1000)
