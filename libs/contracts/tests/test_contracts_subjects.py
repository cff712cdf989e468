"""Subjects: built from payloads, parsed back, and wildcards that behave as NATS does."""

from __future__ import annotations

import uuid

import pytest

from masteria.contracts import subjects
from masteria.contracts.channels import Channel
from masteria.contracts.envelope import Envelope, Payload
from masteria.contracts.subjects import InvalidSubjectError, Lane, SubjectParts
from masteria.contracts.testing import TENANT, all_payloads, inbound, send

T = str(TENANT)


@pytest.mark.parametrize(
    ("built", "expected"),
    [
        (subjects.inbound(Channel.WHATSAPP_META, TENANT), f"message.inbound.whatsapp_meta.{T}"),
        (subjects.outbound(Channel.SMS, TENANT), f"message.outbound.sms.{T}"),
        (subjects.dispatch(Channel.WHATSAPP_QR, TENANT), f"campaign.dispatch.whatsapp_qr.{T}"),
        (subjects.status(Channel.VOICE, TENANT), f"message.status.voice.{T}"),
        (subjects.event_subject("contact.created", TENANT), f"contact.created.{T}"),
        (subjects.event_subject("conversation.opened", TENANT), f"conversation.opened.{T}"),
        (subjects.event_subject("message.stored", TENANT), f"message.stored.{T}"),
    ],
)
def test_builders(built: str, expected: str) -> None:
    assert built == expected


EXPECTED_SUBJECTS = {
    "message.inbound": f"message.inbound.whatsapp_meta.{T}",
    "message.outbound": f"message.outbound.whatsapp_meta.{T}",
    "campaign.dispatch": f"campaign.dispatch.sms.{T}",
    "message.status": f"message.status.sms.{T}",
    "contact.created": f"contact.created.{T}",
    "contact.updated": f"contact.updated.{T}",
    "contact.opted_out": f"contact.opted_out.{T}",
    "contact.opted_in": f"contact.opted_in.{T}",
    "conversation.opened": f"conversation.opened.{T}",
    "conversation.updated": f"conversation.updated.{T}",
    "message.stored": f"message.stored.{T}",
    "message.delivery_updated": f"message.delivery_updated.{T}",
    "conversation.note_added": f"conversation.note_added.{T}",
    "contact.import_progressed": f"contact.import_progressed.{T}",
    "contact.merged": f"contact.merged.{T}",
    "contact.deleted": f"contact.deleted.{T}",
    "lead.stage_changed": f"lead.stage_changed.{T}",
    "campaign.state_changed": f"campaign.state_changed.{T}",
    "campaign.progressed": f"campaign.progressed.{T}",
}


@pytest.mark.parametrize("payload", all_payloads(), ids=lambda p: p.event_type)
def test_subject_for_derives_the_subject_from_the_payload(payload: Payload) -> None:
    envelope = Envelope.wrap(payload, tenant=TENANT, source="tests")
    subject = subjects.subject_for(envelope)
    assert subject == EXPECTED_SUBJECTS[payload.event_type]
    parts = subjects.parse(subject)
    assert parts.event_type == payload.event_type
    assert parts.tenant == TENANT


def test_the_channel_of_a_lane_payload_goes_into_its_subject() -> None:
    assert send(channel=Channel.WHATSAPP_QR).subject(TENANT) == f"message.outbound.whatsapp_qr.{T}"


@pytest.mark.parametrize(
    ("subject", "parts"),
    [
        (f"message.inbound.sms.{T}", SubjectParts("message.inbound", Channel.SMS, TENANT)),
        (f"campaign.dispatch.whatsapp_meta.{T}", SubjectParts("campaign.dispatch", Channel.WHATSAPP_META, TENANT)),
        (f"contact.opted_out.{T}", SubjectParts("contact.opted_out", None, TENANT)),
        (f"campaign.completed.{T}", SubjectParts("campaign.completed", None, TENANT)),
    ],
)
def test_parse(subject: str, parts: SubjectParts) -> None:
    assert subjects.parse(subject) == parts


def test_parsed_lane() -> None:
    assert subjects.parse(f"message.status.sms.{T}").lane is Lane.STATUS
    assert subjects.parse(f"contact.created.{T}").lane is None


