"""In-memory registry of simulated phone numbers, their WABAs' state and the ledger of accepted sends."""

import dataclasses
import hmac
import threading
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from masteria.sandbox.meta.behaviour import BehaviourBook
from masteria.sandbox.meta.media import MediaStore
from masteria.sandbox.meta.templates import TemplateStore
from masteria.sandbox.meta.tiers import MessagingLimitTier, TierReach
from masteria.sandbox.meta.window import CustomerWindows

__all__ = ["LedgerEntry", "MessagingLimitTier", "MetaRegistry", "QualityRating", "SimulatedNumber", "ThroughputLevel"]
QualityRating = Literal["GREEN", "YELLOW", "RED"]
ThroughputLevel = Literal["STANDARD", "HIGH"]


@dataclass(frozen=True, slots=True)
class SimulatedNumber:
    """A phone number as a tenant configures it in Meta's dashboard."""

    phone_number_id: str
    display_phone_number: str
    waba_id: str
    access_token: str
    app_secret: str
    webhook_url: str
    verify_token: str | None = None
    verified_name: str = "Master IA Sandbox"
    messaging_limit_tier: MessagingLimitTier = "TIER_1K"
    quality_rating: QualityRating = "GREEN"
    throughput_level: ThroughputLevel = "STANDARD"


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """One send the Graph API accepted (faulted and refused requests never become one)."""

    monotonic: float
    wall_time: float
    phone_number_id: str
    to: str
    type: str
    body: dict[str, Any]
    wamid: str
    wa_id: str = ""
    biz_opaque_callback_data: str | None = None
    # The error code of the `failed` status this send will get (131026, 131047, 131048), else None.
    fails_with: int | None = None

    def to_json(self) -> dict[str, Any]:
        """The entry as the control API returns it."""
        return asdict(self)


@dataclass
class MetaRegistry:
    """Numbers and ledger (a lock makes them safe from any thread, and no method awaits), plus the
    per-number and per-WABA state of the simulation."""

    behaviours: BehaviourBook = field(default_factory=BehaviourBook)
    windows: CustomerWindows = field(default_factory=CustomerWindows)
    media: MediaStore = field(default_factory=MediaStore)
    templates: TemplateStore = field(default_factory=TemplateStore)
    reach: TierReach = field(default_factory=TierReach)
    _numbers: dict[str, SimulatedNumber] = field(default_factory=dict)
    _ledger: list[LedgerEntry] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def register(self, number: SimulatedNumber) -> None:
        """Add a number, replacing any earlier one with the same id."""
        with self._lock:
            self._numbers[number.phone_number_id] = number
        self.templates.ensure_seeded(number.waba_id)

    def remove(self, phone_number_id: str) -> bool:
        """Forget a number (and its behaviour and windows); False when it was unknown."""
        with self._lock:
            removed = self._numbers.pop(phone_number_id, None) is not None
        if removed:
            self.behaviours.forget(phone_number_id)
            self.windows.forget(phone_number_id)
            self.reach.forget(phone_number_id)
        return removed

    def update(self, phone_number_id: str, **changes: Any) -> SimulatedNumber | None:
        """Change a registered number's profile (tier, quality, ...) as Meta does over time."""
        with self._lock:
            number = self._numbers.get(phone_number_id)
            if number is None:
                return None
            number = self._numbers[phone_number_id] = dataclasses.replace(number, **changes)
            return number

    def get(self, phone_number_id: str) -> SimulatedNumber | None:
        """The number with this id, if registered."""
        with self._lock:
            return self._numbers.get(phone_number_id)

    def numbers(self) -> list[SimulatedNumber]:
        """Every registered number."""
        with self._lock:
            return list(self._numbers.values())

    def authenticate(self, phone_number_id: str, token: str | None) -> SimulatedNumber | None:
        """The number when `token` is its access token, else None."""
        number = self.get(phone_number_id)
        if number is None or token is None or not _same(token, number.access_token):
            return None
        return number

    def numbers_with_token(self, token: str | None) -> list[SimulatedNumber]:
        """The numbers `token` is the access token of (a token may serve several numbers of a WABA)."""
        if not token:
            return []
        return [n for n in self.numbers() if _same(token, n.access_token)]

    def record(self, entry: LedgerEntry) -> None:
        """Append an accepted send to the ledger."""
        with self._lock:
            self._ledger.append(entry)

    def ledger(self, phone_number_id: str | None = None) -> list[LedgerEntry]:
        """Accepted sends in order, optionally for one number."""
        with self._lock:
            entries = list(self._ledger)
        if phone_number_id is None:
            return entries
        return [e for e in entries if e.phone_number_id == phone_number_id]

    def clear_ledger(self, phone_number_id: str | None = None) -> int:
        """Drop ledger entries (all, or one number's) and say how many went."""
        with self._lock:
            before = len(self._ledger)
            if phone_number_id is None:
                self._ledger.clear()
            else:
                self._ledger[:] = [e for e in self._ledger if e.phone_number_id != phone_number_id]
            return before - len(self._ledger)


def _same(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode(), expected.encode())
