"""Contacts: a 100,000-row CSV imported through the gateway, as an operator uploads it.

The sheet is realistic (formatted Brazilian mobiles, names, emails, tags, two custom fields) with 1%
bad phones, which must come back in the error report, one row each. Printed: time to the 202, time to
completed, rows per second, the counts, the error report's size, and when crm's outbox had published
every contact event. A second upload of the same file measures a re-import (every row an upsert).
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import time
from typing import Any

import asyncpg

from masteria.devstack.harness import wait_for
from masteria.devstack.postgres import asyncpg_dsn
from masteria.e2e.clients import Operator
from masteria.e2e.stack import running_stack

ROWS = 100_000
MAPPING = {"Telefone": "phone", "Nome": "name", "E-mail": "email", "Etiquetas": "tags",
           "Cidade": "custom:cidade", "Plano": "custom:plano"}


def sheet(rows: int) -> bytes:
    """The CSV an operator exports from a spreadsheet; every 100th phone is invalid."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(list(MAPPING))
    for i in range(rows):
        phone = "123" if i % 100 == 99 else f"(11) 9{i // 10000:04d}-{i % 10000:04d}"
        writer.writerow([phone, f"Cliente {i}", f"cliente{i}@example.com", "lote;bench", "São Paulo", "ouro"])
    return buffer.getvalue().encode()


async def run_import_benchmark() -> dict[str, Any]:
    """Two uploads of the same 100,000-row file: first import, then re-import."""
    async with running_stack(database="masteria_bench_import", base_port=28000) as stack:
        operator = Operator(stack.config.gateway_url)
        operator.http.timeout = 300
        await operator.signup()
        admin = await asyncpg.connect(asyncpg_dsn(stack.admin_url))
        data = sheet(ROWS)
        figures: dict[str, Any] = {"rows": ROWS, "megabytes": round(len(data) / 1e6, 1)}
        try:
            for label in ("first", "reimport"):
                print(f"==> {label} import of {ROWS:,} rows ({len(data) / 1e6:.1f} MB) through the gateway")
                result = await _one_import(operator, admin, data)
                for key, value in result.items():
                    print(f"    {key:<28} {value}")
                figures |= {f"{label}_{k}": v for k, v in result.items()}
        finally:
            await admin.close()
            await operator.close()
    return figures


async def _one_import(operator: Operator, admin: asyncpg.Connection, data: bytes) -> dict[str, Any]:
    started = time.perf_counter()
    response = await operator.post("/api/v1/contacts/imports", files={"file": ("clientes.csv", data, "text/csv")},
                                   data={"mapping": json.dumps(MAPPING), "default_country": "BR"})
    assert response.status_code == 202, response.text
    accepted = time.perf_counter() - started
    import_id = response.json()["id"]

    async def finished() -> dict[str, Any] | None:
        job: dict[str, Any] = (await operator.get(f"/api/v1/contacts/imports/{import_id}")).json()
        return job if job["state"] != "running" else None

    job = await wait_for(finished, within=600, interval=0.1)
    completed = time.perf_counter() - started
    await wait_for(lambda: _outbox_empty(admin), within=600, interval=0.1)
    published = time.perf_counter() - started
    report = await operator.get(f"/api/v1/contacts/imports/{import_id}/errors.csv")
    return {
        "state": job["state"],
        "imported": job["imported_rows"],
        "failed": job["failed_rows"],
        "error_report_rows": max(0, len(report.text.strip().splitlines()) - 1),
        "accepted_after_s": round(accepted, 2),
        "completed_after_s": round(completed, 2),
        "rows_per_s": round(ROWS / completed),
        "events_published_after_s": round(published, 2),
    }


async def _outbox_empty(admin: asyncpg.Connection) -> bool:
    return bool(await admin.fetchval("SELECT count(*) = 0 FROM crm.outbox"))


if __name__ == "__main__":
    print(asyncio.run(run_import_benchmark()))
