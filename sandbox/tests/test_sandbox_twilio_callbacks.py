"""Twilio's status callbacks from the sandbox: signed as Twilio signs, in order, with failures and retries."""

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request, Response
from twilio.request_validator import RequestValidator

from masteria.sandbox.app import create_app
from masteria.sandbox.settings import SandboxSettings
from masteria.sandbox.testing import BackgroundServer, wait_until
from masteria.sandbox.twilio.testing import InProcessSandbox, WebhookCapture, in_process_sandbox

ACCOUNT_SID = "AC" + "1a" * 16
AUTH_TOKEN = "auth-token-for-tests"
NUMBER = "+15005550006"
CUSTOMER = "+5511999990001"
MESSAGES = f"/twilio/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
CALLBACK = "http://sms.test/webhooks/sms/status?dispatch=42&t=a%2Fb"


@pytest.fixture
async def sandbox() -> AsyncIterator[InProcessSandbox]:
    """A sandbox with the test account and number, whose statuses follow each other without delay."""
    async with in_process_sandbox() as box:
        await box.client.post("/_sandbox/twilio/accounts", json={"account_sid": ACCOUNT_SID, "auth_token": AUTH_TOKEN})
        await box.client.post("/_sandbox/twilio/numbers", json={"account_sid": ACCOUNT_SID, "phone_number": NUMBER})
        await behave(box.client, status_delay_ms=0)
        yield box


@pytest.fixture
def client(sandbox: InProcessSandbox) -> httpx.AsyncClient:
    """The client of the in-process sandbox."""
    return sandbox.client


@pytest.fixture
def capture(sandbox: InProcessSandbox) -> WebhookCapture:
    """The webhooks the sandbox posted."""
    return sandbox.capture


async def behave(client: httpx.AsyncClient, **changes: Any) -> None:
    """Change the number's behaviour."""
    answer = await client.put(f"/_sandbox/twilio/numbers/{NUMBER}/behaviour", json=changes)
    assert answer.status_code == 200, answer.text


async def send(client: httpx.AsyncClient, **form: Any) -> str:
    """Send a message with a status callback; its sid."""
    fields = {"From": NUMBER, "To": CUSTOMER, "Body": "a" * 200, "StatusCallback": CALLBACK, **form}
    response = await client.post(MESSAGES, data=fields, auth=(ACCOUNT_SID, AUTH_TOKEN))
    assert response.status_code == 201, response.text
    sid: str = response.json()["sid"]
    return sid


async def statuses(capture: WebhookCapture, sid: str, count: int) -> list[str]:
    """The statuses posted for a message, once `count` have arrived."""
    await wait_until(lambda: len(capture.statuses(sid)) >= count, within_s=5, what=f"{count} callbacks")
    return capture.statuses(sid)


async def attempts(client: httpx.AsyncClient, sid: str) -> list[tuple[str, int, int]]:
    """(status, POSTs made, last answer) of each callback of a message, once both are logged."""

    async def logged() -> list[dict[str, Any]]:
        log: list[dict[str, Any]] = (await client.get("/_sandbox/twilio/callbacks", params={"message_sid": sid})).json()
        return log

    async def both_logged() -> bool:
        return len(await logged()) == 2

    await wait_until(both_logged, within_s=5, what="the callback log")
    return [(c["status"], c["attempts"], c["result"]["status_code"]) for c in await logged()]


async def test_callbacks_are_signed_as_twilios_validator_expects(
    client: httpx.AsyncClient, capture: WebhookCapture
) -> None:
    sid = await send(client)

    assert await statuses(capture, sid, 2) == ["sent", "delivered"]
    validator = RequestValidator(AUTH_TOKEN)
    for post in capture.posts:
        assert post.url == CALLBACK
        assert post.signature is not None
        assert validator.validate(post.url, post.params, post.signature)
        assert not RequestValidator("another-token").validate(post.url, post.params, post.signature)
        tampered = {**post.params, "MessageStatus": "failed"}
        assert not validator.validate(post.url, tampered, post.signature)
        assert post.headers["content-type"].startswith("application/x-www-form-urlencoded")
        assert post.headers["i-twilio-idempotency-token"]


async def test_callback_fields(client: httpx.AsyncClient, capture: WebhookCapture) -> None:
    sid = await send(client)

    await statuses(capture, sid, 2)
    sent, delivered = (p.params for p in capture.posts)
    assert sent == {
        "AccountSid": ACCOUNT_SID,
        "ApiVersion": "2010-04-01",
        "From": NUMBER,
        "MessageSid": sid,
        "MessageStatus": "sent",
        "NumMedia": "0",
        "NumSegments": "2",
        "SmsSid": sid,
        "SmsStatus": "sent",
        "To": CUSTOMER,
    }
    assert delivered["MessageStatus"] == delivered["SmsStatus"] == "delivered"
    assert "ErrorCode" not in delivered
    assert len(delivered["RawDlrDoneDate"]) == 10


async def test_configured_statuses_and_delay(client: httpx.AsyncClient, capture: WebhookCapture) -> None:
    await behave(client, statuses=["queued", "sending", "sent", "delivered"], status_delay_ms=30)

    sid = await send(client)

    assert await statuses(capture, sid, 4) == ["queued", "sending", "sent", "delivered"]
    gaps = [later.at - earlier.at for earlier, later in zip(capture.posts, capture.posts[1:], strict=False)]
    assert all(gap >= 0.025 for gap in gaps)


