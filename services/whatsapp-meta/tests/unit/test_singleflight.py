"""Concurrent cache misses share one load: its result, its error, and a waiter's cancellation is its own."""

from __future__ import annotations

import asyncio

import pytest

from masteria.whatsapp_meta.sending.singleflight import SingleFlight


class Loader:
    def __init__(self) -> None:
        self.calls = 0
        self.release = asyncio.Event()

    async def __call__(self) -> int:
        self.calls += 1
        await self.release.wait()
        return self.calls


async def test_a_hundred_concurrent_misses_run_one_load() -> None:
    flight: SingleFlight[str, int] = SingleFlight()
    load = Loader()
    waiters = [asyncio.create_task(flight.run("k", load)) for _ in range(100)]
    await asyncio.sleep(0)
    load.release.set()
    assert await asyncio.gather(*waiters) == [1] * 100
    assert load.calls == 1
    assert await flight.run("k", load) == 2, "a finished load is not reused: the caller's cache is the cache"


async def test_an_error_reaches_every_waiter_and_the_next_call_tries_again() -> None:
    flight: SingleFlight[str, int] = SingleFlight()
    attempts = 0

    async def failing() -> int:
        nonlocal attempts
        attempts += 1
        await asyncio.sleep(0)
        raise RuntimeError("database down")

    results = await asyncio.gather(*(flight.run("k", failing) for _ in range(5)), return_exceptions=True)
    assert all(isinstance(r, RuntimeError) for r in results)
    assert attempts == 1
    with pytest.raises(RuntimeError):
        await flight.run("k", failing)
    assert attempts == 2


async def test_a_cancelled_waiter_does_not_cancel_the_others() -> None:
    flight: SingleFlight[str, int] = SingleFlight()
    load = Loader()
    first = asyncio.create_task(flight.run("k", load))
    second = asyncio.create_task(flight.run("k", load))
    await asyncio.sleep(0)
    first.cancel()
    load.release.set()
    assert await second == 1
    assert first.cancelled()


async def test_forgetting_a_key_starts_a_fresh_load() -> None:
    flight: SingleFlight[tuple[str, int], int] = SingleFlight()
    old, new = Loader(), Loader()
    stale = asyncio.create_task(flight.run(("tenant", 1), old))
    await asyncio.sleep(0)
    flight.forget(lambda key: key[0] == "tenant")
    fresh = asyncio.create_task(flight.run(("tenant", 1), new))
    await asyncio.sleep(0)
    old.release.set()
    new.release.set()
    assert (await stale, await fresh) == (1, 1)
    assert (old.calls, new.calls) == (1, 1)
