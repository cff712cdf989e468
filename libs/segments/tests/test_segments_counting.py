"""Segments as carriers and Twilio bill them: GSM-7 160/153 with two-septet extension characters, UCS-2 70/67."""

from __future__ import annotations

import pytest

from masteria.segments import GSM7_BASIC, GSM7_EXTENSION, count, is_gsm7, segments_of, ucs2_characters


def test_the_alphabet_has_the_127_basic_characters_and_the_extension_table() -> None:
    assert len(GSM7_BASIC) == 127  # 128 code points, the escape excluded
    assert len(GSM7_EXTENSION) == 10
    assert not GSM7_BASIC & GSM7_EXTENSION


@pytest.mark.parametrize(
    ("body", "encoding", "segments"),
    [
        ("", "GSM-7", 1),
        ("a" * 160, "GSM-7", 1),
        ("a" * 161, "GSM-7", 2),
        ("a" * 306, "GSM-7", 2),
        ("a" * 307, "GSM-7", 3),
        ("a" * 459, "GSM-7", 3),
        ("a" * 460, "GSM-7", 4),
        ("é" * 160, "GSM-7", 1),  # é is in the basic table
        ("ç", "UCS-2", 1),  # only Ç is: Portuguese text often goes out as UCS-2
        ("ã" * 70, "UCS-2", 1),
        ("ã" * 71, "UCS-2", 2),
        ("ã" * 134, "UCS-2", 2),
        ("ã" * 135, "UCS-2", 3),
        ("ã" * 201, "UCS-2", 3),
        ("ã" * 202, "UCS-2", 4),
        ("Olá Maria, sua consulta é amanhã às 10h.", "UCS-2", 1),
        ("Ola Maria, sua consulta e amanha as 10h.", "GSM-7", 1),
    ],
)
def test_segments_by_encoding_and_length(body: str, encoding: str, segments: int) -> None:
    result = count(body)
    assert (result.encoding, result.segments) == (encoding, segments)


def test_extension_characters_cost_two_septets() -> None:
    assert count("€" * 80).units == 160
    assert segments_of("€" * 80) == 1
    assert segments_of("€" * 80 + "a") == 2
    assert count("[x]").units == 5


def test_an_escape_pair_is_never_split_across_segments() -> None:
    # 152 septets then a 2-septet '€' does not fit the 153 left in segment one: it opens segment two.
    body = "a" * 152 + "€" + "a" * 152
    assert count(body).units == 306  # would fit in two 153-septet segments if it could be split
    assert segments_of(body) == 3
    # The same pair one septet earlier fits: 151 + 2 = 153.
    assert segments_of("a" * 151 + "€" + "a" * 153) == 2


def test_emoji_are_two_utf16_code_units_and_stay_whole() -> None:
    assert count("😀").units == 2
    assert count("😀").encoding == "UCS-2"
    assert segments_of("😀" * 35) == 1
    assert segments_of("😀" * 36) == 2
    # 66 units then an emoji: it cannot take the 67th unit alone.
    assert segments_of("ã" * 66 + "😀" + "ã" * 66) == 3


def test_one_non_gsm_character_turns_the_whole_message_to_ucs2() -> None:
    assert segments_of("a" * 100) == 1
    assert segments_of("a" * 100 + "ç") == 2
    # In UCS-2 an extension character is one code unit, not an escape pair.
    assert count("€ç").units == 2


def test_the_characters_that_force_ucs2_are_named_once_each() -> None:
    assert ucs2_characters("Olá, você está aí? 😀 olá") == ["á", "ê", "í", "😀"]
    assert ucs2_characters("Hello {name} €") == []
    assert is_gsm7("Hello {name} €")
