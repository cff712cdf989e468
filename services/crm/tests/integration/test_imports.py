"""CSV imports: good rows in, each bad row reported with its reason, progress published, re-imports upsert,
abandoned imports resumed or failed honestly; export reads back through the import."""

from __future__ import annotations

import csv
import io
import json
import uuid
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from masteria.crm.main import build_service
from masteria.crm.settings import CrmSettings
from masteria.devstack.harness import RunningService, ScratchDatabase, running_service, wait_for
from masteria.devstack.postgres import asyncpg_dsn
from masteria.media import MediaSettings
from masteria.security.internal_token import InternalTokenIssuer

from .helpers import Api, collect

pytestmark = pytest.mark.integration
MAPPING = {"Telefone": "phone", "Nome": "name", "E-mail": "email", "Etiquetas": "tags", "Cidade": "custom:cidade"}


def sheet(rows: list[list[str]], header: list[str] | None = None, delimiter: str = ",") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(header or ["Telefone", "Nome", "E-mail", "Etiquetas", "Cidade"])
    writer.writerows(rows)
    return buffer.getvalue().encode()


async def start(
    a: Api,
    data: bytes,
    *,
    mapping: dict[str, str] | None = MAPPING,
    tags: list[str] | None = None,
    default_country: str = "BR",
    name: str = "contatos.csv",
) -> dict[str, Any]:
    form: dict[str, Any] = {"default_country": default_country}
    if mapping is not None:
        form["mapping"] = json.dumps(mapping)
    if tags:
        form["tags"] = tags
    result: dict[str, Any] = await a.ok(
        "POST", "/api/v1/contacts/imports", 202, data=form, files={"file": (name, data, "text/csv")}
    )
    return result


async def finished(a: Api, import_id: str) -> dict[str, Any]:
    async def done() -> Any:
        job = await a.ok("GET", f"/api/v1/contacts/imports/{import_id}")
        return job if job["state"] != "running" else None

    job: dict[str, Any] = await wait_for(done, within=30)
    return job


