"""Segment counting as Twilio bills it: GSM-7 with its extension table, otherwise UCS-2 in UTF-16 units."""

import pytest

from masteria.sandbox.twilio.segments import count_segments, is_gsm7


@pytest.mark.parametrize(
    ("body", "segments"),
    [
        ("", 1),
        ("a" * 160, 1),
        ("a" * 161, 2),
        ("a" * 306, 2),
        ("a" * 307, 3),
        ("a" * 1530, 10),
    ],
)
def test_gsm7_is_160_alone_and_153_per_concatenated_segment(body: str, segments: int) -> None:
    assert count_segments(body).segments == segments
    assert count_segments(body).encoding == "GSM-7"


def test_gsm7_covers_its_accented_letters_and_symbols() -> None:
    assert is_gsm7("Oi! É às 10h @ R$ 5,00 £ ¥ Ñ ü Ç ñ §¿¡ ΔΦΓΛΩΠΨΣΘΞ\n")
    assert not is_gsm7("ação")  # ç and ã are outside GSM-7
    assert not is_gsm7("olá")  # GSM-7 has à but not á
    assert not is_gsm7("“aspas”")


@pytest.mark.parametrize("char", list("€[]{}^~|\\\f"))
def test_extension_table_characters_count_two(char: str) -> None:
    assert (count_segments(char * 80).units, count_segments(char * 80).segments) == (160, 1)
    assert (count_segments(char * 81).units, count_segments(char * 81).segments) == (162, 2)
    assert count_segments("a" * 159 + char).segments == 2


def test_an_escape_sequence_is_not_split_between_segments() -> None:
    # 306 septets would fill two segments exactly, but the euro sign cannot straddle them.
    body = "a" * 152 + "€" + "a" * 152

    assert count_segments(body).units == 306
    assert count_segments(body).segments == 3


@pytest.mark.parametrize(
    ("body", "units", "segments"),
    [
        ("ç" * 70, 70, 1),
        ("ç" * 71, 71, 2),
        ("ç" * 134, 134, 2),
        ("ç" * 135, 135, 3),
        ("Promoção de verão: até 50% em tudo!", 35, 1),
    ],
)
def test_ucs2_is_70_alone_and_67_per_concatenated_segment(body: str, units: int, segments: int) -> None:
    result = count_segments(body)

    assert (result.encoding, result.units, result.segments) == ("UCS-2", units, segments)


def test_emoji_take_two_utf16_units_and_are_not_split() -> None:
    assert (count_segments("🎉" * 35).units, count_segments("🎉" * 35).segments) == (70, 1)
    assert (count_segments("🎉" * 36).units, count_segments("🎉" * 36).segments) == (72, 2)
    # 66 units then a surrogate pair that would need units 67 and 68: it moves to the next segment.
    assert count_segments("a" * 66 + "🎉" + "a" * 66).segments == 3
    assert count_segments("oi 🎉").encoding == "UCS-2"
