"""A 100,000-recipient campaign through the whole stack, and a 1,000,000-contact audience snapshot.

The campaign run is what an operator does: 100,000 contacts imported from a CSV through crm (their
events reach campaigns' audience view), one WhatsApp number at 1,000 messages per second, a template
campaign with a variable launched through the gateway. campaigns dispatches, whatsapp-meta sends to the
sandbox's Meta, the sandbox's signed status webhooks come back and move every recipient to delivered.
Printed: recipients per second end to end (launch to the last recipient delivered), the dispatch rate,
the snapshot time, every service's peak memory (VmHWM) and the raw JetStream rate on the same machine
in the same run, the floor under our layers.

The pause run (pause_at_speed.py) pauses a campaign sending at 1,000 per second and counts what still
went out after the acknowledgement.

The snapshot run copies 1,000,000 contacts straight into campaigns' audience view (seeding a read model
that crm's events would otherwise fill for minutes) and times the launch's snapshot of all of them;
campaigns' peak memory is read again afterwards: it must not grow with the audience.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
from cpu import cpu_seconds, per_item_ms
from jetstream_raw import raw_jetstream_rates
from pause_at_speed import pause_at_speed

from masteria.devstack.harness import wait_for
from masteria.devstack.postgres import asyncpg_dsn
from masteria.e2e.clients import Operator, Sandbox, connect_whatsapp
from masteria.e2e.stack import RunningStack, running_stack

RECIPIENTS = int(os.environ.get("MASTERIA_BENCH_RECIPIENTS", "100000"))
AUDIENCE = int(os.environ.get("MASTERIA_BENCH_AUDIENCE", "1000000"))
TAG = "black-friday"
MAPPING = {"phone": "phone", "name": "name", "tags": "tags"}
TEMPLATE = {
    "kind": "template", "name": "boas_vindas", "language": "pt_BR",
    "components": [{"type": "body", "parameters": [{"type": "text", "text": "{{first_name|Cliente}}"}]}],
}
SERVICES = ("gateway", "campaigns", "whatsapp-meta", "crm", "sandbox")


async def run_campaign_benchmark() -> dict[str, Any]:
    """The 100k campaign end to end, then the 1M snapshot, on one stack."""
    async with running_stack(database="masteria_bench_campaign", base_port=28000) as stack:
        operator = Operator(stack.config.gateway_url)
        operator.http.timeout = 300
        sandbox = Sandbox(stack.config.url("sandbox"))
        admin = await asyncpg.connect(asyncpg_dsn(stack.admin_url))
        figures: dict[str, Any] = {}
        try:
            await operator.signup()
            tenant = uuid.UUID((await operator.get("/auth/me")).json()["tenant"]["id"])
            print(f"==> {RECIPIENTS:,} contacts imported through crm, one number at 1,000/s")
            account = await _prepare(stack, operator, sandbox)
            print(f"==> campaign to {RECIPIENTS:,} recipients, statuses back to delivered")
            before = cpu_seconds(stack, SERVICES)
            figures |= await _campaign_run(stack, operator, account)
            cpu = per_item_ms(before, cpu_seconds(stack, SERVICES), RECIPIENTS)
            figures |= {f"cpu_ms_per_recipient_{name}": ms for name, ms in cpu.items()}
            figures |= _memory(stack, "after_campaign")
            raw = await raw_jetstream_rates(stack.config.infra.nats_url)
            figures |= {f"jetstream_raw_{k}": v for k, v in raw.items()}
            _print(figures)
            if AUDIENCE:
                print(f"==> snapshot of a {AUDIENCE:,}-contact audience")
                snapshot = await _snapshot_run(operator, admin, tenant, account)
                snapshot |= _memory(stack, "after_1m_snapshot", only=("campaigns",))
                _print(snapshot)
                figures |= snapshot
            print("==> pause of a campaign sending at 1,000/s (the bus plays the adapter)")

            async def create(rate: float) -> str:
                return await _create(operator, "Pausa", account, {"filter": {"tags_any": [TAG]}}, mps=rate)

            paused = await pause_at_speed(stack, operator, tenant, create)
            _print(paused)
            figures |= paused
        finally:
            await admin.close()
            await sandbox.close()
            await operator.close()
    return figures


async def _prepare(stack: RunningStack, operator: Operator, sandbox: Sandbox) -> str:
    number, registered = await connect_whatsapp(
        operator, sandbox, stack.config.gateway_url, messaging_limit_tier="TIER_UNLIMITED")
    # Meta's webhooks reach whatsapp-meta directly, as a production ingress routes /webhooks/whatsapp-meta
    # (ADR 11); through the gateway's single-host proxy every status would cost a second HTTP hop.
    direct = f"{stack.config.url('whatsapp-meta')}/webhooks/whatsapp-meta"
    subscription = await sandbox.subscribe(number, direct, registered["verify_token"])
    assert subscription.get("verified") is True, subscription
    response = await operator.patch(f"/api/v1/whatsapp/phone-numbers/{registered['id']}", {"messages_per_second": 1000})
    assert response.status_code == 200, response.text
    await sandbox.meta_behaviour(number, statuses=["sent", "delivered"], status_delay_ms=200, mps_limit=1000)
    started = time.perf_counter()
    sheet = ("clientes.csv", _sheet(RECIPIENTS), "text/csv")
    response = await operator.post("/api/v1/contacts/imports", files={"file": sheet},
                                   data={"mapping": json.dumps(MAPPING), "default_country": "BR"})
    assert response.status_code == 202, response.text
    await wait_for(lambda: _audience_is(operator, RECIPIENTS), within=900, interval=1.0)
    print(f"    contacts in campaigns' audience view after {time.perf_counter() - started:.1f} s")
    return str(registered["id"])


def _sheet(rows: int) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(list(MAPPING))
    for i in range(rows):
        writer.writerow([f"+5511{9_0000_0000 + i}", f"Cliente {i}", TAG])
    return buffer.getvalue().encode()


async def _audience_is(operator: Operator, expected: int) -> bool:
    response = await operator.post("/api/v1/campaigns/audience/count", {
        "channel": "whatsapp_meta", "audience": {"filter": {"tags_any": [TAG]}}})
    return response.status_code == 200 and int(response.json()["total"]) >= expected


async def _campaign_run(stack: RunningStack, operator: Operator, account: str) -> dict[str, Any]:
    campaign = await _create(operator, "Black Friday", account, {"filter": {"tags_any": [TAG]}}, mps=1000)
    launched = time.perf_counter()
    response = await operator.post(f"/api/v1/campaigns/{campaign}/launch")
    assert response.status_code == 202, response.text
    peak_queue = 0
    first_all_dispatched: float | None = None
    deadline = launched + 1800
    while True:
        state = (await operator.get(f"/api/v1/campaigns/{campaign}")).json()
        counts = state["counts"]
        dispatched = RECIPIENTS - counts["pending"] - counts["skipped"]
        if first_all_dispatched is None and counts["pending"] == 0 and state["snapshot"]["state"] == "done":
            first_all_dispatched = time.perf_counter()
        peak_queue = max(peak_queue, counts["queued"])
        final = counts["delivered"] + counts["read"] + counts["failed"] + counts["unknown"]
        if final >= RECIPIENTS - counts["skipped"]:
            break
        if time.perf_counter() > deadline:
            raise TimeoutError(f"campaign not finished after 30 min: {counts}")
        await asyncio.sleep(0.5)
    finished = time.perf_counter()
    elapsed = finished - launched
    return {
        "recipients": RECIPIENTS,
        "snapshot_100k_ms": state["snapshot"]["took_ms"],
        "launch_to_all_delivered_s": round(elapsed, 1),
        "recipients_per_s_end_to_end": round(RECIPIENTS / elapsed, 1),
        "dispatch_per_s": round(dispatched / ((first_all_dispatched or finished) - launched), 1),
        "delivered": counts["delivered"] + counts["read"],
        "failed": counts["failed"],
        "unknown": counts["unknown"],
        "skipped": counts["skipped"],
        "peak_in_flight": peak_queue,
    }


async def _create(operator: Operator, name: str, account: str, audience: dict[str, Any], *, mps: float,
                  start_at: datetime | None = None) -> str:
    body: dict[str, Any] = {
        "name": name, "channel": "whatsapp_meta", "audience": audience,
        "message": {"variants": [{"name": "A", "weight": 1, "content": TEMPLATE}]},
        "messages_per_second": mps, "channel_account_ids": [account], "duplicate_window_hours": 0,
    }
    if start_at is not None:
        body["schedule"] = {"start_at": start_at.isoformat()}
    response = await operator.post("/api/v1/campaigns", body)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def _snapshot_run(
    operator: Operator, admin: asyncpg.Connection, tenant: uuid.UUID, account: str
) -> dict[str, Any]:
    started = time.perf_counter()
    now = datetime.now(UTC)
    rows: Iterator[tuple[object, ...]] = (
        (tenant, uuid.uuid4(), f"+5521{9_0000_0000 + i}", f"Pessoa {i}", ["million"], "{}", [], False, now)
        for i in range(AUDIENCE)
    )
    await admin.copy_records_to_table(
        "contacts", schema_name="campaigns", records=rows,
        columns=["tenant_id", "contact_id", "phone", "name", "tags", "custom_fields", "opted_out", "deleted",
                 "updated_at"])
    await admin.execute("ANALYZE campaigns.contacts")
    print(f"    {AUDIENCE:,} contacts copied into the audience view in {time.perf_counter() - started:.1f} s")
    # Scheduled a day ahead: the launch takes the snapshot now and sends nothing.
    campaign = await _create(operator, "Milhão", account, {"filter": {"tags_any": ["million"]}}, mps=1000,
                             start_at=datetime.now(UTC) + timedelta(days=1))
    requested = time.perf_counter()
    response = await operator.post(f"/api/v1/campaigns/{campaign}/launch")
    assert response.status_code == 202, response.text

    async def snapshot() -> dict[str, Any] | None:
        body = (await operator.get(f"/api/v1/campaigns/{campaign}")).json()
        return body["snapshot"] if body["snapshot"]["state"] == "done" else None

    done = await wait_for(snapshot, within=600, interval=0.2)
    wall = time.perf_counter() - requested
    await operator.post(f"/api/v1/campaigns/{campaign}/cancel")
    return {
        "audience": AUDIENCE,
        "snapshot_1m_recipients": done["total"],
        "snapshot_1m_ms": done["took_ms"],
        "snapshot_1m_launch_to_done_s": round(wall, 1),
    }


def _memory(stack: RunningStack, label: str, only: tuple[str, ...] = SERVICES) -> dict[str, Any]:
    figures: dict[str, Any] = {}
    for name in only:
        pid = stack.supervisor.pid(name)
        if pid is None:
            continue
        status = Path(f"/proc/{pid}/status").read_text()
        peak_kb = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:"))
        figures[f"peak_rss_mb_{name}_{label}"] = round(peak_kb / 1024, 1)
    return figures


def _print(figures: dict[str, Any]) -> None:
    for key, value in figures.items():
        print(f"    {key:<44} {value}")


if __name__ == "__main__":
    asyncio.run(run_campaign_benchmark())
