"""The tools on a million contacts: counting, estimating, previewing and matching an upload stay interactive.

Prints the figures (run with -s to see them). The bounds are generous for a shared 2-core machine; what they
guard against is a tool that reads the audience into Python or sorts it.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from masteria.devstack.harness import RunningService, ScratchDatabase
from masteria.security.internal_token import InternalTokenIssuer

from .test_tools_support import ToolsApi, execute

pytestmark = pytest.mark.integration
MILLION = 1_000_000
# One statement: 10% tagged vip, 1% opted out of SMS, a plan on half of them, accented names on a fifth.
SEED = """
INSERT INTO campaigns.contacts (contact_id, tenant_id, phone, name, tags, custom_fields, opted_out)
SELECT uuidv7(), :t, '+55119' || lpad(i::text, 8, '0'),
       CASE WHEN i % 5 = 0 THEN 'João ' ELSE 'Ana ' END || i,
       CASE WHEN i % 10 = 0 THEN ARRAY['vip', 'all'] ELSE ARRAY['all'] END,
       CASE WHEN i % 2 = 0 THEN jsonb_build_object('plan', 'gold') ELSE '{}'::jsonb END,
       CASE WHEN i % 100 = 0 THEN ARRAY['sms'] ELSE '{}'::text[] END
  FROM generate_series(1, :n) AS i
"""


async def timed(api: ToolsApi, path: str, body: Any = None, **kwargs: Any) -> tuple[Any, float]:
    started = time.perf_counter()
    answer = await api.ok("POST", path, 201 if path.endswith("uploads") else 200, json=body, **kwargs)
    return answer, time.perf_counter() - started


async def analyze(database: ScratchDatabase) -> None:
    # As the schema owner (the app role may not): the planner must know the table is no longer empty.
    engine = create_async_engine(database.admin_url)
    try:
        async with engine.begin() as conn:
            await conn.execute(text("ANALYZE campaigns.contacts"))
    finally:
        await engine.dispose()


async def test_a_million_contacts(
    campaigns: RunningService, issuer: InternalTokenIssuer, database: ScratchDatabase
) -> None:
    tenant = uuid.uuid4()
    api = ToolsApi(campaigns, issuer, tenant)
    started = time.perf_counter()
    await execute(campaigns, tenant, SEED, t=tenant, n=MILLION)
    await analyze(database)
    print(f"\nseeded {MILLION} contacts in {time.perf_counter() - started:.1f}s")

    everyone, took = await timed(
        api, "/api/v1/campaigns/audience/count", {"audience": {"filter": {}}, "channel": "sms"}
    )
    print(f"count everyone: {took * 1000:.0f} ms (query {everyone['took_ms']} ms)")
    assert (everyone["total"], everyone["opted_out"], everyone["sendable"]) == (MILLION, 10_000, 990_000)
    assert took < 5

    vip, took = await timed(
        api, "/api/v1/campaigns/audience/count", {"audience": {"filter": {"tags_any": ["vip"]}}, "channel": "sms"}
    )
    print(f"count vip: {took * 1000:.0f} ms")
    assert (vip["total"], vip["opted_out"]) == (100_000, 10_000)
    assert took < 5

    message = {
        "variants": [{"name": "A", "content": {"kind": "text", "body": "Oi {{first_name}}, plano {{custom.plan}}"}}]
    }
    body = {"channel": "sms", "message": message, "audience": {"filter": {}}}
    estimate, took = await timed(api, "/api/v1/campaigns/estimate", body)
    print(f"estimate on a sample of {estimate['sample_size']}: {took * 1000:.0f} ms")
    [variant] = estimate["variants"]
    # Half have no plan (missing variable); a fifth of the rest are João (UCS-2); everything fits one segment.
    assert estimate["recipients"] == pytest.approx(495_000, rel=0.1)
    assert variant["encodings"]["UCS-2"] == pytest.approx(variant["encodings"]["GSM-7"] / 4, rel=0.5)
    assert took < 5

    preview, took = await timed(
        api, "/api/v1/campaigns/preview", {**body, "audience": {"filter": {"tags_any": ["vip"]}}}
    )
    print(f"preview: {took * 1000:.0f} ms")
    assert len(preview["items"]) == 5
    assert took < 5

    rows = 100_000  # every tenth contact, written as people write numbers
    csv = "phone\n" + "".join(f"(11) 9{i:08d}\n" for i in range(1, MILLION + 1, MILLION // rows))
    report, took = await timed(api, "/api/v1/campaigns/uploads", content=csv, headers={"Content-Type": "text/csv"})
    print(f"upload of {report['rows']} rows matched against {MILLION}: {took * 1000:.0f} ms")
    assert report["matched"] == report["rows"] == rows
    assert took < 30
