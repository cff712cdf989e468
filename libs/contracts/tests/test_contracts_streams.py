"""Streams never overlap, every subject has exactly one home, and consumers read what exists."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest

from masteria.contracts import streams, subjects
from masteria.contracts.channels import Channel
from masteria.contracts.envelope import Payload
from masteria.contracts.streams import ALL_CONSUMERS, ALL_STREAMS, ConsumerSpec, StreamSpec
from masteria.contracts.testing import TENANT, all_payloads


def _all_pattern_pairs() -> list[tuple[str, str, str, str]]:
    pairs = []
    for first, second in itertools.combinations(ALL_STREAMS, 2):
        for a, b in itertools.product(first.subjects, second.subjects):
            pairs.append((first.name, a, second.name, b))
    return pairs


@pytest.mark.parametrize(("stream_a", "a", "stream_b", "b"), _all_pattern_pairs())
def test_no_two_streams_overlap(stream_a: str, a: str, stream_b: str, b: str) -> None:
    assert not subjects.collide(a, b), f"{stream_a} {a!r} overlaps {stream_b} {b!r}"


def test_the_overlap_check_would_catch_the_naive_design() -> None:
    naive_domain = StreamSpec(name="X", subjects=("campaign.>",), description="", max_age=timedelta(days=1))
    assert any(subjects.collide(a, b) for a in naive_domain.subjects for b in streams.CAMPAIGN_DISPATCH.subjects)


def test_stream_names_are_unique() -> None:
    names = [s.name for s in ALL_STREAMS]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("payload", all_payloads(), ids=lambda p: p.event_type)
def test_every_payload_lands_in_exactly_one_stream(payload: Payload) -> None:
    subject = payload.subject(TENANT)
    homes = [s.name for s in ALL_STREAMS if s.captures(subject)]
    assert len(homes) == 1, f"{subject} is stored by {homes}"
    assert streams.stream_for_subject(subject).name == homes[0]


@pytest.mark.parametrize(
    ("subject", "stream"),
    [
        (f"message.inbound.sms.{TENANT}", "MESSAGES_INBOUND"),
        (f"message.outbound.whatsapp_qr.{TENANT}", "MESSAGES_OUTBOUND"),
        (f"campaign.dispatch.whatsapp_meta.{TENANT}", "CAMPAIGN_DISPATCH"),
        (f"message.status.voice.{TENANT}", "MESSAGES_STATUS"),
        (f"campaign.completed.{TENANT}", "DOMAIN_EVENTS"),
        (f"lead.stage_changed.{TENANT}", "DOMAIN_EVENTS"),
        (f"call.ended.{TENANT}", "DOMAIN_EVENTS"),
        (f"session.qr_updated.{TENANT}", "DOMAIN_EVENTS"),
        (f"message.stored.{TENANT}", "DOMAIN_EVENTS"),
    ],
)
def test_design_card_subjects_have_their_stream(subject: str, stream: str) -> None:
    assert streams.stream_for_subject(subject).name == stream


def test_a_subject_outside_the_scheme_has_no_stream() -> None:
    with pytest.raises(LookupError):
        streams.stream_for_subject(f"message.deleted.{TENANT}")


@pytest.mark.parametrize("stream", ALL_STREAMS, ids=lambda s: s.name)
def test_stream_settings(stream: StreamSpec) -> None:
    assert stream.retention == "limits"
    assert stream.storage == "file"
    assert stream.duplicate_window == timedelta(minutes=2)
    assert stream.num_replicas == 1
    assert stream.max_age >= stream.duplicate_window


def test_nats_config_uses_seconds_and_nats_field_names() -> None:
    config = streams.MESSAGES_INBOUND.replicated(3).nats_config()
    assert config == {
        "name": "MESSAGES_INBOUND",
        "description": streams.MESSAGES_INBOUND.description,
        "subjects": ["message.inbound.*.*"],
        "retention": "limits",
        "storage": "file",
        "max_age": 7 * 24 * 3600.0,
        "duplicate_window": 120.0,
        "num_replicas": 3,
        "discard": "old",
    }


# --- consumers ------------------------------------------------------------------------------


@pytest.mark.parametrize("consumer", ALL_CONSUMERS, ids=lambda c: c.durable)
def test_consumer_filters_fall_inside_their_stream(consumer: ConsumerSpec) -> None:
    stream = streams.stream_named(consumer.stream)
    for subject_filter in consumer.filters:
        assert any(subjects.is_subset(subject_filter, s) for s in stream.subjects), subject_filter


@pytest.mark.parametrize("consumer", ALL_CONSUMERS, ids=lambda c: c.durable)
def test_consumer_limits_are_sane(consumer: ConsumerSpec) -> None:
    assert consumer.ack_wait >= timedelta(seconds=5)
    assert consumer.max_deliver > 1
    assert consumer.max_ack_pending > 0


def test_durable_names_are_unique_per_stream() -> None:
    keys = [(c.stream, c.durable) for c in ALL_CONSUMERS]
    assert len(keys) == len(set(keys))


@pytest.mark.parametrize(
    ("channel", "service"),
    [(Channel.WHATSAPP_META, "whatsapp-meta"), (Channel.WHATSAPP_QR, "whatsapp-qr"), (Channel.SMS, "sms")],
)
def test_every_messaging_channel_has_an_adapter_on_both_send_lanes(channel: Channel, service: str) -> None:
    lanes = {subjects.Lane.OUTBOUND: "outbound", subjects.Lane.DISPATCH: "dispatch"}
    for lane, suffix in lanes.items():
        subject = subjects.lane_subject(lane, channel, TENANT)
        readers = [
            c.durable
            for c in ALL_CONSUMERS
            if c.durable.startswith(service) and any(subjects.matches(f, subject) for f in c.filters)
        ]
        assert readers == [f"{service}-{suffix}"]
        assert streams.stream_named(_consumer(readers[0]).stream).captures(subject)


def _consumer(durable: str) -> ConsumerSpec:
    return next(c for c in ALL_CONSUMERS if c.durable == durable)


def test_crm_observes_both_send_lanes_beside_the_adapters() -> None:
    outbound = subjects.outbound(Channel.SMS, TENANT)
    bulk = subjects.dispatch(Channel.SMS, TENANT)
    assert subjects.matches(streams.CRM_OUTBOUND.filters[0], outbound)
    assert subjects.matches(streams.CRM_DISPATCH.filters[0], bulk)


def test_consumer_nats_config() -> None:
    assert streams.CRM_INBOUND.nats_config() == {
        "durable_name": "crm-inbound",
        "description": streams.CRM_INBOUND.description,
        "ack_policy": "explicit",
        "deliver_policy": "all",
        "ack_wait": 30.0,
        "max_deliver": 10,
        "max_ack_pending": 1000,
        "filter_subject": "message.inbound.*.*",
    }
    assert streams.CRM_EVENTS.nats_config()["filter_subjects"] == ["campaign.*.*", "call.*.*", "lead.*.*"]
    assert "filter_subject" not in streams.GATEWAY_WEBHOOKS_EVENTS.nats_config()


def test_consumer_spec_refuses_both_filter_forms_and_bad_names() -> None:
    with pytest.raises(ValueError, match="not both"):
        ConsumerSpec(stream="S", durable="d", filter_subject="a.*", filter_subjects=("b.*",))
    with pytest.raises(ValueError, match="not a valid durable name"):
        ConsumerSpec(stream="S", durable="crm.inbound")
