"""Customers texting a Twilio number in the sandbox: signed inbound webhooks, STOP/START/HELP, media."""

import base64
import re
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from twilio.request_validator import RequestValidator

from masteria.sandbox.twilio.testing import InProcessSandbox, WebhookCapture, in_process_sandbox

ACCOUNT_SID = "AC" + "1a" * 16
AUTH_TOKEN = "auth-token-for-tests"
NUMBER = "+15005550006"
OTHER_NUMBER = "+15005550007"
CUSTOMER = "+5511999990001"
SMS_URL = "http://sms.test/webhooks/sms/inbound/sender-1"
MESSAGES = f"/twilio/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
WRITE = "/_sandbox/twilio/customers/write"


@pytest.fixture
async def sandbox() -> AsyncIterator[InProcessSandbox]:
    """A sandbox with the test account and two numbers delivering inbound SMS to SMS_URL."""
    async with in_process_sandbox() as box:
        await box.client.post("/_sandbox/twilio/accounts", json={"account_sid": ACCOUNT_SID, "auth_token": AUTH_TOKEN})
        for phone in (NUMBER, OTHER_NUMBER):
            body = {"account_sid": ACCOUNT_SID, "phone_number": phone, "sms_url": SMS_URL}
            assert (await box.client.post("/_sandbox/twilio/numbers", json=body)).status_code == 201
        yield box


@pytest.fixture
def client(sandbox: InProcessSandbox) -> httpx.AsyncClient:
    """The client of the in-process sandbox."""
    return sandbox.client


@pytest.fixture
def capture(sandbox: InProcessSandbox) -> WebhookCapture:
    """The webhooks the sandbox posted."""
    return sandbox.capture


async def write(client: httpx.AsyncClient, body: str, **extra: Any) -> dict[str, Any]:
    """The customer texts `body` to NUMBER."""
    response = await client.post(WRITE, json={"from": CUSTOMER, "to": NUMBER, "body": body, **extra})
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


async def send(client: httpx.AsyncClient, sender: str = NUMBER) -> httpx.Response:
    """The business texts the customer."""
    form = {"From": sender, "To": CUSTOMER, "Body": "Oferta de hoje"}
    return await client.post(MESSAGES, data=form, auth=(ACCOUNT_SID, AUTH_TOKEN))


async def test_inbound_sms_is_twilio_shaped_and_signed(client: httpx.AsyncClient, capture: WebhookCapture) -> None:
    answer = await write(client, "Oi, quero saber o preço")

    assert answer["deliveries"] == [{"status_code": 200, "body": "<Response/>", "attempts": 1}]
    assert (answer["opt_out_type"], answer["auto_reply"]) == (None, None)
    (post,) = capture.posts
    assert post.url == SMS_URL
    assert post.signature is not None
    assert RequestValidator(AUTH_TOKEN).validate(SMS_URL, post.params, post.signature)
    assert not RequestValidator("another-token").validate(SMS_URL, post.params, post.signature)
    sid = answer["message_sid"]
    assert re.fullmatch(r"SM[0-9a-f]{32}", sid)
    fields = post.params
    assert {k: fields[k] for k in ("MessageSid", "SmsSid", "SmsMessageSid", "AccountSid", "From", "To", "Body")} == {
        "MessageSid": sid,
        "SmsSid": sid,
        "SmsMessageSid": sid,
        "AccountSid": ACCOUNT_SID,
        "From": CUSTOMER,
        "To": NUMBER,
        "Body": "Oi, quero saber o preço",
    }
    assert (fields["NumMedia"], fields["NumSegments"], fields["SmsStatus"]) == ("0", "1", "received")
    assert (fields["FromCountry"], fields["ToCountry"], fields["ApiVersion"]) == ("BR", "US", "2010-04-01")
    assert "OptOutType" not in fields


@pytest.mark.parametrize("mode", ["invalid", "missing"])
async def test_bad_signature_modes(client: httpx.AsyncClient, capture: WebhookCapture, mode: str) -> None:
    await write(client, "oi", signature=mode)

    (post,) = capture.posts
    if mode == "missing":
        assert post.signature is None
    else:
        assert post.signature is not None
        assert not RequestValidator(AUTH_TOKEN).validate(SMS_URL, post.params, post.signature)


async def test_copies_are_identical_deliveries(client: httpx.AsyncClient, capture: WebhookCapture) -> None:
    answer = await write(client, "oi", copies=3)

    assert len(answer["deliveries"]) == 3
    assert len({(tuple(p.pairs), p.signature) for p in capture.posts}) == 1


