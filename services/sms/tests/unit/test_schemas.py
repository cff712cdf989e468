"""Sender registration input: E.164 numbers, short codes, default throughput per kind."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from masteria.sms.senders.schemas import SenderCreate

SID, TOKEN = "AC" + "a" * 32, "b" * 32


def make(**fields: object) -> SenderCreate:
    return SenderCreate.model_validate(
        {"account_sid": SID, "auth_token": TOKEN, "phone_number": "+15550001111", **fields}
    )


@pytest.mark.parametrize(("kind", "mps"), [("long_code", 1), ("toll_free", 3)])
def test_default_throughput_per_kind(kind: str, mps: int) -> None:
    assert make(kind=kind).mps == mps


def test_short_codes_are_digits_and_default_to_100() -> None:
    sender = make(kind="short_code", phone_number=" 898211 ")
    assert (sender.phone_number, sender.mps) == ("898211", 100)
    with pytest.raises(ValidationError):
        make(kind="short_code", phone_number="+15550001111")


def test_an_override_wins_and_numbers_are_normalised() -> None:
    sender = make(phone_number="+55 11 90000-0000", messages_per_second=10)
    assert (sender.phone_number, sender.mps) == ("+5511900000000", 10)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("phone_number", "11900000000"),
        ("phone_number", "+1800"),
        ("account_sid", "AC123"),
        ("messages_per_second", 0),
        ("messages_per_second", 1001),
        ("kind", "alphanumeric"),
    ],
)
def test_invalid_input_names_the_field(field: str, value: object) -> None:
    with pytest.raises(ValidationError) as caught:
        make(**{field: value})
    assert caught.value.errors()[0]["loc"][0] == field
