"""How a simulated number behaves: status timing, limits, faults; and the per-number state that plays it."""

import random
from collections import deque
from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from masteria.sandbox.meta.tiers import MessagingLimitTier

StatusName = Literal["sent", "delivered", "read"]
Fault = Literal["429", "5xx", "timeout"]
Refusal = Literal["throughput", "pair"]


def _default_statuses() -> list[StatusName]:
    return ["sent", "delivered"]


class PairLimit(BaseModel):
    """Meta's pair rate: a bucket of `burst` messages per recipient, one refilled every `per_seconds`."""

    model_config = ConfigDict(extra="forbid")

    burst: int = Field(default=45, ge=1, le=10_000)
    per_seconds: float = Field(default=6.0, gt=0, le=86_400)


class Behaviour(BaseModel):
    """Everything `PUT /_sandbox/meta/numbers/{id}/behaviour` sets; omitted fields take these defaults."""

    model_config = ConfigDict(extra="forbid")

    # Status i of `statuses` goes out (i + 1) * status_delay_ms after the send.
    status_delay_ms: int = Field(default=200, ge=0, le=3_600_000)
    statuses: list[StatusName] = Field(default_factory=_default_statuses)
    # A `read` status this long after the send; None: the customer never reads.
    read_after_ms: int | None = Field(default=None, ge=0, le=3_600_000)
    # Batching of status webhooks: at most one POST per flush interval (unless a batch fills up),
    # at most `status_batch_max` statuses per POST, at most `status_concurrency` POSTs in flight.
    status_flush_ms: int = Field(default=50, ge=0, le=60_000)
    status_batch_max: int = Field(default=100, ge=1, le=1_000)
    status_concurrency: int = Field(default=4, ge=1, le=64)
    # Accepted sends in any one second beyond this get 130429 and are not recorded.
    mps_limit: int | None = Field(default=None, ge=1, le=100_000)
    pair_limit: PairLimit | None = None
    # Shares of sends that fail before anything happens: not recorded, no status.
    fault_429_rate: float = Field(default=0.0, ge=0.0, le=1.0)
    fault_5xx_rate: float = Field(default=0.0, ge=0.0, le=1.0)
    fault_timeout_rate: float = Field(default=0.0, ge=0.0, le=1.0)
    # How long a "timeout" fault holds the request before answering 503.
    timeout_s: float = Field(default=5.0, ge=0.0, le=600.0)
    # Share of sends accepted (recorded, wamid) whose delivery then fails with 131026.
    permanent_failure_rate: float = Field(default=0.0, ge=0.0, le=1.0)
    # Non-template sends to a customer silent for 24 h fail with 131047 ...
    enforce_window: bool = True
    # ... as a `failed` status after acceptance (Meta's way), or at once as a Graph error.
    window_error: Literal["status", "sync"] = "status"
    # The number's messaging limit: naming one changes the registered number's tier (what Graph
    # reports); None keeps it. A business-initiated send to a new customer beyond it fails with
    # 131048 ...
    messaging_limit_tier: MessagingLimitTier | None = None
    # ... as a `failed` status after acceptance (how Meta reports it), or at once as a Graph error.
    tier_error: Literal["status", "sync"] = "status"
    # Seeds the number's random draws (faults, permanent failures) so a run can be repeated.
    seed: int | None = None

    @model_validator(mode="after")
    def _fault_shares_fit(self) -> "Behaviour":
        if self.fault_429_rate + self.fault_5xx_rate + self.fault_timeout_rate > 1.0 + 1e-9:
            raise ValueError("fault_429_rate + fault_5xx_rate + fault_timeout_rate must not exceed 1")
        return self


@dataclass(slots=True)
class _Bucket:
    tokens: float
    updated: float


@dataclass
class NumberRuntime:
    """A behaviour in play: its random generator and limiter state. Used from the event loop only."""

    behaviour: Behaviour
    rng: random.Random = field(init=False)
    _recent: deque[float] = field(default_factory=deque)
    _buckets: dict[str, _Bucket] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Simulation draws, not secrets: a seeded generator is what makes a run repeatable.
        self.rng = random.Random(self.behaviour.seed)  # noqa: S311

    def draw_fault(self) -> Fault | None:
        """Whether this send is one of the injected faults (one draw, only when faults are on)."""
        b = self.behaviour
        total = b.fault_429_rate + b.fault_5xx_rate + b.fault_timeout_rate
        if total <= 0:
            return None
        u = self.rng.random()
        if u < b.fault_429_rate:
            return "429"
        if u < b.fault_429_rate + b.fault_5xx_rate:
            return "5xx"
        if u < total:
            return "timeout"
        return None

    def draw_permanent_failure(self) -> bool:
        """Whether this accepted send will fail with 131026 (one draw, only when the rate is set)."""
        rate = self.behaviour.permanent_failure_rate
        return rate > 0 and self.rng.random() < rate

    def admit(self, now: float, wa_id: str) -> Refusal | None:
        """Count a send at monotonic `now` against the limits; nothing is counted when it is refused.

        The throughput window is (now - 1 s, now]: no 1-second window of accepted sends can then hold
        more than `mps_limit`, which is what the ledger's `max_in_any_1s_window` measures.
        """
        b = self.behaviour
        if b.mps_limit is not None:
            recent = self._recent
            horizon = now - 1.0
            while recent and recent[0] <= horizon:
                recent.popleft()
            if len(recent) >= b.mps_limit:
                return "throughput"
        if b.pair_limit is not None and not self._take_pair_token(now, wa_id, b.pair_limit):
            return "pair"
        if b.mps_limit is not None:
            self._recent.append(now)
        return None

    def _take_pair_token(self, now: float, wa_id: str, limit: PairLimit) -> bool:
        bucket = self._buckets.get(wa_id)
        if bucket is None:
            bucket = self._buckets[wa_id] = _Bucket(float(limit.burst), now)
        else:
            refill = (now - bucket.updated) / limit.per_seconds
            bucket.tokens = min(float(limit.burst), bucket.tokens + refill)
            bucket.updated = now
        if bucket.tokens < 1.0:
            return False
        bucket.tokens -= 1.0
        return True


@dataclass
class BehaviourBook:
    """The behaviour of every number; a number without one behaves by the defaults."""

    _runtimes: dict[str, NumberRuntime] = field(default_factory=dict)

    def runtime(self, phone_number_id: str) -> NumberRuntime:
        """The number's behaviour in play, created with the defaults on first use."""
        runtime = self._runtimes.get(phone_number_id)
        if runtime is None:
            runtime = self._runtimes[phone_number_id] = NumberRuntime(Behaviour())
        return runtime

    def set(self, phone_number_id: str, behaviour: Behaviour) -> NumberRuntime:
        """Replace the behaviour; limiter state and the random sequence start afresh."""
        runtime = self._runtimes[phone_number_id] = NumberRuntime(behaviour)
        return runtime

    def get(self, phone_number_id: str) -> Behaviour:
        """The behaviour in force."""
        return self.runtime(phone_number_id).behaviour

    def forget(self, phone_number_id: str) -> None:
        """Drop a removed number's behaviour."""
        self._runtimes.pop(phone_number_id, None)
