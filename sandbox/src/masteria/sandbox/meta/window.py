"""The customer service window: 24 h from a customer's last message to a number."""

import threading
from dataclasses import dataclass, field

WINDOW_S = 24 * 3600


@dataclass
class CustomerWindows:
    """When each customer last wrote to each number (unix seconds); our own sends never extend it."""

    _last: dict[tuple[str, str], float] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def note(self, phone_number_id: str, wa_id: str, at: float) -> None:
        """The customer wrote at `at` (a later message moves the window; an earlier one does not)."""
        key = (phone_number_id, wa_id)
        with self._lock:
            if at > self._last.get(key, float("-inf")):
                self._last[key] = at

    def set(self, phone_number_id: str, wa_id: str, at: float | None) -> None:
        """Force the last message time (None: the customer never wrote), for tests."""
        key = (phone_number_id, wa_id)
        with self._lock:
            if at is None:
                self._last.pop(key, None)
            else:
                self._last[key] = at

    def last(self, phone_number_id: str, wa_id: str) -> float | None:
        """When the customer last wrote, if ever."""
        with self._lock:
            return self._last.get((phone_number_id, wa_id))

    def is_open(self, phone_number_id: str, wa_id: str, now: float) -> bool:
        """Whether a free-form message may go to the customer at `now`."""
        last = self.last(phone_number_id, wa_id)
        return last is not None and now - last < WINDOW_S

    def forget(self, phone_number_id: str) -> None:
        """Drop a removed number's windows."""
        with self._lock:
            for key in [k for k in self._last if k[0] == phone_number_id]:
                del self._last[key]
