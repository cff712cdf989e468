"""Templates: seeded per WABA, listed with Meta's paging, added through the control API, sends validated."""

from typing import Any

import httpx
import pytest

from masteria.sandbox.testing import WebhookReceiver, wait_until

PHONE_NUMBER_ID = "106540352242922"  # the conftest's number
WABA_ID = "102290129340398"
SEND_URL = f"/graph/v21.0/{PHONE_NUMBER_ID}/messages"
LIST_URL = f"/graph/v21.0/{WABA_ID}/message_templates"
AUTH = {"Authorization": "Bearer EAAG-sandbox-token"}


@pytest.fixture
async def number(register: Any) -> dict[str, Any]:
    """The test number; its statuses go nowhere (these tests read answers and the ledger)."""
    body: dict[str, Any] = await register("http://127.0.0.1:9/webhook")
    return body


def template_send(name: str, language: str = "pt_BR", components: list[Any] | None = None) -> dict[str, Any]:
    """A template send to a customer who never wrote (templates need no window)."""
    obj: dict[str, Any] = {"name": name, "language": {"code": language}}
    if components is not None:
        obj["components"] = components
    return {"messaging_product": "whatsapp", "to": "5511999990001", "type": "template", "template": obj}


def body(*values: str) -> dict[str, Any]:
    """A body component with text parameters."""
    return {"type": "body", "parameters": [{"type": "text", "text": v} for v in values]}


async def all_pages(client: httpx.AsyncClient, url: str, **params: Any) -> list[dict[str, Any]]:
    """Follow `paging.next` from the first page to the last."""
    pages = []
    response = await client.get(url, params=params, headers=AUTH)
    while True:
        assert response.status_code == 200, response.text
        page = response.json()
        pages.append(page)
        next_url = page.get("paging", {}).get("next")
        if next_url is None:
            return pages
        response = await client.get(next_url, headers=AUTH)


async def test_seeded_templates_are_listed_with_metas_paging(client: httpx.AsyncClient, number: dict[str, Any]) -> None:
    pages = await all_pages(client, LIST_URL, limit=3)

    templates = [t for page in pages for t in page["data"]]
    assert [len(p["data"]) for p in pages] == [3, 3, 3, 1]
    assert len({t["id"] for t in templates}) == 10
    assert "previous" not in pages[0]["paging"]
    assert all("previous" in p["paging"] for p in pages[1:])
    assert pages[0]["paging"]["cursors"]["after"] != pages[0]["paging"]["cursors"]["before"]
    by_name = {t["name"]: t for t in templates}
    assert by_name["hello_world"]["language"] == "en_US"
    welcome = by_name["boas_vindas"]
    assert set(welcome) == {"id", "name", "language", "status", "category", "parameter_format", "components"}
    assert (welcome["language"], welcome["status"], welcome["category"]) == ("pt_BR", "APPROVED", "UTILITY")
    assert "{{1}}" in next(c["text"] for c in welcome["components"] if c["type"] == "BODY")
    assert by_name["atualizacao_entrega"]["parameter_format"] == "NAMED"
    assert {t["status"] for t in templates} == {"APPROVED", "PAUSED", "REJECTED"}
    assert {t["category"] for t in templates} == {"UTILITY", "MARKETING", "AUTHENTICATION"}
    # Ids grow with creation, so any natural order lists the seeds alike.
    ids = [int(t["id"]) for t in templates]
    assert ids == sorted(ids)


async def test_previous_leads_back(client: httpx.AsyncClient, number: dict[str, Any]) -> None:
    first = (await client.get(LIST_URL, params={"limit": 4}, headers=AUTH)).json()
    second = (await client.get(first["paging"]["next"], headers=AUTH)).json()

    back = (await client.get(second["paging"]["previous"], headers=AUTH)).json()

    assert back["data"] == first["data"]


async def test_filters_and_fields(client: httpx.AsyncClient, number: dict[str, Any]) -> None:
    params = {"status": "APPROVED", "category": "MARKETING", "fields": "name,status"}
    response = await client.get(LIST_URL, params=params, headers=AUTH)

    assert response.json()["data"] == [
        {"id": response.json()["data"][0]["id"], "name": "promocao_relampago", "status": "APPROVED"}
    ]
    named = await client.get(LIST_URL, params={"name": "CONSULTA", "language": "pt_BR"}, headers=AUTH)
    assert [t["name"] for t in named.json()["data"]] == ["lembrete_consulta"]
    nothing = await client.get(LIST_URL, params={"name": "nada"}, headers=AUTH)
    assert nothing.json() == {"data": []}


