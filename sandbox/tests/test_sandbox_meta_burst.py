"""Bursts: every message delivered, paced, retried through receiver outages, cancellable."""

from collections.abc import Awaitable, Callable
from typing import Any

import httpx
from fastapi import FastAPI

from masteria.sandbox.app import create_app
from masteria.sandbox.context import SandboxContext
from masteria.sandbox.settings import SandboxSettings
from masteria.sandbox.testing import WebhookReceiver, free_port, wait_until

Register = Callable[..., Awaitable[dict[str, Any]]]
PHONE_NUMBER_ID = "106540352242922"  # the conftest's number
BURST_URL = f"/_sandbox/meta/numbers/{PHONE_NUMBER_ID}/customers/burst"


async def job_status(client: httpx.AsyncClient, job_id: str) -> dict[str, Any]:
    """The job's progress as the control API reports it."""
    response = await client.get(f"/_sandbox/jobs/{job_id}")
    assert response.status_code == 200
    status: dict[str, Any] = response.json()
    return status


async def start_burst(client: httpx.AsyncClient, **spec: Any) -> str:
    """Start a burst and return its job id."""
    response = await client.post(BURST_URL, json=spec)
    assert response.status_code == 202, response.text
    job_id: str = response.json()["job_id"]
    return job_id


async def wait_done(client: httpx.AsyncClient, job_id: str) -> dict[str, Any]:
    """Wait for the job to finish and return its final status."""

    async def done() -> bool:
        return bool((await job_status(client, job_id))["done"])

    await wait_until(done, within_s=30, what=f"job {job_id} to finish")
    return await job_status(client, job_id)


async def test_burst_delivers_every_message(
    client: httpx.AsyncClient, number: dict[str, Any], receiver: WebhookReceiver
) -> None:
    job_id = await start_burst(client, count=120, customers=10, text_prefix="oi")

    status = await wait_done(client, job_id)

    assert (status["count"], status["sent"], status["acknowledged"]) == (120, 120, 120)
    assert status["failed_attempts"] == 0
    assert status["attempts"] == 120
    assert status["ack_rate_per_s"] > 0
    assert status["finished_at"] >= status["started_at"]
    messages = (await client.get(f"/_sandbox/jobs/{job_id}/messages")).json()
    assert [m["text"] for m in messages] == [f"oi {i}" for i in range(120)]
    assert len({m["from"] for m in messages}) == 10
    assert all(m["first_sent_at"] <= m["acked_at"] for m in messages)
    assert receiver.distinct_wamids() == {m["wamid"] for m in messages}
    assert all(d.signature_valid for d in receiver.received)


async def test_burst_loses_nothing_while_receiver_is_down(client: httpx.AsyncClient, register: Register) -> None:
    receiver = WebhookReceiver(app_secret="burst-secret")
    await register(receiver.url, app_secret="burst-secret")
    job_id = await start_burst(client, count=200, concurrency=16)

    async def failing_for_a_while() -> bool:
        return bool((await job_status(client, job_id))["failed_attempts"] >= 40)

    await wait_until(failing_for_a_while, what="deliveries to fail while nobody listens")
    await receiver.start()
    try:
        status = await wait_done(client, job_id)
    finally:
        await receiver.stop()

    assert status["acknowledged"] == 200
    assert not status["cancelled"]
    assert status["failed_attempts"] >= 40
    assert status["attempts"] == 200 + status["failed_attempts"]
    messages = (await client.get(f"/_sandbox/jobs/{job_id}/messages")).json()
    assert receiver.distinct_wamids() == {m["wamid"] for m in messages}
    assert max(m["attempts"] for m in messages) > 1
    assert all(m["acked_at"] is not None for m in messages)


async def test_burst_survives_receiver_restart_midway(
    client: httpx.AsyncClient, number: dict[str, Any], receiver: WebhookReceiver
) -> None:
    job_id = await start_burst(client, count=300, rate_per_second=300, concurrency=8)
    await wait_until(lambda: len(receiver.received) >= 60, what="first deliveries")

    await receiver.stop()

    async def failing() -> bool:
        return bool((await job_status(client, job_id))["failed_attempts"] >= 10)

    await wait_until(failing, what="deliveries to fail while the receiver is down")
    await receiver.start()
    status = await wait_done(client, job_id)

    assert status["acknowledged"] == 300
    assert len(receiver.distinct_wamids()) == 300


async def test_burst_retries_non_2xx_answers(
    client: httpx.AsyncClient, number: dict[str, Any], receiver: WebhookReceiver
) -> None:
    receiver.fail_next = 12

    status = await wait_done(client, await start_burst(client, count=50, concurrency=4))

    assert status["acknowledged"] == 50
    assert status["failed_attempts"] == 12
    assert len(receiver.distinct_wamids()) == 50


async def test_burst_follows_an_absolute_schedule(
    client: httpx.AsyncClient, number: dict[str, Any], receiver: WebhookReceiver
) -> None:
    job_id = await start_burst(client, count=40, rate_per_second=100)

    status = await wait_done(client, job_id)

    messages = (await client.get(f"/_sandbox/jobs/{job_id}/messages")).json()
    offsets = [m["first_sent_at"] - status["started_at"] for m in messages]
    # Message i is due i/rate after the start: never early, and lateness does not accumulate.
    assert all(offset >= i / 100 - 0.001 for i, offset in enumerate(offsets))
    assert offsets[-1] < 39 / 100 + 0.25
    assert status["elapsed_s"] >= 0.39


async def test_cancel_stops_a_job(client: httpx.AsyncClient, app: FastAPI, register: Register) -> None:
    await register(f"http://127.0.0.1:{free_port()}/webhook")  # nobody listens: every delivery fails
    job_id = await start_burst(client, count=20)

    async def failing() -> bool:
        return bool((await job_status(client, job_id))["failed_attempts"] > 0)

    await wait_until(failing, what="a failed attempt")
    response = await client.delete(f"/_sandbox/jobs/{job_id}")

    assert response.status_code == 200
    status = response.json()
    assert status["done"]
    assert status["cancelled"]
    assert status["acknowledged"] == 0
    context: SandboxContext = app.state.sandbox
    job = context.jobs.get(job_id)
    assert job is not None
    assert job.task is not None
    assert job.task.done()


async def test_unknown_job(client: httpx.AsyncClient) -> None:
    assert (await client.get("/_sandbox/jobs/job_nope")).status_code == 404
    assert (await client.delete("/_sandbox/jobs/job_nope")).status_code == 404


async def test_burst_on_unknown_number(client: httpx.AsyncClient) -> None:
    response = await client.post("/_sandbox/meta/numbers/nope/customers/burst", json={"count": 1})

    assert response.status_code == 404


async def test_burst_through_an_injected_transport() -> None:
    receiver = WebhookReceiver(app_secret="in-process")
    app = create_app(SandboxSettings(), webhook_transport=httpx.ASGITransport(app=receiver.server.app))
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sandbox.test") as client,
    ):
        body = {
            "phone_number_id": PHONE_NUMBER_ID,
            "display_phone_number": "1555",
            "waba_id": "1",
            "access_token": "t",
            "app_secret": "in-process",
            "webhook_url": receiver.url,
        }
        await client.post("/_sandbox/meta/numbers", json=body)

        status = await wait_done(client, await start_burst(client, count=30, concurrency=4))

    assert status["acknowledged"] == 30
    assert len(receiver.distinct_wamids()) == 30
