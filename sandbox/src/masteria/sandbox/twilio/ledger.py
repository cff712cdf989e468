"""The ledger of sends the Messages API accepted, and the figures a benchmark reads from it."""

import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """One accepted send."""

    monotonic: float
    wall_time: float
    account_sid: str
    sid: str
    sender: str
    to: str
    body: str
    num_segments: int
    media_urls: tuple[str, ...]
    status_callback: str | None
    messaging_service_sid: str | None
    # The error code of an undelivered or failed ending decided at acceptance, None for delivered.
    fails_with: int | None = None

    def to_json(self) -> dict[str, Any]:
        """The entry as the control API returns it (`from` for the sender, as Twilio names it)."""
        return {
            "monotonic": self.monotonic,
            "wall_time": self.wall_time,
            "account_sid": self.account_sid,
            "sid": self.sid,
            "from": self.sender,
            "to": self.to,
            "body": self.body,
            "num_segments": self.num_segments,
            "num_media": len(self.media_urls),
            "media_urls": list(self.media_urls),
            "status_callback": self.status_callback,
            "messaging_service_sid": self.messaging_service_sid,
            "fails_with": self.fails_with,
        }

    def repeat_key(self) -> tuple[object, ...]:
        """What makes a send a repeat of an earlier one: same sender, recipient, content and callback URL."""
        # The StatusCallback URL usually carries the caller's own message id, so two different messages
        # with the same text to the same person do not count as duplicates when it does.
        return (self.sender, self.to, self.body, self.media_urls, self.status_callback)


@dataclass
class Ledger:
    """Accepted sends in order; a lock makes it safe from any thread, and no method awaits."""

    _entries: list[LedgerEntry] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def append(self, entry: LedgerEntry) -> None:
        """Record an accepted send."""
        with self._lock:
            self._entries.append(entry)

    def entries(self, sender: str | None = None, to: str | None = None) -> list[LedgerEntry]:
        """Accepted sends, oldest first, optionally from one sender and/or to one recipient."""
        with self._lock:
            entries = list(self._entries)
        return [e for e in entries if (sender is None or e.sender == sender) and (to is None or e.to == to)]

    def clear(self, sender: str | None = None) -> int:
        """Drop entries (all, or one sender's) and say how many went."""
        with self._lock:
            before = len(self._entries)
            if sender is None:
                self._entries.clear()
            else:
                self._entries[:] = [e for e in self._entries if e.sender != sender]
            return before - len(self._entries)


def ledger_stats(entries: Sequence[LedgerEntry]) -> dict[str, Any]:
    """Count, first/last wall time, span, achieved rate, the most sends in any one-second window,
    duplicates, and how many accepted sends end undelivered or failed (per error code); as Meta's."""
    if not entries:
        return {
            "count": 0,
            "first_wall_time": None,
            "last_wall_time": None,
            "span_s": 0.0,
            "rate_per_s": 0.0,
            "max_in_any_1s_window": 0,
            "duplicates": 0,
            "failing": {},
        }
    # Monotonic times are the ones the MPS limit counted, so the busiest window agrees with it exactly.
    times = sorted(e.monotonic for e in entries)
    span = times[-1] - times[0]
    failing = Counter(str(e.fails_with) for e in entries if e.fails_with is not None)
    return {
        "count": len(entries),
        "first_wall_time": min(e.wall_time for e in entries),
        "last_wall_time": max(e.wall_time for e in entries),
        "span_s": span,
        # n sends spread over a span have n - 1 gaps; a single send (or all at once) has no rate.
        "rate_per_s": (len(times) - 1) / span if span > 0 else 0.0,
        "max_in_any_1s_window": max_in_window(times, 1.0),
        "duplicates": _duplicates(entries),
        "failing": dict(failing),
    }


def max_in_window(sorted_times: Sequence[float], window_s: float) -> int:
    """The largest number of times falling in any half-open window [t, t + window_s)."""
    best = start = 0
    for end, now in enumerate(sorted_times):
        while now - sorted_times[start] >= window_s:
            start += 1
        best = max(best, end - start + 1)
    return best


def _duplicates(entries: Sequence[LedgerEntry]) -> int:
    seen: set[tuple[object, ...]] = set()
    repeats = 0
    for entry in entries:
        key = entry.repeat_key()
        if key in seen:
            repeats += 1
        seen.add(key)
    return repeats
