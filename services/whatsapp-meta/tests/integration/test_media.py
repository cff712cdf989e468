"""Media both ways: customers' files downloaded into the media store before publishing; stored files sent."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from masteria.contracts.content import MediaContent
from masteria.contracts.messages import ErrorClassification, MessageStatus
from masteria.devstack.harness import RunningService
from masteria.media import MediaStore, open_media_store, tenant_of
from masteria.security.internal_token import InternalTokenIssuer

from .support import MetaSandbox, customer, inbound_of, now, publish, reply, statuses_of

pytestmark = pytest.mark.integration
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40
S = MessageStatus


@pytest.fixture
async def store(media_dir: Path) -> AsyncIterator[MediaStore]:
    media = open_media_store(media_dir.as_uri())
    yield media
    await media.aclose()


async def test_a_customers_photo_is_downloaded_into_the_store_and_published_by_reference(
    meta: RunningService, issuer: InternalTokenIssuer, sandbox: MetaSandbox, store: MediaStore
) -> None:
    number = await sandbox.number(meta, issuer)
    media_id = await sandbox.host_media(number, PNG, "image/png", "foto.png")
    wa_id = customer()
    async with inbound_of(number.tenant) as feed:
        written = await sandbox.customer_writes(
            number, wa_id, type="image", text=None, media_id=media_id, caption="olha isso"
        )
        text = await sandbox.customer_writes(number, wa_id, "e um texto")
        [photo] = await feed.until(lambda _: [m for m in feed.inbound() if m.external_id == written["wamid"]])
    content = photo.content
    assert isinstance(content, MediaContent)
    assert (content.kind, content.caption, content.media_id) == ("image", "olha isso", media_id)
    assert content.storage_key is not None
    assert tenant_of(content.storage_key) == number.tenant
    assert (content.sha256, content.size_bytes, content.mime_type) == (
        hashlib.sha256(PNG).hexdigest(),
        len(PNG),
        "image/png",
    )
    assert (await store.get(content.storage_key)).data == PNG
    assert text["wamid"] in {m.external_id for m in feed.inbound()}


async def test_a_file_meta_will_not_serve_is_published_with_its_media_id_only(
    meta: RunningService, issuer: InternalTokenIssuer, sandbox: MetaSandbox
) -> None:
    number = await sandbox.number(meta, issuer)
    wamid = f"wamid.gone-{now()}"
    event = {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "102290129340398",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {
                                "display_phone_number": "5511900000000",
                                "phone_number_id": number.phone_number_id,
                            },
                            "contacts": [{"profile": {"name": "Ana"}, "wa_id": "5511999990009"}],
                            "messages": [
                                {
                                    "from": "5511999990009",
                                    "id": wamid,
                                    "timestamp": str(now()),
                                    "type": "document",
                                    "document": {
                                        "id": "9999999999",
                                        "mime_type": "application/pdf",
                                        "filename": "a.pdf",
                                    },
                                }
                            ],
                        },
                    }
                ],
            }
        ],
    }
    async with inbound_of(number.tenant) as feed:
        await sandbox.raw_webhook(number, event)
        [message] = await feed.until(lambda _: [m for m in feed.inbound() if m.external_id == wamid], within=15)
    content = message.content
    assert isinstance(content, MediaContent)
    assert (content.media_id, content.storage_key, content.filename) == ("9999999999", None, "a.pdf")


async def test_a_stored_file_is_uploaded_to_meta_once_and_sent_by_media_id(
    meta: RunningService, issuer: InternalTokenIssuer, sandbox: MetaSandbox, store: MediaStore
) -> None:
    number = await sandbox.number(meta, issuer)
    await sandbox.behaviour(number, statuses=["sent"], status_delay_ms=20)
    stored = await store.put(number.tenant, PNG, content_type="image/png", filename="catalogo.png")
    wa_id = customer()
    await sandbox.customer_writes(number, wa_id)
    photos = [
        reply(number, f"+{wa_id}", MediaContent(kind="image", storage_key=stored.key, caption=f"foto {i}"))
        for i in range(2)
    ]
    async with statuses_of(number.tenant) as feed:
        await publish(*photos)
        await feed.until(lambda _: all(S.SENT in feed.statuses(p.data.message_id) for p in photos))
    sent = await sandbox.ledger(number)
    assert [e["type"] for e in sent] == ["image", "image"]
    ids = {e["body"]["image"]["id"] for e in sent}
    assert len(ids) == 1, "the file is uploaded once and reused"
    hosted = await sandbox.http.get(f"/_sandbox/meta/media/{ids.pop()}")
    assert hosted.content == PNG


async def test_another_tenants_file_is_never_sent(
    meta: RunningService, issuer: InternalTokenIssuer, sandbox: MetaSandbox, store: MediaStore
) -> None:
    number = await sandbox.number(meta, issuer)
    other = await sandbox.number(meta, issuer)
    theirs = await store.put(other.tenant, PNG + b"theirs", content_type="image/png", filename="x.png")
    wa_id = customer()
    await sandbox.customer_writes(number, wa_id)
    command = reply(number, f"+{wa_id}", MediaContent(kind="image", storage_key=theirs.key))
    async with statuses_of(number.tenant) as feed:
        await publish(command)
        [failed] = await feed.until(lambda _: feed.of(command.data.message_id))
    assert failed.error is not None
    assert (failed.error.code, failed.error.classification) == ("media_not_found", ErrorClassification.PERMANENT)
    assert await sandbox.ledger(number) == []
