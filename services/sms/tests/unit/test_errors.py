"""Twilio's error codes classified: retry only what can succeed later."""

from __future__ import annotations

import pytest

from masteria.contracts.messages import ErrorClassification
from masteria.sms.errors import classify, delivery_error

P, T, U = ErrorClassification.PERMANENT, ErrorClassification.TRANSIENT, ErrorClassification.UNKNOWN


@pytest.mark.parametrize(
    "code", ["30003", "30005", "30006", "21211", "21610", "21614", "30004", "30007", "21617", "20003", "30002", "30034"]
)
def test_permanent_codes(code: str) -> None:
    assert classify(code) is P


@pytest.mark.parametrize("code", ["30001", "30008", "20429", "21611", "14107", "30022"])
def test_transient_codes(code: str) -> None:
    assert classify(code) is T


@pytest.mark.parametrize(("http_status", "expected"), [(429, T), (500, T), (503, T), (400, P), (404, P), (None, U)])
def test_unknown_codes_fall_back_on_the_http_status(http_status: int | None, expected: ErrorClassification) -> None:
    assert classify("99999", http_status) is expected


def test_delivery_error_names_the_code_and_a_title() -> None:
    error = delivery_error("30007", "filtered")
    assert (error.code, error.classification, error.provider_detail) == ("30007", P, "filtered")
    assert "carrier" in error.title
    assert delivery_error(None, http_status=502).code == "http_502"
    assert delivery_error(None).classification is U
