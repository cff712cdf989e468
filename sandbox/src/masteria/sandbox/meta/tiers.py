"""Meta's messaging limit: unique customers a number may reach outside their service window per 24 h.

A customer is counted from the first business-initiated send that reached them (a send accepted
while their customer service window was closed); they count once for 24 hours from that send, then
drop out (a moving window). Replies inside an open window never count. The limit is kept per number,
as the adapter counts it (Meta counts per business portfolio, shared by its numbers).
"""

import heapq
import threading
from dataclasses import dataclass, field
from typing import Literal

MessagingLimitTier = Literal["TIER_50", "TIER_250", "TIER_1K", "TIER_2K", "TIER_10K", "TIER_100K", "TIER_UNLIMITED"]

TIER_LIMITS: dict[str, int | None] = {
    "TIER_50": 50,
    "TIER_250": 250,
    "TIER_1K": 1_000,
    "TIER_2K": 2_000,
    "TIER_10K": 10_000,
    "TIER_100K": 100_000,
    "TIER_UNLIMITED": None,
}
DAY_S = 24 * 3600


def tier_limit(tier: str) -> int | None:
    """Unique customers per 24 h for a tier; None when unlimited."""
    return TIER_LIMITS[tier]


@dataclass
class _Reached:
    first: dict[str, float] = field(default_factory=dict)  # wa_id -> when it was first reached (unix)
    expiry: list[tuple[float, str]] = field(default_factory=list)  # heap of (first, wa_id)

    def prune(self, now: float) -> None:
        horizon = now - DAY_S
        while self.expiry and self.expiry[0][0] <= horizon:
            at, wa_id = heapq.heappop(self.expiry)
            if self.first.get(wa_id) == at:
                del self.first[wa_id]


@dataclass
class TierReach:
    """The customers each number reached in the last 24 h (business-initiated)."""

    _numbers: dict[str, _Reached] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def refuses(self, phone_number_id: str, wa_id: str, limit: int, now: float) -> bool:
        """Whether a business-initiated send to `wa_id` at `now` is beyond the limit (a new customer
        while `limit` others were reached in the last 24 h). Counts nothing: see `record`."""
        with self._lock:
            reached = self._numbers.get(phone_number_id)
            if reached is None:
                return limit <= 0
            reached.prune(now)
            return wa_id not in reached.first and len(reached.first) >= limit

    def record(self, phone_number_id: str, wa_id: str, at: float) -> None:
        """`wa_id` was reached at `at` (a customer already reached in the last 24 h keeps their time)."""
        with self._lock:
            reached = self._numbers.setdefault(phone_number_id, _Reached())
            reached.prune(at)
            if wa_id not in reached.first:
                reached.first[wa_id] = at
                heapq.heappush(reached.expiry, (at, wa_id))

    def count(self, phone_number_id: str, now: float) -> tuple[int, float | None]:
        """How many customers were reached in the last 24 h, and when the oldest drops out."""
        with self._lock:
            reached = self._numbers.get(phone_number_id)
            if reached is None:
                return 0, None
            reached.prune(now)
            oldest = min(reached.first.values(), default=None)
            return len(reached.first), None if oldest is None else oldest + DAY_S

    def forget(self, phone_number_id: str) -> None:
        """Drop a number's count (removed number, or a test starting afresh)."""
        with self._lock:
            self._numbers.pop(phone_number_id, None)