@pytest.mark.parametrize("code", [30003, 30005, 30006, 30007])
async def test_undeliverable_recipient(client: httpx.AsyncClient, capture: WebhookCapture, code: int) -> None:
    await behave(client, undelivered_to={CUSTOMER: code})

    sid = await send(client)
    ok = await send(client, To="+5511999990002")

    assert await statuses(capture, sid, 2) == ["sent", "undelivered"]
    assert capture.posts_for(sid)[-1].params["ErrorCode"] == str(code)
    assert await statuses(capture, ok, 2) == ["sent", "delivered"]
    message = (
        await client.get(
            f"/twilio/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/{sid}.json", auth=(ACCOUNT_SID, AUTH_TOKEN)
        )
    ).json()
    assert (message["status"], message["error_code"]) == ("undelivered", code)


async def test_failed_rate_ends_in_failed_with_a_delivery_error(
    client: httpx.AsyncClient, capture: WebhookCapture
) -> None:
    await behave(client, failed_rate=1.0, error_codes=[30007])

    sid = await send(client)

    assert await statuses(capture, sid, 1) == ["failed"]
    assert capture.posts_for(sid)[0].params["ErrorCode"] == "30007"


async def test_undelivered_rate_is_a_share(client: httpx.AsyncClient, capture: WebhookCapture) -> None:
    await behave(client, undelivered_rate=0.5, seed=7)

    sids = [await send(client, Body=f"m{i}") for i in range(40)]

    await wait_until(lambda: len(capture.posts) == 80, within_s=5, what="every callback")
    finals = [capture.statuses(sid)[-1] for sid in sids]
    assert 8 <= finals.count("undelivered") <= 32
    assert set(finals) == {"delivered", "undelivered"}
    codes = {p.params["ErrorCode"] for p in capture.posts if "ErrorCode" in p.params}
    assert codes <= {"30003", "30005", "30006", "30007"}


async def test_a_failed_callback_is_retried_with_the_same_idempotency_token(
    client: httpx.AsyncClient, capture: WebhookCapture
) -> None:
    capture.fail_next = 1

    sid = await send(client)

    assert await statuses(capture, sid, 3) == ["sent", "sent", "delivered"]
    first, retry = capture.posts[0], capture.posts[1]
    assert first.headers["i-twilio-idempotency-token"] == retry.headers["i-twilio-idempotency-token"]
    assert first.signature == retry.signature
    assert await attempts(client, sid) == [("sent", 2, 200), ("delivered", 1, 200)]


async def test_retries_are_bounded(client: httpx.AsyncClient, capture: WebhookCapture) -> None:
    await behave(client, webhook_retries=0)
    capture.fail_next = 1

    sid = await send(client)

    assert await statuses(capture, sid, 2) == ["sent", "delivered"]
    assert await attempts(client, sid) == [("sent", 1, 503), ("delivered", 1, 200)]


async def test_a_4xx_answer_is_not_retried(client: httpx.AsyncClient, capture: WebhookCapture) -> None:
    capture.fail_next, capture.fail_status = 1, 403

    sid = await send(client)

    assert await statuses(capture, sid, 2) == ["sent", "delivered"]
    assert await attempts(client, sid) == [("sent", 1, 403), ("delivered", 1, 200)]


async def test_no_status_callback_means_no_posts(sandbox: InProcessSandbox, client: httpx.AsyncClient) -> None:
    sid = await send(client, StatusCallback="")
    url = f"/twilio/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/{sid}.json"

    async def delivered() -> bool:
        answer = await client.get(url, auth=(ACCOUNT_SID, AUTH_TOKEN))
        return bool(answer.json()["status"] == "delivered")

    await wait_until(delivered, within_s=5, what="delivered")
    assert sandbox.capture.posts == []


async def test_stopping_the_sandbox_cancels_pending_callbacks() -> None:
    async with in_process_sandbox() as box:
        await box.client.post("/_sandbox/twilio/accounts", json={"account_sid": ACCOUNT_SID, "auth_token": AUTH_TOKEN})
        await box.client.post("/_sandbox/twilio/numbers", json={"account_sid": ACCOUNT_SID, "phone_number": NUMBER})
        await behave(box.client, status_delay_ms=60_000)
        await send(box.client)
        tasks = box.app.state.sandbox.twilio.tasks
        assert tasks.pending == 1

    assert tasks.pending == 0
    assert box.capture.posts == []


async def test_a_real_receiver_validates_with_the_url_it_was_called_on() -> None:
    # What the sms service will do: rebuild the URL from its own request and check the form with the
    # twilio package, over a real socket (no injected transport).
    checked: list[bool] = []

    async def status(request: Request) -> Response:
        form = await request.form()
        params = {k: str(v) for k, v in form.items()}
        signature = request.headers.get("x-twilio-signature", "")
        checked.append(RequestValidator(AUTH_TOKEN).validate(str(request.url), params, signature))
        return Response(status_code=204)

    receiver = FastAPI()
    receiver.add_api_route("/webhooks/sms/status", status, methods=["POST"])
    server = BackgroundServer(receiver)
    await server.start()
    app = create_app(SandboxSettings())
    try:
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sandbox.test") as client,
        ):
            await client.post("/_sandbox/twilio/accounts", json={"account_sid": ACCOUNT_SID, "auth_token": AUTH_TOKEN})
            await client.post("/_sandbox/twilio/numbers", json={"account_sid": ACCOUNT_SID, "phone_number": NUMBER})
            await behave(client, status_delay_ms=0)
            await send(client, StatusCallback=f"{server.base_url}/webhooks/sms/status?dispatch=7&x=%C3%A7")
            await wait_until(lambda: len(checked) == 2, within_s=5, what="two callbacks")
    finally:
        await server.stop()

    assert checked == [True, True]
