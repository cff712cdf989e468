"""X-Twilio-Signature: the URL Twilio signed is rebuilt from the public base; the twilio package checks it."""

from __future__ import annotations

from starlette.datastructures import FormData
from twilio.request_validator import RequestValidator

from masteria.sandbox.twilio.signing import sign as sandbox_sign
from masteria.sms.signature import candidate_urls, is_valid, public_url, sign

TOKEN = "12345678901234567890123456789012"
PARAMS = {"MessageSid": "SM" + "a" * 32, "From": "+5511999990001", "To": "+15550001111", "Body": "oi"}


def test_the_public_url_keeps_path_and_query_exactly() -> None:
    assert public_url("https://app.example.com/", "/webhooks/sms/twilio/inbound", "") == (
        "https://app.example.com/webhooks/sms/twilio/inbound"
    )
    assert public_url("https://app.example.com", "/webhooks/sms/twilio/status", "a=1&b=%2B55") == (
        "https://app.example.com/webhooks/sms/twilio/status?a=1&b=%2B55"
    )


def test_candidates_try_the_public_url_first_then_what_the_service_saw() -> None:
    urls = candidate_urls(
        "https://app.example.com",
        "/webhooks/sms/twilio/inbound",
        "",
        "http://10.0.0.7:8103/webhooks/sms/twilio/inbound",
    )
    assert urls == [
        "https://app.example.com/webhooks/sms/twilio/inbound",
        "http://10.0.0.7:8103/webhooks/sms/twilio/inbound",
    ]
    assert len(candidate_urls("http://a.test", "/p", "", "http://a.test/p")) == 1


def test_a_signature_over_the_public_url_verifies_behind_the_gateway() -> None:
    public = "https://app.example.com/webhooks/sms/twilio/inbound"
    signature = RequestValidator(TOKEN).compute_signature(public, PARAMS)
    seen = "http://127.0.0.1:8103/webhooks/sms/twilio/inbound"  # what the service sees behind the gateway
    assert is_valid(
        TOKEN, candidate_urls("https://app.example.com", "/webhooks/sms/twilio/inbound", "", seen), PARAMS, signature
    )
    assert not is_valid(TOKEN, [seen], PARAMS, signature), "the URL really is part of what is signed"


def test_wrong_token_tampered_field_missing_header_all_fail() -> None:
    url = "https://app.example.com/webhooks/sms/twilio/inbound"
    signature = sign(TOKEN, url, PARAMS)
    assert is_valid(TOKEN, [url], PARAMS, signature)
    assert not is_valid("x" * 32, [url], PARAMS, signature)
    assert not is_valid(TOKEN, [url], {**PARAMS, "Body": "STOP"}, signature)
    assert not is_valid(TOKEN, [url], PARAMS, None)
    assert not is_valid(TOKEN, [url], PARAMS, "")


def test_form_data_with_repeated_fields_is_signed_over_every_value() -> None:
    url = "https://app.example.com/webhooks/sms/twilio/status"
    pairs = [("MessageSid", "SM1"), ("MediaUrl", "https://b"), ("MediaUrl", "https://a")]
    signature = sandbox_sign(TOKEN, url, pairs)  # an independent implementation of Twilio's algorithm
    assert is_valid(TOKEN, [url], FormData(pairs), signature)


def test_our_signer_agrees_with_the_sandboxs_independent_one() -> None:
    url = "https://app.example.com/webhooks/sms/twilio/inbound?x=1"
    assert sign(TOKEN, url, PARAMS) == sandbox_sign(TOKEN, url, list(PARAMS.items()))


def test_urls_with_a_default_port_verify_either_way() -> None:
    signature = sign(TOKEN, "https://app.example.com:443/webhooks/sms/twilio/inbound", PARAMS)
    assert is_valid(TOKEN, ["https://app.example.com/webhooks/sms/twilio/inbound"], PARAMS, signature)