async def test_listing_needs_a_token_of_the_waba(client: httpx.AsyncClient, number: dict[str, Any]) -> None:
    other = {k: v for k, v in number.items() if k != "answer"}
    await client.post(
        "/_sandbox/meta/numbers",
        json={**other, "phone_number_id": "777", "waba_id": "888", "access_token": "other-token"},
    )

    foreign = await client.get(LIST_URL, headers={"Authorization": "Bearer other-token"})
    unknown = await client.get(LIST_URL, headers={"Authorization": "Bearer nobody"})

    assert foreign.status_code == 400
    assert (foreign.json()["error"]["code"], foreign.json()["error"]["error_subcode"]) == (100, 33)
    assert unknown.status_code == 401
    assert unknown.json()["error"]["code"] == 190
    own = await client.get("/graph/v21.0/888/message_templates", headers={"Authorization": "Bearer other-token"})
    assert len(own.json()["data"]) == 10  # every WABA gets its own seeds


@pytest.mark.parametrize(
    ("payload", "components"),
    [
        pytest.param(template_send("boas_vindas"), [body("Maria")], id="one-body-variable"),
        pytest.param(template_send("hello_world", "en_US"), None, id="no-variables"),
        pytest.param(
            template_send("confirmacao_pedido"),
            [
                {"type": "header", "parameters": [{"type": "text", "text": "#1"}]},
                body("Maria", "#1", "R$ 10,00"),
                {"type": "button", "sub_type": "url", "index": "0", "parameters": [{"type": "text", "text": "1"}]},
            ],
            id="header-body-url-button",
        ),
        pytest.param(
            template_send("segunda_via_boleto"),
            [
                {"type": "header", "parameters": [{"type": "document", "document": {"link": "https://x/b.pdf"}}]},
                body("Carlos", "10/04"),
            ],
            id="document-header",
        ),
        pytest.param(
            template_send("atualizacao_entrega"),
            [
                {
                    "type": "body",
                    "parameters": [
                        {"type": "text", "parameter_name": "pedido", "text": "#1"},
                        {"type": "text", "parameter_name": "nome", "text": "Maria"},
                        {"type": "text", "parameter_name": "previsao", "text": "hoje"},
                    ],
                }
            ],
            id="named",
        ),
        pytest.param(
            template_send("codigo_verificacao"),
            [
                body("123456"),
                {"type": "button", "sub_type": "url", "index": 0, "parameters": [{"type": "text", "text": "123456"}]},
            ],
            id="authentication",
        ),
    ],
)
async def test_valid_template_sends_are_accepted(
    client: httpx.AsyncClient, number: dict[str, Any], payload: dict[str, Any], components: list[Any] | None
) -> None:
    if components is not None:
        payload["template"]["components"] = components

    response = await client.post(SEND_URL, json=payload, headers=AUTH)

    assert response.status_code == 200, response.text
    assert response.json()["messages"][0]["message_status"] == "accepted"
    (entry,) = (await client.get("/_sandbox/meta/ledger")).json()
    assert (entry["type"], entry["fails_with"]) == ("template", None)


@pytest.mark.parametrize(
    ("payload", "status", "code", "details"),
    [
        pytest.param(
            template_send("nao_existe", components=[]),
            404,
            132001,
            "template name (nao_existe) does not exist in pt_BR",
            id="unknown",
        ),
        pytest.param(
            template_send("boas_vindas", "en_US", [body("Maria")]),
            404,
            132001,
            "template name (boas_vindas) does not exist in en_US",
            id="wrong-language",
        ),
        pytest.param(template_send("oferta_imperdivel", components=[body("Maria")]), 404, 132001, None, id="rejected"),
        pytest.param(template_send("pesquisa_satisfacao", components=[body("Maria")]), 400, 132015, None, id="paused"),
        pytest.param(
            template_send("boas_vindas", components=[]),
            400,
            132000,
            "body: number of localizable_params (0) does not match the expected number of params (1)",
            id="missing-variable",
        ),
        pytest.param(
            template_send("boas_vindas", components=[body("a", "b")]),
            400,
            132000,
            "body: number of localizable_params (2) does not match the expected number of params (1)",
            id="extra-variable",
        ),
        pytest.param(template_send("hello_world", "en_US", [body("x")]), 400, 132000, None, id="variable-for-none"),
        pytest.param(
            template_send("confirmacao_pedido", components=[body("a", "b", "c")]),
            400,
            132000,
            "header: number of localizable_params (0) does not match the expected number of params (1)",
            id="missing-header",
        ),
        pytest.param(
            template_send(
                "promocao_relampago",
                components=[{"type": "header", "parameters": [{"type": "text", "text": "x"}]}, body("a", "b", "c")],
            ),
            400,
            132012,
            "header: Format mismatch, expected IMAGE, received TEXT",
            id="header-format",
        ),
        pytest.param(
            template_send("codigo_verificacao", components=[body("123456")]),
            400,
            132000,
            None,
            id="missing-button-parameter",
        ),
        pytest.param(
            template_send("atualizacao_entrega", components=[body("a", "b", "c")]),
            400,
            132000,
            None,
            id="named-without-names",
        ),
    ],
)
async def test_invalid_template_sends_are_refused(
    client: httpx.AsyncClient,
    number: dict[str, Any],
    payload: dict[str, Any],
    status: int,
    code: int,
    details: str | None,
) -> None:
    response = await client.post(SEND_URL, json=payload, headers=AUTH)

    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code
    assert error["message"].startswith(f"(#{code}) ")
    assert error["error_data"]["messaging_product"] == "whatsapp"
    if details is not None:
        assert error["error_data"]["details"] == details
    assert (await client.get("/_sandbox/meta/ledger")).json() == []


