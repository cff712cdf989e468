"""The gateway's internal token: signed, short-lived, bound to one audience."""

from __future__ import annotations

import time
import uuid

import jwt
import pytest

from masteria.security.internal_token import (
    Identity,
    InternalTokenIssuer,
    InternalTokenVerifier,
    InvalidInternalToken,
    generate_keypair,
)

PRIVATE, PUBLIC = generate_keypair()
IDENTITY = Identity(tenant_id=uuid.uuid4(), user_id=uuid.uuid4(), roles=("agent",), scopes=("conversations:read",))


def test_token_round_trips_the_identity() -> None:
    token = InternalTokenIssuer(PRIVATE).issue(IDENTITY, audience="crm")
    assert InternalTokenVerifier(PUBLIC, "crm").verify(token) == IDENTITY


def test_token_for_another_service_is_refused() -> None:
    token = InternalTokenIssuer(PRIVATE).issue(IDENTITY, audience="crm")
    with pytest.raises(InvalidInternalToken):
        InternalTokenVerifier(PUBLIC, "whatsapp-meta").verify(token)


def test_expired_token_is_refused() -> None:
    token = InternalTokenIssuer(PRIVATE, ttl_seconds=-30).issue(IDENTITY, audience="crm")
    with pytest.raises(InvalidInternalToken, match="expired"):
        InternalTokenVerifier(PUBLIC, "crm").verify(token)


def test_token_signed_by_another_key_is_refused() -> None:
    other_private, _ = generate_keypair()
    token = InternalTokenIssuer(other_private).issue(IDENTITY, audience="crm")
    with pytest.raises(InvalidInternalToken):
        InternalTokenVerifier(PUBLIC, "crm").verify(token)


def test_an_hmac_token_cannot_pass_as_eddsa() -> None:
    # The classic algorithm-confusion attack: sign with the public key as an HMAC secret.
    now = int(time.time())
    forged = jwt.encode(
        {"iss": "masteria-gateway", "aud": "crm", "iat": now, "exp": now + 60, "tid": str(uuid.uuid4())},
        "not-the-key", algorithm="HS256",
    )
    with pytest.raises(InvalidInternalToken):
        InternalTokenVerifier(PUBLIC, "crm").verify(forged)
