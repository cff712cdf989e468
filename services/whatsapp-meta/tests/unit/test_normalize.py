"""Meta's webhook objects become channel-neutral contracts, whatever the message type."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from masteria.contracts.content import (
    ContactsContent,
    InteractiveContent,
    LocationContent,
    MediaContent,
    ReactionContent,
    TextContent,
    UnsupportedContent,
)
from masteria.contracts.messages import MessageStatus
from masteria.runtime.problems import Problem
from masteria.whatsapp_meta.webhooks import normalize
from masteria.whatsapp_meta.webhooks.payload import ChangeValue
from masteria.whatsapp_meta.webhooks.routing import KnownNumber
from masteria.whatsapp_meta.webhooks.service import parse_body

NUMBER = KnownNumber(uuid.uuid4(), uuid.uuid4(), "1065", "+5511900000000", "secret")
NOW = datetime(2026, 11, 27, tzinfo=UTC)


def value(*messages: dict[str, object], statuses: list[dict[str, object]] | None = None) -> ChangeValue:
    return ChangeValue.model_validate(
        {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "5511900000000", "phone_number_id": "1065"},
            "contacts": [{"profile": {"name": "Maria"}, "wa_id": "5511999990001"}],
            "messages": [
                {"from": "5511999990001", "id": f"wamid.{i}", "timestamp": "1764201600", **m}
                for i, m in enumerate(messages)
            ],
            "statuses": statuses or [],
        }
    )


def test_text_message_keeps_sender_name_number_and_time() -> None:
    [msg] = normalize.inbound_messages(value({"type": "text", "text": {"body": "oi"}}), NUMBER, NOW)
    assert msg.content == TextContent(body="oi")
    assert msg.sender.address == "+5511999990001"
    assert msg.sender.display_name == "Maria"
    assert msg.sent_at == datetime.fromtimestamp(1764201600, UTC)
    assert msg.channel_account_id == NUMBER.registration_id
    assert msg.external_id == "wamid.0"


@pytest.mark.parametrize(
    ("message", "expected_type"),
    [
        ({"type": "image", "image": {"id": "m1", "mime_type": "image/jpeg", "caption": "foto"}}, MediaContent),
        ({"type": "location", "location": {"latitude": -23.5, "longitude": -46.6}}, LocationContent),
        ({"type": "reaction", "reaction": {"message_id": "wamid.x", "emoji": "👍"}}, ReactionContent),
        (
            {
                "type": "interactive",
                "interactive": {"type": "button_reply", "button_reply": {"id": "yes", "title": "Sim"}},
            },
            InteractiveContent,
        ),
        ({"type": "button", "button": {"payload": "STOP", "text": "Parar"}}, InteractiveContent),
        (
            {"type": "contacts", "contacts": [{"name": {"formatted_name": "Ana"}, "phones": [{"phone": "+55 11"}]}]},
            ContactsContent,
        ),
        ({"type": "order", "order": {"catalog_id": "1"}}, UnsupportedContent),
    ],
)
def test_every_type_maps_to_a_content_kind(message: dict[str, object], expected_type: type) -> None:
    [msg] = normalize.inbound_messages(value(message), NUMBER, NOW)
    assert isinstance(msg.content, expected_type)


def test_statuses_map_with_a_per_status_dedup_key_and_unknown_ones_are_skipped() -> None:
    statuses = [
        {"id": "wamid.A", "status": "delivered", "timestamp": "1764201600", "recipient_id": "5511999990001"},
        {"id": "wamid.A", "status": "deleted", "timestamp": "1764201601", "recipient_id": "5511999990001"},
    ]
    [(key, status, callback)] = normalize.status_changes(value(statuses=statuses), NUMBER)
    assert key == "wamid.A:delivered"
    assert status.status is MessageStatus.DELIVERED
    assert callback is None


def test_a_failed_status_carries_metas_code_classified_and_the_echoed_callback_data() -> None:
    statuses = [
        {
            "id": "wamid.B",
            "status": "failed",
            "timestamp": "1764201600",
            "recipient_id": "5511999990001",
            "biz_opaque_callback_data": "dispatch:0190f3c4-0000-7000-8000-000000000001",
            "errors": [
                {
                    "code": 131026,
                    "title": "Message undeliverable",
                    "error_data": {"details": "Receiver is incapable of receiving this message"},
                }
            ],
        }
    ]
    [(_, status, callback)] = normalize.status_changes(value(statuses=statuses), NUMBER)
    assert status.status is MessageStatus.FAILED
    assert status.error is not None
    assert (status.error.code, status.error.classification) == ("131026", "permanent")
    assert status.error.provider_detail == "Receiver is incapable of receiving this message"
    assert callback == "dispatch:0190f3c4-0000-7000-8000-000000000001"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"not json", "Invalid JSON"),
        (b'{"object": "page", "entry": []}', "unsupported object"),
        (b'{"object": "whatsapp_business_account"}', "entry"),
    ],
)
def test_malformed_bodies_are_400_with_the_reason(raw: bytes, reason: str) -> None:
    with pytest.raises(Problem) as caught:
        parse_body(raw)
    assert caught.value.status == 400
    assert reason in (caught.value.detail or "")
