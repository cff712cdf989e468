"""Business-hours arithmetic: when a step whose delay is counted in business hours falls due.

A cadence may keep business hours (a timezone, the open weekdays, an opening and a closing time).
Then:
- a delay in seconds, minutes or hours counts open time only: 2 hours asked at 17:00 with a 09:00-18:00
  window is 1 hour today and 1 hour tomorrow, so 10:00 on the next open day;
- a delay in days counts open days, keeping the time of day: 2 days from Friday 15:00 (Monday to Friday)
  is Tuesday 15:00;
- the starting point is first moved to the next opening when it is outside the window, and so is any
  moment that would land outside it (a zero delay at 22:00 is 09:00 the next open day).
The closing time itself is closed, so a due time is always inside a window. Without business hours a delay is
plain elapsed time. Weekdays are numbered as Python does: 0 is Monday, 6 is Sunday.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

# A cadence's delays are bounded (see schemas), so this only guards against a window that never opens.
_MAX_WINDOWS = 20_000


class DelayUnit(StrEnum):
    """What a step's delay counts; seconds only when the settings allow it (tests)."""

    SECONDS = "seconds"
    MINUTES = "minutes"
    HOURS = "hours"
    DAYS = "days"


@dataclass(frozen=True)
class Delay:
    """How long after the previous step (or the enrolment) a step falls due."""

    value: int
    unit: DelayUnit

    def elapsed(self) -> timedelta:
        """The delay as elapsed time (a day is 24 hours)."""
        seconds = {DelayUnit.SECONDS: 1, DelayUnit.MINUTES: 60, DelayUnit.HOURS: 3600, DelayUnit.DAYS: 86400}
        return timedelta(seconds=self.value * seconds[self.unit])


@dataclass(frozen=True)
class BusinessHours:
    """Open weekdays and a daily window [start, end) in a timezone; start comes before end."""

    timezone: ZoneInfo
    days: frozenset[int]
    start: time
    end: time

    def __post_init__(self) -> None:
        if not self.days or not self.days <= frozenset(range(7)):
            raise ValueError("days must name at least one weekday between 0 (Monday) and 6 (Sunday)")
        if self.start >= self.end:
            raise ValueError("the window must open before it closes (start < end)")

    def window(self, day: date) -> tuple[datetime, datetime]:
        """The open window of a local ``day`` as aware datetimes (whether or not the day is open)."""
        # Through UTC and back so that a time inside a daylight-saving gap becomes a real instant.
        opening = datetime.combine(day, self.start, tzinfo=self.timezone).astimezone(self.timezone)
        closing = datetime.combine(day, self.end, tzinfo=self.timezone).astimezone(self.timezone)
        return opening, closing

    def is_open(self, at: datetime) -> bool:
        """Whether ``at`` is inside a window."""
        local = at.astimezone(self.timezone)
        if local.weekday() not in self.days:
            return False
        opening, closing = self.window(local.date())
        return opening <= at < closing

    def next_opening(self, at: datetime) -> datetime:
        """``at`` itself when open, else the next moment a window opens."""
        day = at.astimezone(self.timezone).date()
        for offset in range(8):
            candidate = day + timedelta(days=offset)
            if candidate.weekday() not in self.days:
                continue
            opening, closing = self.window(candidate)
            if at < closing:
                return max(at, opening)
        raise AssertionError("a week always holds an open day")  # pragma: no cover - days is never empty

    def add_open_time(self, at: datetime, duration: timedelta) -> datetime:
        """``at`` moved forward by ``duration`` of open time only."""
        moment, remaining = self.next_opening(at), duration
        for _ in range(_MAX_WINDOWS):
            _, closing = self.window(moment.astimezone(self.timezone).date())
            available = closing - moment
            if remaining < available:
                return moment + remaining
            remaining -= available
            moment = self.next_opening(closing)
        raise ValueError("the delay is longer than business hours can count")

    def add_open_days(self, at: datetime, days: int) -> datetime:
        """``days`` open days after ``at`` (moved to an opening first), at the same local time of day."""
        start = self.next_opening(at).astimezone(self.timezone)
        day, left = start.date(), days
        while left > 0:
            day += timedelta(days=1)
            if day.weekday() in self.days:
                left -= 1
        landed = datetime.combine(day, start.time(), tzinfo=self.timezone).astimezone(self.timezone)
        return self.next_opening(landed)


def due_at(at: datetime, delay: Delay, hours: BusinessHours | None) -> datetime:
    """When a step with ``delay`` falls due, counted from ``at``."""
    if hours is None:
        return at + delay.elapsed()
    if delay.unit is DelayUnit.DAYS:
        return hours.add_open_days(at, delay.value)
    return hours.add_open_time(at, delay.elapsed())


def parse_clock(value: str) -> time:
    """``"HH:MM"`` as a time; ValueError otherwise."""
    hour, sep, minute = value.partition(":")
    if not sep or len(hour) != 2 or len(minute) != 2 or not (hour + minute).isdigit():
        raise ValueError("expected HH:MM")
    if value == "24:00":
        return time.max
    return time(int(hour), int(minute))
