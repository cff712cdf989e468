"""Pacing of one campaign: a token bucket at its messages per second, and an in-flight window.

The bucket lives in the campaign row (``pace_tokens``, ``pace_at``) so replicas taking turns on a campaign
share it. The window caps recipients dispatched without a status yet (see ``Inflight``): when the channel is
slower than the pace asked, commands wait here, not in JetStream, which is what keeps a pause effective
within a second.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import datetime


def refill(tokens: float, last: datetime | None, now: datetime, rate: float) -> float:
    """Tokens after refilling since ``last`` at ``rate`` per second, capped at half a second's worth (min 1)."""
    capacity = max(1.0, rate * 0.5)
    if last is None:
        return min(capacity, 1.0)  # a (re)started campaign begins without a burst
    elapsed = max(0.0, (now - last).total_seconds())
    return min(capacity, tokens + elapsed * rate)


@dataclass
class Inflight:
    """The in-flight window of one campaign, adapted so that a dispatch gets its first status within ``target_s``.

    By Little's law the time to a first status is in-flight / status rate. While it stays under the target and
    the window is what holds the campaign back, the window grows (doubling per second); when it exceeds the
    target (commands are queueing downstream), the window shrinks. So the window settles at the largest size
    the channel absorbs without a queue, and a pause leaves at most ~``target_s`` of sends behind it, whatever
    the channel's speed. A fixed window (status rate x a constant) would instead collapse to the minimum
    whenever the pipeline's own latency exceeds that constant, e.g. on a busy machine.
    """

    minimum: int
    target_s: float
    window: float = 0.0
    rate: float = 0.0  # first statuses per second, smoothed over ~1 s
    _after: int | None = None  # in flight at the end of the previous tick, its dispatches included
    _at: float = field(default=0.0)

    def __post_init__(self) -> None:
        self.window = max(self.window, float(self.minimum))

    def observe(self, inflight_now: int, clock: float, cap: float) -> int:
        """Record the tick's in-flight count; returns how many more may be dispatched now (window <= cap)."""
        if self._after is not None and clock > self._at:
            dt = min(clock - self._at, 1.0)
            answered = max(0, self._after - inflight_now)
            self.rate += (1 - math.exp(-dt)) * (answered / (clock - self._at) - self.rate)
            latency = inflight_now / self.rate if self.rate > 0 else math.inf
            if latency > self.target_s and inflight_now > self.minimum:
                self.window = max(float(self.minimum), self.window * (1 - 0.5 * dt))
            elif latency <= self.target_s and self._after >= 0.9 * self.window:
                self.window *= 1 + dt
        self.window = min(self.window, max(float(self.minimum), cap))
        self._at = clock
        self._after = inflight_now
        return max(0, int(self.window) - inflight_now)

    def dispatched(self, n: int) -> None:
        """``n`` more recipients went out this tick."""
        if self._after is not None:
            self._after += n


def backoff_s(attempt: int, base: float, cap: float) -> float:
    """Full-jitter exponential backoff before retry number ``attempt`` (1 for the first retry)."""
    return random.uniform(0, min(cap, base * 2 ** (attempt - 1)))  # noqa: S311 - jitter, not a secret