@pytest.mark.parametrize(
    ("subject", "reason"),
    [
        ("message.inbound", "too few tokens"),
        (f"message.inbound.{T}", "too few tokens|must be 'message.inbound.<channel>.<tenant>'"),
        (f"message.inbound.telegram.{T}", "unknown channel 'telegram'"),
        (f"message.inbound.sms.{T}.extra", "must be 'message.inbound.<channel>.<tenant>'"),
        ("contact.created.not-a-uuid", "is not a UUID"),
        (f"contact.created.{T.upper()}", "not a canonical UUID"),
        (f"contact.created.{uuid.UUID(T).hex}", "not a canonical UUID"),
        (f"contact.created.sms.{T}", "must be '<aggregate>.<event>.<tenant>'"),
        (f"Contact.Created.{T}", "snake_case"),
    ],
)
def test_parse_refuses_malformed_subjects(subject: str, reason: str) -> None:
    with pytest.raises(InvalidSubjectError, match=reason):
        subjects.parse(subject)


def test_a_lane_cannot_be_built_as_a_domain_event() -> None:
    with pytest.raises(InvalidSubjectError, match="is a lane"):
        subjects.event_subject("message.inbound", TENANT)


@pytest.mark.parametrize(
    ("built", "expected"),
    [
        (subjects.inbound_all(), "message.inbound.*.*"),
        (subjects.outbound_all(), "message.outbound.*.*"),
        (subjects.dispatch_all(), "campaign.dispatch.*.*"),
        (subjects.status_all(), "message.status.*.*"),
        (subjects.lane_filter(Lane.INBOUND, channel=Channel.SMS), "message.inbound.sms.*"),
        (subjects.lane_filter(Lane.STATUS, tenant=TENANT), f"message.status.*.{T}"),
        (subjects.lane_filter(Lane.OUTBOUND, channel=Channel.SMS, tenant=TENANT), f"message.outbound.sms.{T}"),
        (subjects.event_filter("contact"), "contact.*.*"),
        (subjects.event_filter("contact", "opted_out"), "contact.opted_out.*"),
        (subjects.event_filter("conversation", tenant=TENANT), f"conversation.*.{T}"),
    ],
)
def test_wildcards(built: str, expected: str) -> None:
    assert built == expected


def test_event_filter_refuses_wildcards_smuggled_in_tokens() -> None:
    with pytest.raises(InvalidSubjectError):
        subjects.event_filter("contact.>")


def test_wildcards_match_what_the_builders_produce() -> None:
    subject = inbound().subject(TENANT)
    assert subjects.matches(subjects.inbound_all(), subject)
    assert subjects.matches(subjects.lane_filter(Lane.INBOUND, channel=Channel.WHATSAPP_META), subject)
    assert not subjects.matches(subjects.lane_filter(Lane.INBOUND, channel=Channel.SMS), subject)
    assert not subjects.matches(subjects.lane_filter(Lane.INBOUND, tenant=uuid.uuid4()), subject)
    assert not subjects.matches(subjects.outbound_all(), subject)


# --- NATS wildcard semantics ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "subject", "expected"),
    [
        ("a.b", "a.b", True),
        ("a.*", "a.b", True),
        ("a.*", "a.b.c", False),
        ("a.>", "a.b.c", True),
        ("a.>", "a", False),
        ("*.b.*", "a.b.c", True),
        ("a.b.c", "a.b", False),
        (">", "a", True),
    ],
)
def test_matches(pattern: str, subject: str, expected: bool) -> None:
    assert subjects.matches(pattern, subject) is expected


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("campaign.>", "campaign.dispatch.>", True),
        ("campaign.*.*", "campaign.dispatch.>", True),  # campaign.dispatch.x
        ("campaign.*.*", "campaign.dispatch.*.*", False),  # 3 tokens never meet 4
        ("message.*.*", "message.inbound.*.*", False),
        ("message.stored.*", "message.>", True),
        ("a.*.c", "a.b.*", True),
        ("a.b", "a.c", False),
        ("a", "a.>", False),
        (">", "anything.at.all", True),
        ("a.b.c", "a.b.c", True),
    ],
)
def test_collide_is_symmetric_and_follows_nats(a: str, b: str, expected: bool) -> None:
    assert subjects.collide(a, b) is expected
    assert subjects.collide(b, a) is expected


@pytest.mark.parametrize(
    ("narrow", "wide", "expected"),
    [
        ("message.inbound.sms.*", "message.inbound.*.*", True),
        ("message.inbound.*.*", "message.inbound.*.*", True),
        ("message.inbound.*.*", "message.inbound.sms.*", False),
        ("message.inbound.>", "message.inbound.*.*", False),
        ("message.inbound.*.*", "message.inbound.>", True),
        ("a.b", "a.b.c", False),
        ("a.b.c", "a.b", False),
        ("a", ">", True),
    ],
)
def test_is_subset(narrow: str, wide: str, expected: bool) -> None:
    assert subjects.is_subset(narrow, wide) is expected
