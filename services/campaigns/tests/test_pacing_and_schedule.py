"""Pacing (token bucket, in-flight window, backoff) and the sending window (start, timezone, quiet hours, days)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from masteria.campaigns.sending.pacing import Inflight, backoff_s, refill
from masteria.campaigns.sending.schedule import in_quiet_hours, may_send

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)  # a Tuesday; 12:00 in São Paulo


def test_the_bucket_refills_at_the_pace_and_holds_half_a_second() -> None:
    assert refill(0.0, None, NOW, 100) == 1.0  # a fresh start: no burst
    assert refill(0.0, NOW, NOW + timedelta(seconds=0.1), 100) == 10.0
    assert refill(0.0, NOW, NOW + timedelta(seconds=10), 100) == 50.0
    assert refill(0.2, NOW, NOW + timedelta(seconds=0.5), 1) == 0.7


def channel(window: Inflight, latency: float, seconds: float, tick: float = 0.1) -> None:
    """A channel that answers every dispatch after ``latency`` and absorbs whatever the window allows."""
    clock, inflight, sent = 0.0, 0, []
    while clock < seconds:
        answered = sum(1 for at in sent if at <= clock - latency)
        sent = [at for at in sent if at > clock - latency]
        inflight -= answered
        room = window.observe(inflight, clock, cap=10_000)
        sent += [clock] * room
        inflight += room
        window.dispatched(room)
        clock += tick


def test_the_window_grows_while_statuses_come_back_fast() -> None:
    window = Inflight(minimum=20, target_s=0.8)
    channel(window, latency=0.3, seconds=10)
    assert window.window > 1000


def test_the_window_shrinks_to_the_minimum_when_commands_queue() -> None:
    window = Inflight(minimum=20, target_s=0.8, window=500)
    channel(window, latency=3.0, seconds=20)
    assert window.window == 20


def test_the_window_never_exceeds_its_cap() -> None:
    window = Inflight(minimum=20, target_s=0.8)
    assert window.observe(0, 0.0, cap=10) == 20
    window = Inflight(minimum=20, target_s=0.8, window=5000)
    assert window.observe(0, 0.0, cap=100) == 100


def test_backoff_is_full_jitter_exponential_and_capped() -> None:
    delays = [backoff_s(3, 1.0, 10.0) for _ in range(200)]
    assert all(0 <= d <= 4.0 for d in delays)
    assert max(delays) > 2.0
    assert all(0 <= backoff_s(10, 1.0, 10.0) <= 10.0 for _ in range(50))


def test_quiet_hours_may_span_midnight() -> None:
    assert in_quiet_hours(time(22), time(21), time(8))
    assert in_quiet_hours(time(7, 59), time(21), time(8))
    assert not in_quiet_hours(time(8), time(21), time(8))
    assert in_quiet_hours(time(13), time(12), time(14))
    assert not in_quiet_hours(time(14), time(12), time(14))


def test_the_schedule_reads_local_time_days_and_start() -> None:
    assert may_send({}, NOW, "America/Sao_Paulo")
    assert not may_send({"start_at": (NOW + timedelta(minutes=1)).isoformat()}, NOW, "America/Sao_Paulo")
    lunch = {"quiet_hours": {"start": "11:30", "end": "13:00"}}
    assert not may_send(lunch, NOW, "America/Sao_Paulo")
    assert may_send(lunch | {"timezone": "Europe/Lisbon"}, NOW, "America/Sao_Paulo")  # 15:00 in Lisbon
    assert not may_send({"days": [0, 2, 3, 4]}, NOW, "America/Sao_Paulo")  # Tuesday is 1
    assert may_send({"days": [1]}, NOW, "America/Sao_Paulo")
