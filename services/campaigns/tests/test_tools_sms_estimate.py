"""Segment counts of rendered messages: the encoding each takes, what forced UCS-2, what SMS cannot carry."""

from __future__ import annotations

import pytest

from masteria.campaigns.tools.sms_estimate import NotSmsContentError, SampleStats, sms_cost
from masteria.contracts.content import LocationContent, MediaContent, TextContent


def test_a_text_costs_its_segments_and_names_the_characters_that_forced_ucs2() -> None:
    plain = sms_cost(TextContent(body="Oi Ana, sua fatura vence amanha."))
    assert (plain.encoding, plain.segments, plain.ucs2_characters) == ("GSM-7", 1, ())
    body = "Olá João, sua fatura vence amanhã. " * 2
    assert len(body) == 70
    assert sms_cost(TextContent(body=body)).segments == 1  # 70 UCS-2 units fill one segment exactly
    accented = sms_cost(TextContent(body=body + "!"))
    assert (accented.encoding, accented.segments) == ("UCS-2", 2)
    assert accented.ucs2_characters == ("á", "ã")


def test_media_goes_as_one_mms_and_a_location_cannot_go_by_sms() -> None:
    mms = sms_cost(MediaContent(kind="image", url="https://example.com/a.jpg", caption="x" * 500))
    assert (mms.encoding, mms.segments) == ("MMS", 1)
    with pytest.raises(NotSmsContentError):
        sms_cost(LocationContent(latitude=0, longitude=0))


def test_sample_stats_average_segments_over_the_messages_that_can_go() -> None:
    stats = SampleStats.of([TextContent(body="a" * 100), TextContent(body="a" * 200), None, TextContent(body="ç" * 10)])
    assert stats.rendered == 4
    assert stats.missing_variable == 1
    assert stats.sendable_share == 0.75
    assert stats.segments == [1, 2, 1]
    assert stats.average_segments == pytest.approx(4 / 3)
    assert stats.encoding == "GSM-7"
    assert stats.forcing_characters == ["ç"]


def test_ucs2_wins_a_tie_and_an_empty_sample_estimates_nothing() -> None:
    tie = SampleStats.of([TextContent(body="a"), TextContent(body="ã")])
    assert tie.encoding == "UCS-2"
    empty = SampleStats.of([])
    assert (empty.encoding, empty.average_segments, empty.sendable_share) == (None, 0.0, 1.0)
