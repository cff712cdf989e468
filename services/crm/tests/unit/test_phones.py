"""Numbers become E.164 so one person is one contact, however the number was written."""

from __future__ import annotations

import pytest

from masteria.crm.contacts.phones import InvalidPhoneNumber, to_e164


@pytest.mark.parametrize("raw", ["+5511999990001", "+55 (11) 99999-0001", "11 99999-0001", "(11) 99999-0001"])
def test_ways_of_writing_one_brazilian_mobile_give_one_e164(raw: str) -> None:
    assert to_e164(raw, "BR") == "+5511999990001"


def test_a_foreign_number_with_its_country_code_keeps_it() -> None:
    assert to_e164("+1 415 555 2671", "BR") == "+14155552671"


@pytest.mark.parametrize("raw", ["abc", "123", ""])
def test_impossible_numbers_are_refused(raw: str) -> None:
    with pytest.raises(InvalidPhoneNumber):
        to_e164(raw, "BR")
