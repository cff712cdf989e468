"""CSV audiences: a file of numbers as people export it becomes an audience of known contacts, row by row."""

from __future__ import annotations

import uuid

import pytest

from masteria.campaigns.tools.settings import ToolsSettings
from masteria.devstack.harness import RunningService, wait_for
from masteria.security.internal_token import InternalTokenIssuer

from .helpers import created, envelope, publish, rows
from .test_tools_support import ToolsApi, execute, seed_contacts

pytestmark = pytest.mark.integration
BASE = "/api/v1/campaigns/uploads"
CSV = {"Content-Type": "text/csv; charset=utf-8"}


async def test_an_upload_matches_contacts_by_number_and_reports_every_other_row(
    campaigns: RunningService, issuer: InternalTokenIssuer
) -> None:
    tenant = uuid.uuid4()
    api = ToolsApi(campaigns, issuer, tenant)
    maria, joao = created("+5511999990001", name="Maria"), created("+5511999990002", name="João")
    gone = created("+5511999990003", name="Gone")
    await publish(*(envelope(c, tenant) for c in (maria, joao, gone)))
    await wait_for(lambda: rows(campaigns, tenant, "SELECT 1 FROM campaigns.contacts HAVING count(*) = 3"))
    await execute(campaigns, tenant, "UPDATE campaigns.contacts SET deleted = true WHERE phone = '+5511999990003'")

    body = (
        "nome;celular;cidade\n"
        "Maria;(11) 99999-0001;SP\n"
        "Desconhecido;11 98888-7777;RJ\n"
        "João;+55 11 99999 0002;SP\n"
        "Sem número;;BH\n"
        "Maria de novo;11999990001;SP\n"
        "Errado;12345;SP\n"
        "Apagado;11 99999-0003;SP\n"
    )
    report = await api.ok("POST", BASE, 201, content=body.encode(), headers=CSV, params={"name": "lista maio"})
    assert (report["rows"], report["matched"], report["unmatched_count"]) == (7, 2, 5)
    assert report["phone_column"] == "celular"
    assert report["default_country"] == "BR"
    assert [(u["row"], u["phone"], u["reason"]) for u in report["unmatched"]] == [
        (3, "+5511988887777", "unknown_contact"),
        (5, "", "missing_phone"),
        (6, "+5511999990001", "duplicate"),
        (7, "12345", "invalid_number"),
        (8, "+5511999990003", "unknown_contact"),  # a deleted contact is nobody to send to
    ]
    assert report["unmatched_truncated"] is False

    # The upload is an audience: exactly the contacts it matched.
    count = await api.ok(
        "POST",
        "/api/v1/campaigns/audience/count",
        json={"audience": {"upload_id": report["upload_id"]}, "channel": "sms"},
    )
    assert (count["total"], count["sendable"]) == (2, 2)
    stored = await api.ok("GET", f"{BASE}/{report['upload_id']}")
    assert stored["name"] == "lista maio"
    assert stored["unmatched"] == report["unmatched"]
    listed = await api.ok("GET", BASE)
    assert [u["upload_id"] for u in listed["items"]] == [report["upload_id"]]


async def test_a_multipart_form_with_a_named_column_and_another_default_country(
    campaigns: RunningService, issuer: InternalTokenIssuer
) -> None:
    tenant = uuid.uuid4()
    api = ToolsApi(campaigns, issuer, tenant)
    await seed_contacts(campaigns, tenant, [{"phone": "+14155550100"}, {"phone": "+5511999990001"}])
    data = b"phone,Mobile 2\n+5511999990001,(415) 555-0100\n"
    report = await api.ok(
        "POST",
        BASE,
        201,
        files={"file": ("clientes-eua.csv", data, "text/csv")},
        data={"phone_column": "mobile_2", "default_country": "us"},
    )
    assert (report["phone_column"], report["default_country"], report["name"]) == ("Mobile 2", "US", "clientes-eua.csv")
    assert (report["rows"], report["matched"], report["unmatched"]) == (1, 1, [])


