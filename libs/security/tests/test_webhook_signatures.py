"""Meta's X-Hub-Signature-256 and Standard Webhooks signatures."""

from __future__ import annotations

import hashlib
import hmac

from masteria.security.webhook_signatures import (
    meta_signature,
    new_standard_webhook_secret,
    standard_webhook_signature,
    verify_meta_signature,
    verify_standard_webhook,
)

BODY = b'{"object":"whatsapp_business_account","entry":[]}'


def test_meta_signature_matches_an_independent_hmac() -> None:
    expected = "sha256=" + hmac.new(b"app-secret", BODY, hashlib.sha256).hexdigest()
    assert meta_signature("app-secret", BODY) == expected
    assert verify_meta_signature("app-secret", BODY, expected)


def test_meta_signature_rejects_other_secret_body_or_missing_header() -> None:
    header = meta_signature("app-secret", BODY)
    assert not verify_meta_signature("other", BODY, header)
    assert not verify_meta_signature("app-secret", BODY + b" ", header)
    assert not verify_meta_signature("app-secret", BODY, None)
    assert not verify_meta_signature("app-secret", BODY, header.removeprefix("sha256="))


def test_standard_webhook_signature_verifies_and_supports_rotation() -> None:
    old, new = new_standard_webhook_secret(), new_standard_webhook_secret()
    header = standard_webhook_signature(new, "msg_1", 1_700_000_000, BODY)
    assert header.startswith("v1,")
    assert verify_standard_webhook([old, new], "msg_1", 1_700_000_000, BODY, header, now=1_700_000_010)
    assert not verify_standard_webhook([old], "msg_1", 1_700_000_000, BODY, header, now=1_700_000_010)


def test_standard_webhook_refuses_stale_timestamps_and_changed_ids() -> None:
    secret = new_standard_webhook_secret()
    header = standard_webhook_signature(secret, "msg_1", 1_700_000_000, BODY)
    assert not verify_standard_webhook([secret], "msg_1", 1_700_000_000, BODY, header, now=1_700_001_000)
    assert not verify_standard_webhook([secret], "msg_2", 1_700_000_000, BODY, header, now=1_700_000_000)
