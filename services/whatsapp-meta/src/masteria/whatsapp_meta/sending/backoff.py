"""Exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter").

Full jitter spreads the retries of many messages that failed together (a 5xx burst, a 429 wave)
over the whole interval instead of bunching them at its end, which is what makes a fleet of
retries stop hammering the provider in lockstep.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field


@dataclass
class Backoff:
    """Delay before retry ``n`` (1-based): uniform in [0, min(cap, base * 2 ** (n - 1))]."""

    base_s: float
    cap_s: float
    rng: random.Random = field(default_factory=random.Random)

    def ceiling(self, retry: int) -> float:
        """The upper bound of the delay before retry ``retry``."""
        exponent = min(max(retry, 1) - 1, 62)  # 2**62 s is already past any cap
        return float(min(self.cap_s, self.base_s * (2**exponent)))

    def delay(self, retry: int) -> float:
        """A delay drawn for retry ``retry``."""
        return self.rng.uniform(0.0, self.ceiling(retry))
