"""Whether a campaign may send now: its start time, the tenant's timezone, quiet hours and sending days."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo


def may_send(schedule: dict[str, Any] | None, now: datetime, default_timezone: str) -> bool:
    """True when ``now`` (aware) falls inside the schedule's sending window."""
    schedule = schedule or {}
    start_at = schedule.get("start_at")
    if start_at is not None and datetime.fromisoformat(start_at) > now:
        return False
    local = now.astimezone(ZoneInfo(schedule.get("timezone") or default_timezone))
    days = schedule.get("days")
    if days is not None and local.weekday() not in days:
        return False
    quiet = schedule.get("quiet_hours")
    return quiet is None or not in_quiet_hours(
        local.time(), time.fromisoformat(quiet["start"]), time.fromisoformat(quiet["end"])
    )


def in_quiet_hours(at: time, start: time, end: time) -> bool:
    """True inside [start, end); a window whose end is before its start spans midnight (21:00 to 08:00)."""
    if start == end:
        return False
    if start < end:
        return start <= at < end
    return at >= start or at < end
