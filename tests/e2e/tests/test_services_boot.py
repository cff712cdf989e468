"""Every service runs as its own process with /health, /ready and /metrics, even before its features land."""

from __future__ import annotations

import httpx

from masteria.devstack.harness import wait_for
from masteria.devstack.stack import SERVICES
from masteria.e2e.clients import Operator, Sandbox, connect_whatsapp
from masteria.e2e.stack import RunningStack

from .test_first_message import inbox_with


async def test_each_service_is_alive_ready_and_measured(stack: RunningStack) -> None:
    async with httpx.AsyncClient(timeout=5) as client:
        for service in SERVICES:
            base = stack.config.url(service.name)
            assert (await client.get(f"{base}/health")).json()["service"] == service.name
            ready = (await client.get(f"{base}/ready")).json()
            assert ready["checks"] == {"database": "ok", "redis": "ok", "nats": "ok"}, service.name
            metrics = await client.get(f"{base}/metrics")
            assert metrics.headers["content-type"].startswith("text/plain"), service.name
            assert pid_differs(stack, service.name)


def pid_differs(stack: RunningStack, name: str) -> bool:
    pids = {s.name: stack.supervisor.pid(s.name) for s in SERVICES}
    return pids[name] is not None and list(pids.values()).count(pids[name]) == 1


async def test_metrics_count_webhooks_and_consumed_events(
    stack: RunningStack, operator: Operator, sandbox: Sandbox
) -> None:
    number, _ = await connect_whatsapp(operator, sandbox, stack.config.gateway_url)
    await sandbox.customer_writes(number, "contada")
    await wait_for(lambda: inbox_with(operator, "contada"), within=5)
    async with httpx.AsyncClient(timeout=5) as client:
        meta = (await client.get(f"{stack.config.url('whatsapp-meta')}/metrics")).text
        crm = (await client.get(f"{stack.config.url('crm')}/metrics")).text
    assert 'http_requests_total{method="POST",route="/webhooks/whatsapp-meta",status="200"}' in meta
    assert 'outbox_published_total{service="whatsapp-meta"}' in meta
    assert 'events_consumed_total{consumer="crm-inbound",outcome="stored"}' in crm
