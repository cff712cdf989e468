"""Media: Graph upload, lookup and authenticated download; customers sending media and other message types."""

import base64
import hashlib
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest

from masteria.sandbox.testing import WebhookReceiver

PHONE_NUMBER_ID = "106540352242922"  # the conftest's number
AUTH = {"Authorization": "Bearer EAAG-sandbox-token"}
UPLOAD_URL = f"/graph/v21.0/{PHONE_NUMBER_ID}/media"
WRITE_URL = f"/_sandbox/meta/numbers/{PHONE_NUMBER_ID}/customers/write"
JPEG = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 4 + b"\xff\xd9"


async def upload(
    client: httpx.AsyncClient, data: bytes = JPEG, mime: str = "image/jpeg", **form: str
) -> httpx.Response:
    """Upload through Graph as a business does."""
    fields = {"messaging_product": "whatsapp", "type": mime, **form}
    return await client.post(UPLOAD_URL, files={"file": ("foto.jpg", data, mime)}, data=fields, headers=AUTH)


def only_message(receiver: WebhookReceiver) -> dict[str, Any]:
    """The single message of the single delivery."""
    (delivery,) = receiver.received
    assert delivery.signature_valid
    (message,) = delivery.json()["entry"][0]["changes"][0]["value"]["messages"]
    result: dict[str, Any] = message
    return result


async def test_upload_lookup_and_download_round_trip(client: httpx.AsyncClient, number: dict[str, Any]) -> None:
    uploaded = await upload(client)
    assert uploaded.status_code == 200, uploaded.text
    media_id = uploaded.json()["id"]
    assert media_id.isdigit()

    info = (await client.get(f"/graph/v21.0/{media_id}", headers=AUTH)).json()

    assert info == {
        "messaging_product": "whatsapp",
        "url": info["url"],
        "mime_type": "image/jpeg",
        "sha256": hashlib.sha256(JPEG).hexdigest(),
        "file_size": len(JPEG),
        "id": media_id,
    }
    download = await client.get(info["url"], headers=AUTH)
    assert download.status_code == 200
    assert download.content == JPEG
    assert download.headers["content-type"] == "image/jpeg"
    assert (await client.get(info["url"])).status_code == 401
    assert (await client.get(info["url"], headers={"Authorization": "Bearer wrong"})).status_code == 401
    # The control API reads the same bytes (to check what a business sent).
    assert (await client.get(f"/_sandbox/meta/media/{media_id}")).content == JPEG


async def test_download_urls_cannot_be_forged_or_used_by_another_waba(
    client: httpx.AsyncClient, number: dict[str, Any]
) -> None:
    media_id = (await upload(client)).json()["id"]
    url = (await client.get(f"/graph/v21.0/{media_id}", headers=AUTH)).json()["url"]
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    other = {k: v for k, v in number.items() if k != "answer"}
    await client.post(
        "/_sandbox/meta/numbers",
        json={**other, "phone_number_id": "777", "waba_id": "888", "access_token": "other-token"},
    )

    forged = f"{parts.scheme}://{parts.netloc}{parts.path}?{urlencode({**query, 'hash': '0' * 32})}"
    expired = f"{parts.scheme}://{parts.netloc}{parts.path}?{urlencode({**query, 'ext': '1000'})}"
    assert (await client.get(forged, headers=AUTH)).status_code == 404
    assert (await client.get(expired, headers=AUTH)).status_code == 404
    assert (await client.get(url, headers={"Authorization": "Bearer other-token"})).status_code == 404
    lookup = await client.get(f"/graph/v21.0/{media_id}", headers={"Authorization": "Bearer other-token"})
    assert lookup.status_code == 400
    assert (lookup.json()["error"]["code"], lookup.json()["error"]["error_subcode"]) == (100, 33)


async def test_deleted_media_is_gone(client: httpx.AsyncClient, number: dict[str, Any]) -> None:
    media_id = (await upload(client)).json()["id"]

    deleted = await client.delete(f"/graph/v21.0/{media_id}", headers=AUTH)

    assert deleted.json() == {"success": True}
    assert (await client.get(f"/graph/v21.0/{media_id}", headers=AUTH)).status_code == 400


@pytest.mark.parametrize(
    ("form", "mime", "fragment"),
    [
        pytest.param({"messaging_product": "sms"}, "image/jpeg", "messaging_product", id="wrong-product"),
        pytest.param({}, "application/x-msdownload", "following types", id="unsupported-type"),
    ],
)
async def test_bad_uploads_are_graph_error_100(
    client: httpx.AsyncClient, number: dict[str, Any], form: dict[str, str], mime: str, fragment: str
) -> None:
    response = await upload(client, mime=mime, **form)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == 100
    assert fragment in response.json()["error"]["error_data"]["details"]


async def test_upload_without_a_file(client: httpx.AsyncClient, number: dict[str, Any]) -> None:
    response = await client.post(UPLOAD_URL, data={"messaging_product": "whatsapp"}, headers=AUTH)

    assert response.status_code == 400
    assert "file" in response.json()["error"]["error_data"]["details"]
    assert (await client.post(UPLOAD_URL, files={"file": ("a", b"x", "image/png")})).status_code == 401