async def test_a_template_added_through_the_control_api_can_be_listed_and_sent(
    client: httpx.AsyncClient, number: dict[str, Any]
) -> None:
    new = {
        "waba_id": WABA_ID,
        "name": "aviso_pagamento",
        "category": "UTILITY",
        "components": [
            {
                "type": "BODY",
                "text": "Olá {{cliente}}, recebemos {{valor}}.",
                "example": {
                    "body_text_named_params": [
                        {"param_name": "cliente", "example": "Ana"},
                        {"param_name": "valor", "example": "R$ 5"},
                    ]
                },
            }
        ],
    }

    created = await client.post("/_sandbox/meta/templates", json=new)

    assert created.status_code == 201, created.text
    template = created.json()
    assert (template["parameter_format"], template["status"], template["language"]) == ("NAMED", "APPROVED", "pt_BR")
    listed = (await client.get(LIST_URL, params={"name": "aviso_pagamento"}, headers=AUTH)).json()["data"]
    assert listed == [template]
    components = [
        {
            "type": "body",
            "parameters": [
                {"type": "text", "parameter_name": "cliente", "text": "Ana"},
                {"type": "text", "parameter_name": "valor", "text": "R$ 5"},
            ],
        }
    ]
    sent = await client.post(SEND_URL, json=template_send("aviso_pagamento", components=components), headers=AUTH)
    assert sent.status_code == 200, sent.text

    # Re-posting changes it in place (same id): here Meta pauses it.
    paused = await client.post("/_sandbox/meta/templates", json={**new, "status": "PAUSED"})
    assert paused.json()["id"] == template["id"]
    refused = await client.post(SEND_URL, json=template_send("aviso_pagamento", components=components), headers=AUTH)
    assert refused.json()["error"]["code"] == 132015
    deleted = await client.delete(f"/_sandbox/meta/templates/{template['id']}", params={"waba_id": WABA_ID})
    assert deleted.status_code == 204
    gone = await client.post(SEND_URL, json=template_send("aviso_pagamento", components=components), headers=AUTH)
    assert gone.json()["error"]["code"] == 132001


@pytest.mark.parametrize(
    "bad",
    [
        {"name": "Com Espaço"},
        {"components": []},
        {"components": [{"type": "FOOTER", "text": "x"}]},
        {"components": [{"type": "BODY", "text": "a"}, {"type": "BODY", "text": "b"}]},
        {"status": "MAYBE"},
    ],
)
async def test_control_refuses_malformed_templates(client: httpx.AsyncClient, bad: dict[str, Any]) -> None:
    good = {"waba_id": WABA_ID, "name": "ok", "components": [{"type": "BODY", "text": "oi"}]}

    assert (await client.post("/_sandbox/meta/templates", json={**good, **bad})).status_code == 422


async def test_template_statuses_carry_the_template_category(
    client: httpx.AsyncClient, register: Any, receiver: WebhookReceiver
) -> None:
    await register(receiver.url)
    await client.put(
        f"/_sandbox/meta/numbers/{PHONE_NUMBER_ID}/behaviour", json={"status_delay_ms": 0, "statuses": ["sent"]}
    )
    payload = template_send(
        "promocao_relampago",
        components=[
            {"type": "header", "parameters": [{"type": "image", "image": {"link": "https://x/a.jpg"}}]},
            body("Maria", "30%", "X"),
        ],
    )

    assert (await client.post(SEND_URL, json=payload, headers=AUTH)).status_code == 200

    await wait_until(lambda: len(receiver.valid()) == 1, what="the sent status")
    (status,) = receiver.valid()[0].json()["entry"][0]["changes"][0]["value"]["statuses"]
    assert status["pricing"] == {"billable": True, "pricing_model": "CBP", "category": "marketing"}
    assert status["conversation"]["origin"] == {"type": "marketing"}
