"""Inbound MMS: each file downloaded from Twilio (HTTP Basic) into the media store before its message goes
out, a text never waiting behind it, failures retried and, past hope, the message published with the URL."""

from __future__ import annotations

import base64
import time
from typing import Any

import pytest

from masteria.contracts.envelope import Envelope
from masteria.media import open_media_store_from_settings

from .conftest import Stack, connect_sender, customer_number, customer_writes, events

pytestmark = pytest.mark.integration
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8
PDF = b"%PDF-1.4\n" + b"boleto " * 200


def attachment(data: bytes, content_type: str, **extra: Any) -> dict[str, Any]:
    return {"content_type": content_type, "data_base64": base64.b64encode(data).decode(), **extra}


async def inbound(stack: Stack, tenant: Any, count: int, within: float = 10) -> list[Envelope[Any]]:
    return await events(f"message.inbound.sms.{tenant}", until=lambda got: len(got) >= count, within=within)


async def fetches(stack: Stack, message_sid: str) -> list[int]:
    listed = (await stack.sandbox.get("/_sandbox/twilio/media", params={"message_sid": message_sid})).json()
    return [item["fetches"] for item in listed]


async def test_each_attachment_is_stored_and_the_events_reference_it_by_key(stack: Stack) -> None:
    sender = await connect_sender(stack)
    answer = await customer_writes(
        stack,
        sender,
        customer_number(),
        "segue a foto e o boleto",
        media=[attachment(PNG, "image/png"), attachment(PDF, "application/pdf")],
    )

    got = await inbound(stack, sender.tenant, 2)

    by_id = {e.data.external_id: e.data for e in got}
    sid = answer["message_sid"]
    assert set(by_id) == {sid, f"{sid}/1"}
    photo, boleto = by_id[sid].content, by_id[f"{sid}/1"].content
    assert (photo.kind, photo.caption, photo.mime_type, photo.size_bytes) == (
        "image",
        "segue a foto e o boleto",
        "image/png",
        len(PNG),
    )
    assert (boleto.kind, boleto.caption, boleto.mime_type, boleto.size_bytes) == (
        "document",
        None,
        "application/pdf",
        len(PDF),
    )
    store = open_media_store_from_settings(stack.media)
    try:
        for content, data in ((photo, PNG), (boleto, PDF)):
            assert content.storage_key is not None
            assert content.storage_key.startswith(f"{sender.tenant}/")
            assert (await store.get(content.storage_key)).data == data
    finally:
        await store.aclose()
    assert photo.url == answer["media_urls"][0], "Twilio's URL stays as the provider's reference"
    # The sandbox answers 401 without the account's SID and token: one authenticated fetch per file.
    assert await fetches(stack, sid) == [1, 1]


async def test_a_text_never_waits_behind_a_slow_download(stack: Stack) -> None:
    sender = await connect_sender(stack)
    customer = customer_number()
    mms = await customer_writes(stack, sender, customer, "", media=[attachment(PNG, "image/png", delay_ms=2000)])
    sent_text_at = time.monotonic()
    text = await customer_writes(stack, sender, customer, "chegou?")

    [first] = await inbound(stack, sender.tenant, 1)
    text_after = time.monotonic() - sent_text_at
    both = await inbound(stack, sender.tenant, 2)

    assert first.data.external_id == text["message_sid"]
    assert text_after < 1.5, f"the text took {text_after:.2f}s: it waited for the picture"
    assert both[1].data.external_id == mms["message_sid"]
    assert both[1].data.content.storage_key is not None


async def test_a_failing_media_server_is_retried_until_the_file_is_stored(stack: Stack) -> None:
    sender = await connect_sender(stack)
    answer = await customer_writes(
        stack, sender, customer_number(), "foto", media=[attachment(PNG, "image/png", fail_fetches=2)]
    )

    [envelope] = await inbound(stack, sender.tenant, 1)

    assert envelope.data.content.storage_key is not None
    assert envelope.data.content.size_bytes == len(PNG)
    assert await fetches(stack, answer["message_sid"]) == [3]


async def test_a_file_twilio_no_longer_has_goes_out_with_its_url_only(stack: Stack) -> None:
    sender = await connect_sender(stack)
    gone = (
        f"http://sandbox.test/twilio/2010-04-01/Accounts/{sender.account_sid}/Messages/MM{'0' * 32}/Media/ME{'0' * 32}"
    )
    answer = await customer_writes(
        stack, sender, customer_number(), "foto", media=[{"content_type": "image/jpeg", "url": gone}]
    )

    [envelope] = await inbound(stack, sender.tenant, 1)

    content = envelope.data.content
    assert envelope.data.external_id == answer["message_sid"]
    assert (content.url, content.storage_key, content.mime_type) == (gone, None, "image/jpeg")
