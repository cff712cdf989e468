"""Payloads survive the wire, refuse what they must, and decode generically."""

from __future__ import annotations

import json
from typing import Any, ClassVar

import pytest
from pydantic import ValidationError

from masteria.contracts import registry
from masteria.contracts.content import (
    ButtonReply,
    ButtonsInteractive,
    InteractiveContent,
    MediaContent,
    TemplateContent,
    TextContent,
    UnsupportedContent,
    preview,
)
from masteria.contracts.envelope import Envelope, Payload
from masteria.contracts.messages import (
    MessageStatus,
    status_advances,
)
from masteria.contracts.registry import (
    UnknownEventTypeError,
    decode_envelope,
    encode_envelope,
    payload_class_for,
)
from masteria.contracts.subjects import InvalidSubjectError
from masteria.contracts.testing import (
    INBOUND_CONTENTS,
    OUTBOUND_CONTENTS,
    TENANT,
    all_payloads,
    dispatch,
    inbound,
    send,
    status_changed,
)


def _roundtrip(payload: Payload) -> Envelope[Any]:
    envelope = Envelope.wrap(payload, tenant=TENANT, source="tests")
    decoded = decode_envelope(encode_envelope(envelope))
    assert decoded == envelope
    assert type(decoded.data) is type(payload)
    return decoded


def test_the_samples_cover_every_registered_payload() -> None:
    assert {type(p) for p in all_payloads()} == set(registry.PAYLOAD_CLASSES)


@pytest.mark.parametrize("payload", all_payloads(), ids=lambda p: p.event_type)
def test_every_payload_roundtrips_through_an_envelope(payload: Payload) -> None:
    decoded = _roundtrip(payload)
    assert decoded.type == payload.event_type
    assert decoded.dataschema == f"masteria:{payload.event_type}/v1"


@pytest.mark.parametrize("content", INBOUND_CONTENTS, ids=lambda c: f"{c.kind}")
def test_every_inbound_content_kind_roundtrips(content: Any) -> None:
    assert _roundtrip(inbound(content)).data.content == content


@pytest.mark.parametrize("content", OUTBOUND_CONTENTS, ids=lambda c: f"{c.kind}")
def test_every_outbound_content_kind_roundtrips(content: Any) -> None:
    assert _roundtrip(send(content)).data.content == content
    assert _roundtrip(dispatch(content)).data.content == content


def test_content_is_chosen_by_its_kind_from_plain_json() -> None:
    message = inbound({"kind": "audio", "media_id": "m1"})
    assert isinstance(message.content, MediaContent)
    assert message.content.kind == "audio"


def test_envelope_ids_and_causality() -> None:
    first = Envelope.wrap(inbound(), tenant=TENANT, source="whatsapp-meta")
    reply = Envelope.wrap(send(), tenant=TENANT, source="ai-engine", caused_by=first)
    again = Envelope.wrap(status_changed(), tenant=TENANT, source="whatsapp-meta", caused_by=reply)
    assert first.correlationid == first.id
    assert first.id.version == 7
    assert reply.causationid == first.id
    assert again.correlationid == first.id
    assert again.causationid == reply.id


def test_payloads_are_frozen_and_closed() -> None:
    message = send()
    with pytest.raises(ValidationError):
        message.to = "+5511900000000"  # type: ignore[misc]
    with pytest.raises(ValidationError, match=r"Extra inputs are not permitted"):
        TextContent.model_validate({"body": "x", "bold": True})


# --- generic decoding -----------------------------------------------------------------------


def _raw(payload: Payload) -> dict[str, Any]:
    raw: dict[str, Any] = json.loads(encode_envelope(Envelope.wrap(payload, tenant=TENANT, source="t")))
    return raw


def test_decoding_ignores_fields_added_by_a_newer_producer() -> None:
    raw = _raw(send())
    raw["data"]["priority"] = "high"
    raw["data"]["content"]["emphasis"] = True
    decoded = decode_envelope(json.dumps(raw))
    assert isinstance(decoded.data.content, TextContent)
    with pytest.raises(ValidationError, match="priority"):
        decode_envelope(json.dumps(raw), tolerant=False)


def test_decoding_refuses_an_unknown_type_or_version() -> None:
    raw = _raw(send())
    raw["type"], raw["dataschema"] = "message.teleported", "masteria:message.teleported/v1"
    with pytest.raises(UnknownEventTypeError, match=r"message\.teleported"):
        decode_envelope(json.dumps(raw))
    raw = _raw(send())
    raw["dataschema"] = "masteria:message.outbound/v9"
    with pytest.raises(UnknownEventTypeError, match="v9"):
        decode_envelope(json.dumps(raw))


@pytest.mark.parametrize(
    ("attribute", "value", "message"),
    [
        ("dataschema", "masteria:contact.created/v1", "does not describe"),
        ("dataschema", "message.outbound", "is not 'masteria:<type>/v<N>'"),
        ("type", None, "needs string 'type'"),
    ],
)
def test_decoding_refuses_inconsistent_attributes(attribute: str, value: Any, message: str) -> None:
    raw = _raw(send())
    raw[attribute] = value
    with pytest.raises(ValueError, match=message):
        decode_envelope(json.dumps(raw))


def test_decoding_refuses_a_payload_that_does_not_fit_its_type() -> None:
    raw = _raw(send())
    del raw["data"]["to"]
    with pytest.raises(ValidationError, match=r"data\.to"):
        decode_envelope(json.dumps(raw).encode())


