"""How long a campaign's dispatches wait before the adapter sends them: the signal that paces the window.

A recipient's first status (``accepted``: the provider took it) carries the time it was sent; minus the
time we queued it, that is how long the command waited in the outbox, the broker and the adapter's queue.
That wait, not the time to the first status, is what a pause leaves behind: commands already handed to
the provider are gone, the ones still waiting go out after the pause. The time a status takes to come
back (webhooks, the broker, our consumer) is no part of it, which matters on a busy machine or with a
slow provider, where it alone can exceed the target.

Each process keeps its own estimate from the statuses its consumer applied; replicas each see a share
of a campaign's statuses, a fair sample of the same pipeline.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass

_SMOOTHING = 0.3  # weight of a new batch: recent, but one odd batch does not swing the window
STALE_S = 5.0  # an estimate older than this says nothing about the pipeline now


@dataclass
class _Estimate:
    seconds: float
    at: float


class SendLags:
    """Per campaign: a smoothed high percentile of the wait between queueing and sending."""

    def __init__(self) -> None:
        self._estimates: dict[uuid.UUID, _Estimate] = {}

    def observe(self, campaign_id: uuid.UUID, waits: list[float], clock: float | None = None) -> None:
        """Fold in the waits (seconds) of one batch of first statuses of ``campaign_id``."""
        if not waits:
            return
        ordered = sorted(waits)
        high = ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))]
        now = time.monotonic() if clock is None else clock
        known = self._estimates.get(campaign_id)
        seconds = high if known is None else known.seconds + _SMOOTHING * (high - known.seconds)
        self._estimates[campaign_id] = _Estimate(seconds, now)

    def current(self, campaign_id: uuid.UUID, clock: float | None = None) -> float | None:
        """The estimate, or None when there is none recent enough."""
        known = self._estimates.get(campaign_id)
        now = time.monotonic() if clock is None else clock
        if known is None or now - known.at > STALE_S:
            return None
        return known.seconds

    def forget(self, campaign_id: uuid.UUID) -> None:
        """Drop a finished campaign's estimate."""
        self._estimates.pop(campaign_id, None)