async def test_a_customer_sends_a_photo_that_the_business_downloads(
    client: httpx.AsyncClient, number: dict[str, Any], receiver: WebhookReceiver
) -> None:
    hosted = await client.post(
        "/_sandbox/meta/media",
        files={"file": ("foto.jpg", JPEG, "image/jpeg")},
        data={"phone_number_id": PHONE_NUMBER_ID},
    )
    assert hosted.status_code == 201, hosted.text
    media_id = hosted.json()["id"]

    written = await client.post(
        WRITE_URL, json={"from": "5511999990001", "type": "image", "media_id": media_id, "caption": "meu pedido"}
    )

    assert written.status_code == 200, written.text
    assert written.json()["media_id"] == media_id
    message = only_message(receiver)
    assert message["type"] == "image"
    assert message["image"] == {
        "mime_type": "image/jpeg",
        "sha256": base64.b64encode(hashlib.sha256(JPEG).digest()).decode(),
        "id": media_id,
        "caption": "meu pedido",
    }
    info = (await client.get(f"/graph/v21.0/{media_id}", headers=AUTH)).json()
    assert (await client.get(info["url"], headers=AUTH)).content == JPEG


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        pytest.param(
            {"type": "document", "mime_type": "application/pdf", "filename": "boleto.pdf"},
            {"filename": "boleto.pdf"},
            id="document",
        ),
        pytest.param(
            {"type": "audio", "mime_type": "audio/ogg; codecs=opus", "voice": True}, {"voice": True}, id="voice-note"
        ),
        pytest.param({"type": "sticker", "mime_type": "image/webp"}, {"animated": False}, id="sticker"),
        pytest.param({"type": "video", "mime_type": "video/mp4", "caption": "olha"}, {"caption": "olha"}, id="video"),
    ],
)
async def test_inline_media_is_hosted_on_the_fly(
    client: httpx.AsyncClient,
    number: dict[str, Any],
    receiver: WebhookReceiver,
    extra: dict[str, Any],
    expected: dict[str, Any],
) -> None:
    data = b"bytes of a " + extra["type"].encode()
    body = {"from": "5511999990001", "media_base64": base64.b64encode(data).decode(), **extra}

    written = (await client.post(WRITE_URL, json=body)).json()

    media = only_message(receiver)[extra["type"]]
    assert media["id"] == written["media_id"]
    assert media["mime_type"] == extra["mime_type"]
    assert {k: media[k] for k in expected} == expected
    assert (await client.get(f"/_sandbox/meta/media/{media['id']}")).content == data


@pytest.mark.parametrize(
    ("extra", "check"),
    [
        pytest.param(
            {"type": "location", "content": {"latitude": -23.55, "longitude": -46.63, "name": "Loja"}},
            lambda m: m["location"]["name"] == "Loja",
            id="location",
        ),
        pytest.param(
            {"type": "reaction", "content": {"message_id": "wamid.x", "emoji": "👍"}},
            lambda m: m["reaction"] == {"message_id": "wamid.x", "emoji": "👍"},
            id="reaction",
        ),
        pytest.param(
            {
                "type": "interactive",
                "context": {"from": "15550001234", "id": "wamid.q"},
                "content": {"type": "button_reply", "button_reply": {"id": "sim", "title": "Sim"}},
            },
            lambda m: m["interactive"]["button_reply"]["id"] == "sim" and m["context"]["id"] == "wamid.q",
            id="button-reply",
        ),
        pytest.param({"type": "unsupported"}, lambda m: m["errors"][0]["code"] == 131051, id="unsupported"),
    ],
)
async def test_other_message_types(
    client: httpx.AsyncClient, number: dict[str, Any], receiver: WebhookReceiver, extra: dict[str, Any], check: Any
) -> None:
    response = await client.post(WRITE_URL, json={"from": "5511999990001", **extra})

    assert response.status_code == 200, response.text
    message = only_message(receiver)
    assert message["type"] == extra["type"]
    assert check(message)


@pytest.mark.parametrize(
    "body",
    [
        {"type": "image"},
        {"type": "image", "media_id": "1", "media_base64": "eA=="},
        {"type": "image", "media_base64": "eA=="},
        {"type": "location"},
        {"type": "text"},
    ],
)
async def test_malformed_customer_messages_are_refused(
    client: httpx.AsyncClient, number: dict[str, Any], body: dict[str, Any]
) -> None:
    assert (await client.post(WRITE_URL, json={"from": "5511999990001", **body})).status_code == 422


async def test_unknown_media_id_is_404(client: httpx.AsyncClient, number: dict[str, Any]) -> None:
    response = await client.post(WRITE_URL, json={"from": "5511999990001", "type": "image", "media_id": "404"})

    assert response.status_code == 404


async def test_the_flat_write_route_names_the_number_in_the_body(
    client: httpx.AsyncClient, number: dict[str, Any], receiver: WebhookReceiver
) -> None:
    response = await client.post(
        "/_sandbox/meta/customers/write",
        json={"phone_number_id": PHONE_NUMBER_ID, "from": "5511999990001", "text": "oi"},
    )

    assert response.status_code == 200, response.text
    assert only_message(receiver)["text"] == {"body": "oi"}
    missing = await client.post(
        "/_sandbox/meta/customers/write", json={"phone_number_id": "nope", "from": "5511999990001", "text": "oi"}
    )
    assert missing.status_code == 404
