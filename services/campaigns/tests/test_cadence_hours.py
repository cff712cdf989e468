"""When a cadence step falls due: delays counted in business hours, landings moved to the next opening."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from masteria.campaigns.cadences.hours import BusinessHours, Delay, DelayUnit, due_at, parse_clock

SP = ZoneInfo("America/Sao_Paulo")
NY = ZoneInfo("America/New_York")
WEEKDAYS = BusinessHours(SP, frozenset(range(5)), time(9), time(18))


def sp(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment in São Paulo in December 2026 (the 7th is a Monday)."""
    return datetime(2026, 12, day, hour, minute, tzinfo=SP)


def local(at: datetime) -> tuple[str, int, int]:
    moment = at.astimezone(SP)
    return moment.strftime("%a"), moment.hour, moment.minute


def test_without_business_hours_a_delay_is_elapsed_time() -> None:
    start = datetime(2026, 12, 12, 23, 0, tzinfo=UTC)
    assert due_at(start, Delay(2, DelayUnit.HOURS), None) == start + timedelta(hours=2)
    assert due_at(start, Delay(3, DelayUnit.DAYS), None) == start + timedelta(days=3)


def test_a_delay_inside_the_window_is_plain_addition() -> None:
    assert local(due_at(sp(7, 10), Delay(90, DelayUnit.MINUTES), WEEKDAYS)) == ("Mon", 11, 30)


def test_hours_that_run_past_closing_continue_at_the_next_opening() -> None:
    # 17:00 + 2 h: one hour today, one tomorrow morning.
    assert local(due_at(sp(7, 17), Delay(2, DelayUnit.HOURS), WEEKDAYS)) == ("Tue", 10, 0)
    # Friday 17:30 + 1 h skips the weekend.
    assert local(due_at(sp(11, 17, 30), Delay(1, DelayUnit.HOURS), WEEKDAYS)) == ("Mon", 9, 30)


def test_a_long_delay_counts_only_open_hours() -> None:
    # 20 business hours from Monday 09:00 with 9-hour days: Mon 9 h, Tue 9 h, Wed 2 h.
    assert local(due_at(sp(7, 9), Delay(20, DelayUnit.HOURS), WEEKDAYS)) == ("Wed", 11, 0)


def test_a_start_outside_the_window_first_moves_to_the_opening() -> None:
    assert local(due_at(sp(7, 22), Delay(0, DelayUnit.MINUTES), WEEKDAYS)) == ("Tue", 9, 0)
    assert local(due_at(sp(7, 6), Delay(30, DelayUnit.MINUTES), WEEKDAYS)) == ("Mon", 9, 30)
    assert local(due_at(sp(12, 12), Delay(0, DelayUnit.HOURS), WEEKDAYS)) == ("Mon", 9, 0)  # Saturday


def test_landing_exactly_at_closing_moves_to_the_next_opening() -> None:
    due = due_at(sp(7, 17), Delay(60, DelayUnit.MINUTES), WEEKDAYS)
    assert local(due) == ("Tue", 9, 0)
    assert WEEKDAYS.is_open(due)


def test_days_count_open_days_at_the_same_time_of_day() -> None:
    assert local(due_at(sp(11, 15), Delay(2, DelayUnit.DAYS), WEEKDAYS)) == ("Tue", 15, 0)
    assert local(due_at(sp(7, 15), Delay(1, DelayUnit.DAYS), WEEKDAYS)) == ("Tue", 15, 0)
    # Enrolled on a Saturday: the count starts at Monday's opening.
    assert local(due_at(sp(12, 11), Delay(1, DelayUnit.DAYS), WEEKDAYS)) == ("Tue", 9, 0)


def test_every_due_time_is_inside_business_hours() -> None:
    start = sp(7, 0)
    for minutes in range(0, 7 * 24 * 60, 37):
        moment = start + timedelta(minutes=minutes)
        for delay in (Delay(0, DelayUnit.MINUTES), Delay(45, DelayUnit.MINUTES), Delay(5, DelayUnit.HOURS),
                      Delay(1, DelayUnit.DAYS)):
            due = due_at(moment, delay, WEEKDAYS)
            assert due >= moment
            assert WEEKDAYS.is_open(due), (moment, delay, due)


def test_the_window_follows_the_timezone_across_daylight_saving() -> None:
    hours = BusinessHours(NY, frozenset(range(7)), time(9), time(17))
    # New York moves its clocks on 8 March 2026; 09:00 local is 14:00 UTC before and 13:00 UTC after.
    before = due_at(datetime(2026, 3, 6, 23, 0, tzinfo=UTC), Delay(0, DelayUnit.HOURS), hours)
    after = due_at(datetime(2026, 3, 9, 0, 0, tzinfo=UTC), Delay(0, DelayUnit.HOURS), hours)
    assert before == datetime(2026, 3, 7, 14, 0, tzinfo=UTC)
    assert after == datetime(2026, 3, 9, 13, 0, tzinfo=UTC)


def test_seconds_count_like_minutes() -> None:
    assert local(due_at(sp(7, 17, 59), Delay(90, DelayUnit.SECONDS), WEEKDAYS)) == ("Tue", 9, 0)
    assert due_at(sp(7, 9), Delay(90, DelayUnit.SECONDS), WEEKDAYS) == sp(7, 9) + timedelta(seconds=90)


def test_business_hours_refuse_a_window_that_never_opens() -> None:
    with pytest.raises(ValueError, match="start < end"):
        BusinessHours(SP, frozenset({0}), time(18), time(9))
    with pytest.raises(ValueError, match="weekday"):
        BusinessHours(SP, frozenset(), time(9), time(18))


@pytest.mark.parametrize("bad", ["9:00", "09-00", "25:00", "ab:cd", ""])
def test_clock_times_are_hh_mm(bad: str) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - the message is the parser's
        parse_clock(bad)
