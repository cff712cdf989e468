"""Meta's error codes are classified once: what retrying can fix and what it cannot."""

from __future__ import annotations

import pytest

from masteria.contracts.messages import ErrorClassification
from masteria.whatsapp_meta.graph import GraphError, GraphUnavailable
from masteria.whatsapp_meta.sending.errors import classify_exception, classify_meta, retried_here, slows_number

PERMANENT_CODES = [
    131026,
    131047,
    131049,
    131050,
    131051,
    131052,
    131053,
    132000,
    132001,
    132005,
    132007,
    132012,
    132015,
    132016,
    133010,
    368,
    470,
    100,
    190,
    10,
    200,
]
TRANSIENT_CODES = [130429, 131056, 131048, 80007, 4, 429, 1, 2, 131000, 131016]


@pytest.mark.parametrize("code", PERMANENT_CODES)
def test_codes_retrying_cannot_fix_are_permanent(code: int) -> None:
    error = classify_meta(code, 400)
    assert error.classification is ErrorClassification.PERMANENT
    assert error.code == str(code)
    assert not error.title.startswith("Meta error"), "every listed code has a title an agent can read"


@pytest.mark.parametrize("code", TRANSIENT_CODES)
def test_limits_and_outages_are_transient(code: int) -> None:
    assert classify_meta(code, 400).classification is ErrorClassification.TRANSIENT


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (500, ErrorClassification.TRANSIENT),
        (503, ErrorClassification.TRANSIENT),
        (429, ErrorClassification.TRANSIENT),
        (400, ErrorClassification.PERMANENT),
        (404, ErrorClassification.PERMANENT),
    ],
)
def test_an_unknown_code_falls_back_on_the_http_status(status: int, expected: ErrorClassification) -> None:
    error = classify_meta(999999, status)
    assert error.classification is expected
    assert error.code == "999999"


def test_a_failed_status_with_an_unlisted_code_is_classified_unknown() -> None:
    assert classify_meta(999999, None).classification is ErrorClassification.UNKNOWN


def test_graph_errors_keep_metas_details_and_no_answer_is_transient() -> None:
    refused = GraphError(
        400,
        {
            "message": "(#132001) Template name does not exist in the translation",
            "code": 132001,
            "error_data": {"details": "template name (x) does not exist in pt_BR"},
        },
    )
    error = classify_exception(refused)
    assert (error.code, error.classification) == ("132001", ErrorClassification.PERMANENT)
    assert error.provider_detail is not None
    assert "does not exist in pt_BR" in error.provider_detail
    timeout = classify_exception(GraphUnavailable("timeout", "no answer within 15s"))
    refused_connection = classify_exception(GraphUnavailable("connection", "ConnectError"))
    assert (timeout.code, timeout.classification) == ("timeout", ErrorClassification.TRANSIENT)
    assert (refused_connection.code, refused_connection.classification) == (
        "connection_error",
        ErrorClassification.TRANSIENT,
    )


def test_only_throughput_answers_slow_the_number_down() -> None:
    assert slows_number(GraphError(400, {"code": 130429}))
    assert slows_number(GraphError(429, {"code": 4}))
    assert not slows_number(GraphError(400, {"code": 131056}))  # pair rate: one customer, not the number
    assert not slows_number(GraphError(500, {"code": 131000}))
    assert not slows_number(GraphUnavailable("timeout", "x"))


def test_the_messaging_limit_passes_in_hours_so_the_adapter_leaves_its_retry_to_the_campaign() -> None:
    limit = classify_meta(131048, 400)
    assert limit.classification is ErrorClassification.TRANSIENT
    assert "limit of new customers per 24 hours" in limit.title
    assert not retried_here(limit)
    assert retried_here(classify_meta(130429, 400))
    assert retried_here(classify_meta(131000, 500))
    assert not retried_here(classify_meta(131026, None))
