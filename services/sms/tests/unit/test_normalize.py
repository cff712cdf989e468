"""Twilio's inbound form becomes InboundMessage; statuses map onto ours."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from masteria.contracts.content import MediaContent, TextContent
from masteria.contracts.messages import ConsentAction, ConsentKeyword, MessageStatus
from masteria.sms.senders.directory import KnownSender
from masteria.sms.webhooks.normalize import TWILIO_STATUSES, inbound_messages, media_kind, segments_field

SENDER = KnownSender(uuid.uuid4(), uuid.uuid4(), "AC" + "0" * 32, "token", "+15550001111", "long_code", 1)
NOW = datetime(2026, 12, 1, tzinfo=UTC)
BASE = {"MessageSid": "SM" + "1" * 32, "From": "+5511999990001", "To": "+15550001111", "NumMedia": "0"}


def test_text_message_names_sender_number_and_account() -> None:
    [msg] = inbound_messages({**BASE, "Body": "oi"}, SENDER, "+5511999990001", NOW, None)
    assert msg.channel == "sms"
    assert msg.content == TextContent(body="oi")
    assert msg.external_id == BASE["MessageSid"]
    assert msg.sender.address == "+5511999990001"
    assert msg.business_address == "+15550001111"
    assert msg.channel_account_id == SENDER.id
    assert msg.consent is None


def test_consent_rides_on_the_message() -> None:
    consent = ConsentKeyword(action=ConsentAction.OPT_OUT, keyword="Stop")
    [msg] = inbound_messages({**BASE, "Body": "Stop"}, SENDER, "+5511999990001", NOW, consent)
    assert msg.consent == consent


def test_media_become_one_message_each_with_the_text_as_first_caption() -> None:
    params = {
        **BASE,
        "Body": "olha",
        "NumMedia": "2",
        "MediaUrl0": "https://api.twilio.com/a",
        "MediaContentType0": "image/jpeg",
        "MediaUrl1": "https://api.twilio.com/b",
        "MediaContentType1": "application/pdf",
    }
    first, second = inbound_messages(params, SENDER, "+5511999990001", NOW, None)
    assert first.content == MediaContent(
        kind="image", url="https://api.twilio.com/a", mime_type="image/jpeg", caption="olha"
    )
    assert isinstance(second.content, MediaContent)
    assert second.content.kind == "document"
    assert second.external_id == f"{BASE['MessageSid']}/1"


def test_an_empty_sms_still_is_a_message() -> None:
    [msg] = inbound_messages({**BASE, "Body": ""}, SENDER, "+5511999990001", NOW, None)
    assert isinstance(msg.content, TextContent)


def test_helpers() -> None:
    assert [media_kind(t) for t in ("image/png", "audio/ogg", "video/mp4", "text/vcard", None)] == [
        "image",
        "audio",
        "video",
        "document",
        "document",
    ]
    assert segments_field({"NumSegments": "3"}) == 3
    assert segments_field({"NumSegments": "x"}) is None
    assert segments_field({}) is None
    assert TWILIO_STATUSES["undelivered"] is MessageStatus.FAILED
    assert TWILIO_STATUSES["sent"] is MessageStatus.SENT
    assert "received" not in TWILIO_STATUSES