async def errors_of(a: Api, import_id: str) -> list[dict[str, str]]:
    response = await a.call("GET", f"/api/v1/contacts/imports/{import_id}/errors.csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.text)))


async def test_good_rows_are_imported_and_each_bad_row_is_reported(
    crm: RunningService, issuer: InternalTokenIssuer
) -> None:
    a = Api(crm, issuer, uuid.uuid4())
    rows = [
        ["11 98765-0001", "Ana", "ana@example.com", "vip;sp", "São Paulo"],  # row 2
        ["", "Sem Telefone", "", "", ""],  # row 3
        ["12345", "Curto", "", "", ""],  # row 4
        ["+55 11 98765-0001", "Ana de novo", "", "", ""],  # row 5
        ["11 98765-0002", "Beto", "beto@", "", ""],  # row 6
        ["", "", "", "", ""],  # row 7: blank, skipped
        *([f"11 9{i:04d}-{i:04d}", f"Cliente {i}", "", "lote", ""] for i in range(1000, 1250)),  # rows 8..257
    ]
    job = await start(a, sheet(rows), tags=["importado, 2026"])
    assert job["state"] == "running"
    assert job["total_rows"] == 255
    done = await finished(a, job["id"])
    assert done["state"] == "completed", done
    assert (done["processed_rows"], done["imported_rows"], done["failed_rows"]) == (255, 251, 4)
    assert (done["created_rows"], done["updated_rows"]) == (251, 0)
    reasons = {int(e["row"]): e["reason"] for e in await errors_of(a, job["id"])}
    assert set(reasons) == {3, 4, 5, 6}
    assert reasons[3] == "phone: missing phone number"
    assert "'12345' is not a valid phone number" in reasons[4]
    assert reasons[5] == "phone: +5511987650001 repeats row 2"
    assert reasons[6].startswith("email:")
    [ana] = (await a.ok("GET", "/api/v1/contacts", params={"q": "98765"}))["items"]
    assert (ana["phone"], ana["name"], ana["email"]) == ("+5511987650001", "Ana", "ana@example.com")
    assert ana["tags"] == ["vip", "sp", "importado", "2026"]
    assert ana["custom_fields"] == {"cidade": "São Paulo"}
    assert len((await a.ok("GET", "/api/v1/contacts", params={"tag": "lote", "limit": 200}))["items"]) == 200

    progress = await collect(
        f"contact.import_progressed.{a.tenant}", lambda seen: any(e["data"]["state"] == "completed" for e in seen)
    )
    processed = [e["data"]["processed_rows"] for e in progress]
    assert processed == sorted(processed)
    assert processed[0] == 0
    assert processed[-1] == 255
    assert len(progress) >= 4  # the start, a batch of 100 rows at a time, the end
    created = await collect(f"contact.created.{a.tenant}", lambda seen: len(seen) >= 251)
    assert {e["data"]["source"] for e in created} == {"import"}


async def test_a_reimport_updates_contacts_by_phone(crm: RunningService, issuer: InternalTokenIssuer) -> None:
    a = Api(crm, issuer, uuid.uuid4())
    first = await start(a, sheet([["11 98765-1001", "Caio", "", "a", "Natal"], ["11 98765-1002", "Duda", "", "", ""]]))
    await finished(a, first["id"])
    second = await start(
        a,
        sheet(
            [
                ["+5511987651001", "", "caio@example.com", "b", "Recife"],  # fills email, adds a tag, changes the city
                ["+5511987651002", "Duda", "", "", ""],  # nothing new
                ["+5511987651003", "Eva", "", "", ""],  # new
            ]
        ),
    )
    done = await finished(a, second["id"])
    assert (done["imported_rows"], done["created_rows"], done["updated_rows"], done["failed_rows"]) == (3, 1, 1, 0)
    [caio] = (await a.ok("GET", "/api/v1/contacts", params={"q": "Caio"}))["items"]
    assert (caio["name"], caio["email"], caio["tags"]) == ("Caio", "caio@example.com", ["a", "b"])
    assert caio["custom_fields"] == {"cidade": "Recife"}
    [updated] = await collect(f"contact.updated.{a.tenant}", lambda seen: len(seen) >= 1)
    assert sorted(updated["data"]["changed"]) == ["custom_fields", "email", "tags"]


async def test_export_streams_the_filtered_contacts_and_reads_back_unchanged(
    crm: RunningService, issuer: InternalTokenIssuer
) -> None:
    a = Api(crm, issuer, uuid.uuid4())
    job = await start(
        a,
        sheet(
            [
                ["11 98765-2001", "Fê", "fe@example.com", "vip", '=HYPERLINK("x")'],
                ["11 98765-2002", "Gil", "", "", "Olinda"],
            ]
        ),
    )
    await finished(a, job["id"])
    admin = a.as_role("admin")
    response = await admin.call("GET", "/api/v1/contacts/export.csv", params={"tag": "vip"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    exported = list(csv.DictReader(io.StringIO(response.text)))
    assert [r["phone"] for r in exported] == ["+5511987652001"]
    assert exported[0]["custom:cidade"] == '\'=HYPERLINK("x")', "a formula is written as text"
    everyone = await admin.call("GET", "/api/v1/contacts/export.csv")
    back = await start(a, everyone.content.replace(b"'=HYPERLINK", b"=HYPERLINK"), mapping=None)
    done = await finished(a, back["id"])
    assert (done["imported_rows"], done["created_rows"], done["updated_rows"]) == (2, 0, 0), done


@pytest.mark.parametrize(
    ("data", "mapping", "country", "field"),
    [
        (b"Telefone,Nome\n1199,Ana\n", {"Celular": "phone"}, "BR", "mapping"),
        (b"Telefone,Nome\n1199,Ana\n", {"Nome": "name"}, "BR", "mapping"),
        (b"Telefone,Nome\n1199,Ana\n", {"Telefone": "phone", "Nome": "apelido"}, "BR", "mapping"),
        (b"Telefone,Nome\n1199,Ana\n", {"Telefone": "phone"}, "Brasil", "default_country"),
        (b"", {"Telefone": "phone"}, "BR", "file"),
        (b"Foo,Bar\n1,2\n", None, "BR", "mapping"),
    ],
)
async def test_an_import_that_cannot_start_is_422_naming_the_field(
    crm: RunningService,
    issuer: InternalTokenIssuer,
    data: bytes,
    mapping: dict[str, str] | None,
    country: str,
    field: str,
) -> None:
    a = Api(crm, issuer, uuid.uuid4())
    form: dict[str, Any] = {"default_country": country}
    if mapping is not None:
        form["mapping"] = json.dumps(mapping)
    response = await a.call("POST", "/api/v1/contacts/imports", data=form, files={"file": ("x.csv", data, "text/csv")})
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == field
    assert (await a.ok("GET", "/api/v1/contacts/imports"))["items"] == []


async def test_semicolons_and_windows_1252_are_read(crm: RunningService, issuer: InternalTokenIssuer) -> None:
    a = Api(crm, issuer, uuid.uuid4())
    data = sheet([["(11) 98765-3001", "João", "", "", "São José"]], delimiter=";").decode().encode("cp1252")
    done = await finished(a, (await start(a, data))["id"])
    assert done["imported_rows"] == 1
    [joao] = (await a.ok("GET", "/api/v1/contacts"))["items"]
    assert (joao["name"], joao["custom_fields"]) == ("João", {"cidade": "São José"})


async def _abandoned(
    database: ScratchDatabase, tenant: uuid.UUID, data: bytes, *, processed: int, attempts: int
) -> uuid.UUID:
    """An import a crashed worker left behind: running, lease lapsed, some rows done."""
    import_id = uuid.uuid4()
    conn = await asyncpg.connect(asyncpg_dsn(database.admin_url))
    try:
        await conn.execute(
            """INSERT INTO crm.contact_imports (id, tenant_id, state, mapping, default_country, encoding, delimiter,
                   total_rows, processed_rows, imported_rows, attempts, lease_until)
               VALUES ($1, $2, 'running', $3::jsonb, 'BR', 'utf-8-sig', ',', 4, $4, $4, $5,
                       now() - interval '1 min')""",
            import_id,
            tenant,
            json.dumps(MAPPING),
            processed,
            attempts,
        )
        await conn.execute(
            "INSERT INTO crm.contact_import_files (import_id, tenant_id, data) VALUES ($1, $2, $3)",
            import_id,
            tenant,
            data,
        )
    finally:
        await conn.close()
    return import_id


async def test_an_abandoned_import_resumes_after_its_last_batch_or_fails_honestly(
    crm: RunningService, issuer: InternalTokenIssuer, database: ScratchDatabase
) -> None:
    a = Api(crm, issuer, uuid.uuid4())
    data = sheet([[f"11 98765-400{i}", f"P{i}", "", "", ""] for i in range(4)])
    resumed = await _abandoned(database, a.tenant, data, processed=2, attempts=1)
    given_up = await _abandoned(database, a.tenant, data, processed=1, attempts=3)
    await crm.service.http.state.crm.imports.sweep()
    job = await finished(a, str(resumed))
    assert (job["state"], job["processed_rows"], job["imported_rows"]) == ("completed", 4, 4)
    # rows 2 and 3 were committed by the worker that died (not here, in this fake): only rows 4 and 5 ran now
    assert sorted(c["name"] for c in (await a.ok("GET", "/api/v1/contacts"))["items"]) == ["P2", "P3"]
    failed = await finished(a, str(given_up))
    assert failed["state"] == "failed"
    assert "interrupted 3 times" in failed["error"]


async def test_another_tenant_sees_no_import_and_exports_only_its_own(
    crm: RunningService, issuer: InternalTokenIssuer
) -> None:
    a, b = Api(crm, issuer, uuid.uuid4()), Api(crm, issuer, uuid.uuid4())
    job = await start(a, sheet([["11 98765-5001", "Hana", "", "", ""], ["x", "", "", "", ""]]))
    await finished(a, job["id"])
    for path in (f"/api/v1/contacts/imports/{job['id']}", f"/api/v1/contacts/imports/{job['id']}/errors.csv"):
        assert (await b.call("GET", path)).status_code == 404
    assert (await b.ok("GET", "/api/v1/contacts/imports"))["items"] == []
    exported = (await b.as_role("owner").call("GET", "/api/v1/contacts/export.csv")).text
    assert "+5511987655001" not in exported
    assert len(exported.strip().splitlines()) == 1


async def test_a_stopped_process_hands_its_import_back_and_another_finishes_it(
    crm: RunningService,
    issuer: InternalTokenIssuer,
    crm_settings: CrmSettings,
    media_root: Path,
    database: ScratchDatabase,
) -> None:
    media = MediaSettings(MEDIA_STORE_URL=media_root.as_uri())
    rows = [[f"11 9{i // 10000:04d}-{i % 10000:04d}", f"P{i}", "", "", ""] for i in range(20_000)]
    async with running_service("crm", lambda: build_service(crm_settings, media)) as other:
        a = Api(other, issuer, uuid.uuid4())
        job = await start(a, sheet(rows))

        async def underway() -> Any:
            current = await a.ok("GET", f"/api/v1/contacts/imports/{job['id']}")
            return current if current["processed_rows"] > 0 else None

        await wait_for(underway)
    # the other process stopped mid-import: its lease is handed back, not counted as a failure
    conn = await asyncpg.connect(asyncpg_dsn(database.admin_url))
    try:
        state = await conn.fetchrow(
            "SELECT state, attempts, processed_rows, lease_until <= now() AS free"
            " FROM crm.contact_imports WHERE id = $1",
            uuid.UUID(job["id"]),
        )
    finally:
        await conn.close()
    assert (state["state"], state["attempts"], state["free"]) == ("running", 0, True)
    assert 0 < state["processed_rows"] < 20_000
    await crm.service.http.state.crm.imports.sweep()
    here = Api(crm, issuer, a.tenant)
    done = await finished(here, job["id"])
    assert (done["state"], done["processed_rows"], done["imported_rows"], done["failed_rows"]) == (
        "completed",
        20_000,
        20_000,
        0,
    )
    assert done["created_rows"] == 20_000, "no row was written twice"
