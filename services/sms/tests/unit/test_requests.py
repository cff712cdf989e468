"""What goes to Twilio: the Messages.json form, the SMS a content becomes, commands and backoff."""

from __future__ import annotations

import random
import uuid

import pytest

from masteria.contracts.channels import Channel
from masteria.contracts.content import LocationContent, MediaContent, TemplateContent, TextContent
from masteria.contracts.envelope import Envelope
from masteria.contracts.messages import CampaignDispatch, MessageOrigin, SendMessage
from masteria.sms.sending.commands import Command, NotACommandError, backoff_s, payload_of
from masteria.sms.sending.pacing import BULK, INTERACTIVE
from masteria.sms.twilio_api import SendRequest

TENANT = uuid.uuid4()


def test_the_form_has_twilios_field_names_and_repeats_media_url() -> None:
    request = SendRequest(
        account_sid="AC" + "0" * 32,
        auth_token="t" * 32,
        from_="+15550001111",
        to="+5511999990001",
        body="oi",
        media_urls=("https://x.test/a.jpg", "https://x.test/b.jpg"),
        status_callback="https://app.test/webhooks/sms/twilio/status",
    )
    assert request.form() == [
        ("To", "+5511999990001"),
        ("From", "+15550001111"),
        ("Body", "oi"),
        ("MediaUrl", "https://x.test/a.jpg"),
        ("MediaUrl", "https://x.test/b.jpg"),
        ("StatusCallback", "https://app.test/webhooks/sms/twilio/status"),
    ]


def test_a_media_only_message_has_no_body_field() -> None:
    request = SendRequest("AC1", "t", "+1", "+2", None, ("https://x.test/a.jpg",))
    assert [name for name, _ in request.form()] == ["To", "From", "MediaUrl"]


def test_text_and_url_media_become_sms_anything_else_does_not() -> None:
    text = payload_of(TextContent(body="a" * 161))
    assert text is not None
    assert (text.body, text.segments) == ("a" * 161, 2)
    media = payload_of(MediaContent(kind="image", url="https://x.test/a.jpg", caption="foto"))
    assert media is not None
    assert (media.body, media.media_urls, media.segments) == (
        "foto",
        ("https://x.test/a.jpg",),
        1,
    )
    assert payload_of(MediaContent(kind="image", media_id="123")) is None  # a WhatsApp media id means nothing here
    assert payload_of(TemplateContent(name="hello", language="pt_BR")) is None
    assert payload_of(LocationContent(latitude=1, longitude=2)) is None


def test_commands_of_both_lanes_keep_their_idempotency_key_and_priority() -> None:
    message = SendMessage(
        channel=Channel.SMS,
        message_id=uuid.uuid4(),
        to="+5511999990001",
        content=TextContent(body="oi"),
        origin=MessageOrigin.AGENT,
    )
    reply = Command.from_envelope(Envelope.wrap(message, tenant=TENANT, source="test"))
    assert (reply.lane, reply.command_id, reply.attempt, reply.priority) == (
        "message",
        message.message_id,
        1,
        INTERACTIVE,
    )
    dispatch = CampaignDispatch(
        channel=Channel.SMS,
        dispatch_id=uuid.uuid4(),
        campaign_id=uuid.uuid4(),
        recipient_id=uuid.uuid4(),
        to="+5511999990002",
        content=TextContent(body="promo"),
        attempt=2,
    )
    bulk = Command.from_envelope(Envelope.wrap(dispatch, tenant=TENANT, source="test"))
    assert (bulk.lane, bulk.command_id, bulk.attempt, bulk.priority) == ("dispatch", dispatch.dispatch_id, 2, BULK)


def test_a_command_for_another_channel_is_refused() -> None:
    message = SendMessage(
        channel=Channel.WHATSAPP_META,
        message_id=uuid.uuid4(),
        to="+5511999990001",
        content=TextContent(body="oi"),
        origin=MessageOrigin.AGENT,
    )
    with pytest.raises(NotACommandError):
        Command.from_envelope(Envelope.wrap(message, tenant=TENANT, source="test"))


def test_backoff_is_full_jitter_under_an_exponential_ceiling() -> None:
    rng = random.Random(7)
    for tries, ceiling in ((1, 0.5), (2, 1.0), (3, 2.0), (4, 4.0), (10, 30.0)):
        waits = [backoff_s(tries, 0.5, 30.0, rng) for _ in range(500)]
        assert all(0 <= w <= ceiling for w in waits)
        assert max(waits) > ceiling * 0.9  # spread over the whole range, not clustered
        assert min(waits) < ceiling * 0.1