def test_payload_class_lookup_picks_the_newest_version_by_default() -> None:
    assert payload_class_for("message.inbound") is type(inbound())
    assert payload_class_for("message.inbound", 1) is type(inbound())
    assert registry.event_types() == sorted(registry.event_types())
    assert "message.stored" in registry.event_types()


def test_every_payload_class_in_the_package_is_registered() -> None:
    def leaves(cls: type[Payload]) -> set[type[Payload]]:
        found = {cls} if "event_type" in cls.__dict__ else set()
        for sub in cls.__subclasses__():
            found |= leaves(sub)
        return found

    defined = {c for c in leaves(Payload) if c.__module__.startswith("masteria.contracts.")}
    assert defined <= set(registry.PAYLOAD_CLASSES)


def test_a_malformed_event_type_fails_when_the_class_is_defined() -> None:
    with pytest.raises(InvalidSubjectError, match="snake_case"):

        class Bad(Payload):
            event_type: ClassVar[str] = "Contact-Created"


# --- validation rules -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sample", "field", "value"),
    [
        (send, "to", "11987654321"),
        (dispatch, "to", "+0123456789"),
        (status_changed, "recipient", "+12"),
        (lambda: all_payloads()[4], "phone", "+55 11 98765-4321"),
    ],
)
def test_e164_errors_name_the_field(sample: Any, field: str, value: str) -> None:
    payload = sample()
    with pytest.raises(ValidationError) as caught:
        type(payload).model_validate({**payload.model_dump(), field: value})
    errors = caught.value.errors()
    assert [e["loc"] for e in errors] == [(field,)]
    assert "E.164" in errors[0]["msg"]
    assert value in errors[0]["msg"]


def test_e164_error_in_a_nested_model_names_the_path() -> None:
    data = inbound().model_dump()
    data["sender"]["address"] = "5511987654321"
    with pytest.raises(ValidationError) as caught:
        type(inbound()).model_validate(data)
    assert caught.value.errors()[0]["loc"] == ("sender", "address")
    assert "sender.address" in str(caught.value)


@pytest.mark.parametrize("number", ["+5511987654321", "+14155550123", "+4930123"])
def test_valid_e164_numbers_pass(number: str) -> None:
    assert send().model_validate({**send().model_dump(), "to": number}).to == number


def test_customers_cannot_send_templates_or_outbound_buttons() -> None:
    with pytest.raises(ValidationError, match="cannot be a template"):
        inbound(TemplateContent(name="x", language="en"))
    with pytest.raises(ValidationError, match="button_reply or list_reply"):
        inbound(InteractiveContent(interactive=ButtonsInteractive(body="b", buttons=[{"id": "1", "title": "t"}])))


def test_we_cannot_send_unsupported_content_or_replies() -> None:
    with pytest.raises(ValidationError, match="unsupported content cannot be sent"):
        send(UnsupportedContent(provider_type="order"))
    with pytest.raises(ValidationError, match="not a reply"):
        dispatch(InteractiveContent(interactive=ButtonReply(id="1", title="t")))


def test_media_needs_a_reference_and_template_parameters_their_value() -> None:
    with pytest.raises(ValidationError, match="media_id, url or storage_key"):
        MediaContent(kind="image")
    with pytest.raises(ValidationError, match="needs 'payload'"):
        TemplateContent.model_validate(
            {"name": "t", "language": "en", "components": [{"type": "button", "parameters": [{"type": "payload"}]}]}
        )


def test_timestamps_must_carry_a_timezone() -> None:
    data = inbound().model_dump()
    data["sent_at"] = "2025-03-14T15:09:26"
    with pytest.raises(ValidationError, match="sent_at"):
        type(inbound()).model_validate(data)


# --- status precedence ----------------------------------------------------------------------

S = MessageStatus


@pytest.mark.parametrize(
    ("current", "new", "advances"),
    [
        (None, S.SENT, True),
        (None, S.UNKNOWN, True),
        (S.UNKNOWN, S.ACCEPTED, True),
        (S.ACCEPTED, S.SENT, True),
        (S.SENT, S.DELIVERED, True),
        (S.SENT, S.READ, True),  # delivered skipped when read at once
        (S.DELIVERED, S.READ, True),
        (S.READ, S.DELIVERED, False),  # out of order: never backwards
        (S.DELIVERED, S.SENT, False),
        (S.SENT, S.SENT, False),
        (S.SENT, S.UNKNOWN, False),
        (S.UNKNOWN, S.FAILED, True),
        (S.SENT, S.FAILED, True),
        (S.DELIVERED, S.FAILED, False),
        (S.FAILED, S.READ, False),
        (S.FAILED, S.FAILED, False),
    ],
)
def test_status_only_moves_forward(current: MessageStatus | None, new: MessageStatus, advances: bool) -> None:
    assert status_advances(current, new) is advances


def test_terminal_statuses() -> None:
    assert {s for s in MessageStatus if s.is_terminal} == {S.READ, S.FAILED}


# --- previews -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (TextContent(body="  Olá\n  mundo "), "Olá mundo"),
        (MediaContent(kind="image", media_id="1", caption="foto"), "[image] foto"),
        (TemplateContent(name="welcome", language="pt_BR"), "[template] welcome"),
        (InteractiveContent(interactive=ButtonReply(id="y", title="Sim")), "Sim"),
        (UnsupportedContent(provider_type="order"), "[unsupported: order]"),
    ],
)
def test_previews_are_one_line(content: Any, expected: str) -> None:
    assert preview(content) == expected


def test_long_previews_are_cut() -> None:
    cut = preview(TextContent(body="a" * 500), limit=10)
    assert cut == "a" * 9 + "…"