async def test_failed_inbound_delivery_is_retried(client: httpx.AsyncClient, capture: WebhookCapture) -> None:
    capture.fail_next = 1

    answer = await write(client, "oi")

    assert answer["deliveries"] == [{"status_code": 200, "body": "<Response/>", "attempts": 2}]


@pytest.mark.parametrize("word", ["STOP", "stop", " Stop ", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"])
async def test_stop_opts_the_customer_out_of_that_number(
    client: httpx.AsyncClient, capture: WebhookCapture, word: str
) -> None:
    answer = await write(client, word)

    assert answer["opt_out_type"] == "STOP"
    assert "unsubscribed" in answer["auto_reply"]
    # Twilio still forwards the message, marked.
    assert capture.posts[0].params["OptOutType"] == "STOP"
    assert capture.posts[0].params["Body"] == word
    refused = await send(client)
    assert refused.status_code == 400
    assert refused.json()["code"] == 21610
    assert (await send(client, OTHER_NUMBER)).status_code == 201
    opt_outs = (await client.get("/_sandbox/twilio/opt-outs")).json()
    assert [(o["sender"], o["recipient"]) for o in opt_outs] == [(NUMBER, CUSTOMER)]


@pytest.mark.parametrize("word", ["START", "yes", "UNSTOP"])
async def test_start_resubscribes(client: httpx.AsyncClient, capture: WebhookCapture, word: str) -> None:
    await write(client, "STOP")
    assert (await send(client)).status_code == 400

    answer = await write(client, word)

    assert answer["opt_out_type"] == "START"
    assert "re-subscribed" in answer["auto_reply"]
    assert capture.posts[-1].params["OptOutType"] == "START"
    assert (await send(client)).status_code == 201
    assert (await client.get("/_sandbox/twilio/opt-outs")).json() == []


async def test_help_answers_without_opting_out(client: httpx.AsyncClient, capture: WebhookCapture) -> None:
    answer = await write(client, "help")

    assert answer["opt_out_type"] == "HELP"
    assert "Reply STOP" in answer["auto_reply"]
    assert capture.posts[0].params["OptOutType"] == "HELP"
    assert (await send(client)).status_code == 201


@pytest.mark.parametrize("body", ["please stop", "STOP!", "stop it", "parar"])
async def test_only_the_bare_keyword_counts(client: httpx.AsyncClient, capture: WebhookCapture, body: str) -> None:
    answer = await write(client, body)

    assert answer["opt_out_type"] is None
    assert "OptOutType" not in capture.posts[0].params
    assert (await send(client)).status_code == 201


async def test_media_is_hosted_and_linked(client: httpx.AsyncClient, capture: WebhookCapture) -> None:
    picture = b"\xff\xd8\xff\xe0 not really a jpeg"
    media = [
        {"content_type": "image/jpeg", "data_base64": base64.b64encode(picture).decode()},
        {"content_type": "application/pdf", "url": "https://cdn.test/boleto.pdf"},
    ]

    answer = await write(client, "", media=media)

    assert re.fullmatch(r"MM[0-9a-f]{32}", answer["message_sid"])
    fields = capture.posts[0].params
    assert fields["NumMedia"] == "2"
    assert (fields["MediaContentType0"], fields["MediaContentType1"]) == ("image/jpeg", "application/pdf")
    assert fields["MediaUrl1"] == "https://cdn.test/boleto.pdf"
    hosted = fields["MediaUrl0"]
    assert hosted.startswith(f"http://sandbox.test/twilio/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/")
    assert answer["media_urls"] == [hosted, "https://cdn.test/boleto.pdf"]
    downloaded = await client.get(hosted, auth=(ACCOUNT_SID, AUTH_TOKEN), follow_redirects=True)
    assert downloaded.status_code == 200
    assert (downloaded.content, downloaded.headers["content-type"]) == (picture, "image/jpeg")
    assert RequestValidator(AUTH_TOKEN).validate(SMS_URL, fields, capture.posts[0].signature)
    [listed] = (await client.get("/_sandbox/twilio/media", params={"message_sid": answer["message_sid"]})).json()
    assert (listed["url"], listed["size"], listed["fetches"]) == (hosted, len(picture), 1)


async def test_media_needs_the_accounts_credentials_and_redirects_to_a_short_lived_url(
    client: httpx.AsyncClient, capture: WebhookCapture
) -> None:
    picture = b"\x89PNG not really a png"
    answer = await write(
        client, "foto", media=[{"content_type": "image/png", "data_base64": base64.b64encode(picture).decode()}]
    )
    [hosted] = answer["media_urls"]

    anonymous = await client.get(hosted)
    wrong = await client.get(hosted, auth=(ACCOUNT_SID, "not-the-token"))
    other_account = await client.post(
        "/_sandbox/twilio/accounts", json={"account_sid": "AC" + "2b" * 16, "auth_token": "t2"}
    )
    foreign = await client.get(hosted, auth=("AC" + "2b" * 16, "t2"))
    redirect = await client.get(hosted, auth=(ACCOUNT_SID, AUTH_TOKEN))

    for refused in (anonymous, wrong, foreign):
        assert (refused.status_code, refused.json()["code"]) == (401, 20003)
        assert refused.headers["www-authenticate"] == 'Basic realm="Twilio API"'
    assert other_account.status_code == 201
    assert redirect.status_code == 307
    location = redirect.headers["location"]
    assert location.startswith("http://sandbox.test/twilio/cdn/")
    file = await client.get(location)  # the CDN URL needs no credentials
    assert (file.status_code, file.content, file.headers["content-type"]) == (200, picture, "image/png")
    forged = await client.get(location[:-3] + "AAA")
    assert forged.status_code == 403


async def test_missing_media_is_a_twilio_404(client: httpx.AsyncClient) -> None:
    url = f"/twilio/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/MM{'0' * 32}/Media/ME{'0' * 32}"

    response = await client.get(url, auth=(ACCOUNT_SID, AUTH_TOKEN))

    assert (response.status_code, response.json()["code"]) == (404, 20404)


async def test_a_number_without_sms_url_delivers_nothing(client: httpx.AsyncClient, capture: WebhookCapture) -> None:
    body = {"account_sid": ACCOUNT_SID, "phone_number": "+15005550008"}
    await client.post("/_sandbox/twilio/numbers", json=body)

    response = await client.post(WRITE, json={"from": CUSTOMER, "to": "+15005550008", "body": "STOP"})

    assert response.json()["deliveries"] == []
    assert response.json()["opt_out_type"] == "STOP"
    assert capture.posts == []


@pytest.mark.parametrize(
    "body",
    [
        {"from": CUSTOMER, "to": "+15009999999", "body": "oi"},
        {"from": "5511999990001", "to": NUMBER, "body": "oi"},
        {"from": CUSTOMER, "to": NUMBER, "media": [{"content_type": "image/png"}]},
        {"from": CUSTOMER, "to": NUMBER, "media": [{"data_base64": "***"}]},
    ],
    ids=["unknown-number", "not-e164", "media-without-source", "bad-base64"],
)
async def test_bad_customer_writes(client: httpx.AsyncClient, body: dict[str, Any]) -> None:
    response = await client.post(WRITE, json=body)

    assert response.status_code in (404, 422)
    assert response.status_code == (404 if body["to"] != NUMBER else 422)


async def test_stop_to_a_messaging_service_number_covers_the_whole_service(client: httpx.AsyncClient) -> None:
    service = "MG" + "3c" * 16
    for phone in ("+15005550010", "+15005550011"):
        body = {"account_sid": ACCOUNT_SID, "phone_number": phone, "messaging_service_sid": service}
        await client.post("/_sandbox/twilio/numbers", json=body)

    await client.post(WRITE, json={"from": CUSTOMER, "to": "+15005550010", "body": "STOP"})

    refused = await send(client, "+15005550011")
    assert (refused.status_code, refused.json()["code"]) == (400, 21610)
    assert (await send(client)).status_code == 201
    opt_outs = (await client.get("/_sandbox/twilio/opt-outs")).json()
    assert [(o["sender"], o["recipient"]) for o in opt_outs] == [(service, CUSTOMER)]


async def test_a_failing_media_server_answers_503_first_then_serves_the_file(
    client: httpx.AsyncClient, capture: WebhookCapture
) -> None:
    picture = base64.b64encode(b"GIF89a tiny").decode()
    answer = await write(
        client, "", media=[{"content_type": "image/gif", "data_base64": picture, "fail_fetches": 1, "delay_ms": 50}]
    )
    [hosted] = answer["media_urls"]

    first = await client.get(hosted, auth=(ACCOUNT_SID, AUTH_TOKEN))
    second = await client.get(hosted, auth=(ACCOUNT_SID, AUTH_TOKEN), follow_redirects=True)

    assert (first.status_code, first.json()["code"]) == (503, 20503)
    assert (second.status_code, second.content) == (200, b"GIF89a tiny")
    [listed] = (await client.get("/_sandbox/twilio/media", params={"message_sid": answer["message_sid"]})).json()
    assert listed["fetches"] == 2
