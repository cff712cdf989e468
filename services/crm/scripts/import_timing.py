"""Time a 100,000-row contact import end to end (not part of the test suite; the lead turns it into a bench).

Runs crm in-process against a fresh database on the local engines (the same ones the integration tests
use: set MASTERIA_VAR_DIR / MASTERIA_*_PORT to pick them), uploads a generated CSV (1% bad rows) through
the API and prints how long the import took, rows per second, and when the outbox had published every
contact event. A second run of the same file measures a re-import (every row an unchanged upsert).

    uv run python services/crm/scripts/import_timing.py [rows] [--no-contact-events]

``--no-contact-events`` runs with CRM_IMPORT_CONTACT_EVENTS=false (progress events only).
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import sys
import time
import uuid

import asyncpg

from masteria.crm.main import build_service
from masteria.crm.settings import CrmSettings
from masteria.devstack.harness import fresh_database, running_service, settings_env, wait_for
from masteria.devstack.postgres import asyncpg_dsn
from masteria.devstack.secrets_file import DevSecrets
from masteria.security.internal_token import Identity, InternalTokenIssuer


def generate(rows: int) -> bytes:
    """A realistic sheet: formatted Brazilian mobiles, names, emails, tags, two custom fields; 1% bad phones."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["Telefone", "Nome", "E-mail", "Etiquetas", "Cidade", "Plano"])
    for i in range(rows):
        phone = "123" if i % 100 == 99 else f"(11) 9{i // 10000:04d}-{i % 10000:04d}"
        writer.writerow([phone, f"Cliente {i}", f"cliente{i}@example.com", "lote;bench", "São Paulo", "ouro"])
    return buffer.getvalue().encode()


async def main(rows: int, contact_events: bool = True) -> None:
    secrets = DevSecrets.generate()
    async with fresh_database("crm_import_timing") as database:
        settings = CrmSettings(**settings_env(database, secrets), import_contact_events=contact_events)
        async with running_service("crm", lambda: build_service(settings)) as crm:
            tenant = uuid.uuid4()
            token = InternalTokenIssuer(secrets.internal_token_private_key).issue(
                Identity(tenant, uuid.uuid4(), ("admin",)), audience="crm"
            )
            headers = {"Authorization": f"Bearer {token}"}
            data = generate(rows)
            mapping = {
                "Telefone": "phone",
                "Nome": "name",
                "E-mail": "email",
                "Etiquetas": "tags",
                "Cidade": "custom:cidade",
                "Plano": "custom:plano",
            }
            admin = await asyncpg.connect(asyncpg_dsn(database.admin_url))
            try:
                for label in ("first import", "re-import (all unchanged)"):
                    started = time.perf_counter()
                    response = await crm.client.post(
                        "/api/v1/contacts/imports",
                        headers=headers,
                        data={"mapping": json.dumps(mapping), "default_country": "BR"},
                        files={"file": ("bench.csv", data, "text/csv")},
                        timeout=120,
                    )
                    assert response.status_code == 202, response.text
                    accepted = time.perf_counter() - started
                    import_id = response.json()["id"]

                    async def done(import_id: str = import_id) -> object:
                        job = (await crm.client.get(f"/api/v1/contacts/imports/{import_id}", headers=headers)).json()
                        return job if job["state"] != "running" else None

                    job = await wait_for(done, within=600, interval=0.05)
                    imported = time.perf_counter() - started
                    await wait_for(lambda: _outbox_empty(admin), within=600, interval=0.1)
                    published = time.perf_counter() - started
                    print(
                        f"{label}: {rows} rows ({len(data) / 1e6:.1f} MB), state={job['state']}, "
                        f"imported={job['imported_rows']} created={job['created_rows']} "
                        f"updated={job['updated_rows']} failed={job['failed_rows']}"
                    )
                    print(
                        f"  202 after {accepted:.2f}s; completed after {imported:.2f}s "
                        f"({rows / imported:,.0f} rows/s); every event published after {published:.2f}s"
                    )
            finally:
                await admin.close()


async def _outbox_empty(admin: asyncpg.Connection) -> bool:
    return await admin.fetchval("SELECT count(*) FROM crm.outbox") == 0


if __name__ == "__main__":
    numbers = [a for a in sys.argv[1:] if a.isdigit()]
    asyncio.run(main(int(numbers[0]) if numbers else 100_000, "--no-contact-events" not in sys.argv))
