"""Dashboard: gzipped size of the initial JavaScript, and time to first render of the inbox with
10,000 conversations in the tenant, in real headless Chromium against the whole stack."""

from __future__ import annotations

import asyncio
import gzip
import re
import statistics
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import nats

from masteria.contracts.channels import Channel
from masteria.contracts.content import TextContent
from masteria.contracts.envelope import Envelope
from masteria.contracts.messages import InboundMessage, Sender
from masteria.contracts.subjects import subject_for
from masteria.devstack.postgres import asyncpg_dsn
from masteria.e2e.clients import Operator
from masteria.e2e.stack import running_stack

DIST = Path(__file__).resolve().parents[1] / "services/gateway/web/dist"
CONVERSATIONS = 10_000
RUNS = 5
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
FIRST_ROW = '[data-testid="conversation-item"]'


def initial_js_gzip_bytes(dist: Path = DIST) -> dict[str, Any]:
    """What the browser must fetch before the first paint: the entry module and its preloads."""
    html = (dist / "index.html").read_text()
    paths = re.findall(r'<script[^>]+type="module"[^>]+src="([^"]+)"', html)
    paths += re.findall(r'<link[^>]+rel="modulepreload"[^>]+href="([^"]+)"', html)
    files = [dist / p.lstrip("/") for p in dict.fromkeys(paths)]
    raw = sum(f.stat().st_size for f in files)
    zipped = sum(len(gzip.compress(f.read_bytes(), compresslevel=9)) for f in files)
    return {"initial_js_files": len(files), "initial_js_bytes": raw, "initial_js_gzip_bytes": zipped}


async def _seed(nats_url: str, tenant: uuid.UUID, count: int) -> None:
    """Customers write to the tenant as whatsapp-meta would publish them; crm stores them."""
    account, now = uuid.uuid4(), datetime.now(UTC)
    nc = await nats.connect(nats_url)
    js = nc.jetstream()
    for start in range(0, count, 500):
        envelopes = [
            Envelope.wrap(InboundMessage(
                channel=Channel.WHATSAPP_META, external_id=f"wamid.ui.{i}", channel_account_id=account,
                business_address="+5511900000000", sender=Sender(address=f"+55119{i:08d}", display_name=f"Cliente {i}"),
                content=TextContent(body=f"mensagem {i}"), sent_at=now, received_at=now), tenant=tenant, source="bench")
            for i in range(start, min(start + 500, count))
        ]
        await asyncio.gather(*(js.publish(subject_for(e), e.model_dump_json().encode(),
                                          headers={"Nats-Msg-Id": str(e.id)}) for e in envelopes))
    await nc.close()


async def run_dashboard_benchmark() -> dict[str, Any]:
    """Seed 10,000 conversations, then time the inbox's first render in Chromium."""
    from playwright.async_api import async_playwright

    figures = initial_js_gzip_bytes()
    async with running_stack(database="masteria_bench_ui", base_port=28000) as stack:
        operator = Operator(stack.config.gateway_url)
        email = f"bench-{uuid.uuid4().hex[:8]}@example.com"
        me = await operator.signup(email=email)
        tenant = uuid.UUID(me["tenant"]["id"])
        print(f"==> seeding {CONVERSATIONS} conversations through NATS")
        await _seed(stack.config.infra.nats_url, tenant, CONVERSATIONS)
        admin = await asyncpg.connect(asyncpg_dsn(stack.admin_url))
        deadline = time.monotonic() + 300
        count_sql = "SELECT count(*) FROM crm.conversations WHERE tenant_id = $1"
        while await admin.fetchval(count_sql, tenant) < CONVERSATIONS:
            if time.monotonic() > deadline:
                raise TimeoutError("crm did not store the seeded conversations")
            await asyncio.sleep(0.2)
        await admin.close()
        cookies = [{"name": c.name, "value": c.value or "", "url": stack.config.gateway_url}
                   for c in operator.http.cookies.jar]
        await operator.close()
        print(f"==> first render of the inbox, {RUNS} cold page loads")
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            timings = []
            for _ in range(RUNS):
                context = await browser.new_context()
                await context.add_cookies(cookies)  # type: ignore[arg-type]
                page = await context.new_page()
                started = time.perf_counter()
                await page.goto(f"{stack.config.gateway_url}/inbox")
                await page.locator(FIRST_ROW).first.wait_for(state="visible", timeout=30_000)
                timings.append((time.perf_counter() - started) * 1000)
                rows = await page.locator(FIRST_ROW).count()
                await context.close()
            await browser.close()
    figures |= {
        "conversations_in_tenant": CONVERSATIONS,
        "inbox_first_render_ms_median": round(statistics.median(timings), 1),
        "inbox_first_render_ms_max": round(max(timings), 1),
        "rows_in_dom_after_first_render": rows,
    }
    return figures