async def test_a_bare_list_of_numbers_is_an_audience_too(
    campaigns: RunningService, issuer: InternalTokenIssuer
) -> None:
    tenant = uuid.uuid4()
    api = ToolsApi(campaigns, issuer, tenant)
    await seed_contacts(campaigns, tenant, [{"phone": f"+55119999900{i:02d}"} for i in range(10)])
    body = "".join(f"+55119999900{i:02d}\n" for i in range(0, 20, 2))
    report = await api.ok("POST", BASE, 201, content=body, headers={"Content-Type": "text/plain"})
    assert (report["phone_column"], report["rows"], report["matched"], report["unmatched_count"]) == (None, 10, 5, 5)
    assert report["unmatched"][0] == {
        "row": 6,  # no header: the first line is row 1
        "phone": "+5511999990010",
        "reason": "unknown_contact",
        "detail": "no contact has this number",
    }


async def test_the_report_keeps_the_first_rows_but_counts_them_all(
    campaigns: RunningService, issuer: InternalTokenIssuer
) -> None:
    campaigns.service.http.state.tools_settings = ToolsSettings(upload_report_rows=3)
    try:
        api = ToolsApi(campaigns, issuer, uuid.uuid4())
        body = "phone\n" + "".join(f"+55119888800{i:02d}\n" for i in range(10))
        report = await api.ok("POST", BASE, 201, content=body, headers=CSV)
    finally:
        campaigns.service.http.state.tools_settings = None
    assert (report["rows"], report["matched"], report["unmatched_count"]) == (10, 0, 10)
    assert [u["row"] for u in report["unmatched"]] == [2, 3, 4]
    assert report["unmatched_truncated"] is True


async def test_unusable_uploads_are_refused_with_a_reason(
    campaigns: RunningService, issuer: InternalTokenIssuer
) -> None:
    api = ToolsApi(campaigns, issuer, uuid.uuid4())
    cases = [
        ({"content": b"name,email\nMaria,m@x.com\n", "headers": CSV}, 422, "phone_column_missing"),
        (
            {"content": b"phone\n+5511999990001\n", "headers": CSV, "params": {"phone_column": "tel2"}},
            422,
            "phone_column_missing",
        ),
        (
            {"content": b"phone\n+5511999990001\n", "headers": CSV, "params": {"default_country": "XX"}},
            422,
            "invalid_country",
        ),
        ({"content": b"  \n", "headers": CSV}, 422, "empty_file"),
        ({"content": b"{}", "headers": {"Content-Type": "application/json"}}, 415, "not_csv"),
        ({"files": {"other": ("a.csv", b"phone\n", "text/csv")}}, 422, "file_missing"),
    ]
    for kwargs, status, reason in cases:
        response = await api.call("POST", BASE, **kwargs)
        assert response.status_code == status, (kwargs, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["reason"] == reason
    assert (await api.call("GET", f"{BASE}/{uuid.uuid4()}")).json()["reason"] == "upload_not_found"
    viewer = api.as_role("viewer")
    assert (await viewer.call("POST", BASE, content=b"phone\n+5511999990001\n", headers=CSV)).status_code == 403


async def test_files_past_the_limits_are_refused(campaigns: RunningService, issuer: InternalTokenIssuer) -> None:
    campaigns.service.http.state.tools_settings = ToolsSettings(upload_max_bytes=100, upload_max_rows=3)
    try:
        api = ToolsApi(campaigns, issuer, uuid.uuid4())
        large = await api.call("POST", BASE, content=b"phone\n" + b"+5511999990001\n" * 10, headers=CSV)
        large_form = await api.call("POST", BASE, files={"file": ("a.csv", b"phone\n" + b"1" * 200, "text/csv")})
        long = await api.call("POST", BASE, content=b"phone\n1\n2\n3\n4\n", headers=CSV)
    finally:
        campaigns.service.http.state.tools_settings = None
    assert (large.status_code, large.json()["reason"]) == (413, "too_large")
    assert (large_form.status_code, large_form.json()["reason"]) == (413, "too_large")
    assert (long.status_code, long.json()["reason"]) == (422, "too_many_rows")
