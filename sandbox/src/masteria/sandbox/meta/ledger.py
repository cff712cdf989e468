"""Figures over the ledger of accepted sends, for benchmarks: rate, the busiest second, duplicates."""

import json
from collections import Counter
from typing import Any

from masteria.sandbox.meta.state import LedgerEntry


def max_in_any_window(times: list[float], window_s: float = 1.0) -> int:
    """The most entries in any window of `window_s` (half-open), over sorted times; two pointers, O(n)."""
    best = start = 0
    for end, t in enumerate(times):
        while t - times[start] >= window_s:
            start += 1
        best = max(best, end - start + 1)
    return best


def duplicate_count(entries: list[LedgerEntry]) -> int:
    """Sends that repeat an earlier one: same recipient and same `biz_opaque_callback_data` (or, without
    one, the same body), i.e. what a client that retried an already accepted send produces."""
    seen: set[tuple[str, str]] = set()
    duplicates = 0
    for entry in entries:
        if entry.biz_opaque_callback_data is not None:
            key = (entry.wa_id or entry.to, "cb:" + entry.biz_opaque_callback_data)
        else:
            key = (entry.wa_id or entry.to, "body:" + json.dumps(entry.body, sort_keys=True, default=str))
        if key in seen:
            duplicates += 1
        else:
            seen.add(key)
    return duplicates


def ledger_stats(entries: list[LedgerEntry]) -> dict[str, Any]:
    """`GET /_sandbox/meta/ledger/stats`: count, first/last wall time, achieved rate, the largest count in
    any 1-second sliding window, duplicates, and how many sends were accepted to fail later."""
    if not entries:
        return {
            "count": 0, "first_wall_time": None, "last_wall_time": None, "span_s": 0.0, "rate_per_s": 0.0,
            "max_in_any_1s_window": 0, "duplicates": 0, "failing": {},
        }  # fmt: skip
    # The monotonic times are the ones the throughput limiter counted, so the two agree exactly.
    times = sorted(e.monotonic for e in entries)
    span = times[-1] - times[0]
    failing = Counter(str(e.fails_with) for e in entries if e.fails_with is not None)
    return {
        "count": len(entries),
        "first_wall_time": min(e.wall_time for e in entries),
        "last_wall_time": max(e.wall_time for e in entries),
        "span_s": span,
        # n sends spread over `span` seconds come at (n - 1) / span per second.
        "rate_per_s": (len(entries) - 1) / span if span > 0 else 0.0,
        "max_in_any_1s_window": max_in_any_window(times),
        "duplicates": duplicate_count(entries),
        "failing": dict(failing),
    }
