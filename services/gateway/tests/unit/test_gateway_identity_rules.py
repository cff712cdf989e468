"""Password policy, sign-up validation, API key format, redirects after login."""

import pytest
from pydantic import ValidationError

from masteria.gateway.api_keys.keys import looks_like_key, mint, prefix_of
from masteria.gateway.identity.passwords import hash_password, policy_error, verify_password
from masteria.gateway.identity.schemas import SignupIn
from masteria.gateway.identity.tokens import digest
from masteria.gateway.oauth.redirects import safe_next


@pytest.mark.parametrize(
    ("password", "ok"),
    [("short", False), ("long enough pass", True), ("a" * 12, False), ("x" * 257, False), (" " * 12, False)],
)
def test_password_policy(password: str, ok: bool) -> None:
    assert (policy_error(password) is None) is ok


def test_password_equal_to_email_is_refused() -> None:
    assert policy_error("Ana@Example.com", email="ana@example.com") is not None


def _fields(exc: ValidationError) -> set[str]:
    return {".".join(str(p) for p in err["loc"]) for err in exc.errors()}


def test_signup_names_the_bad_fields() -> None:
    with pytest.raises(ValidationError) as exc:
        SignupIn(email="not-an-email", password="short", name="", tenant_name="Acme")
    assert _fields(exc.value) == {"email", "password", "name"}


def test_signup_lowercases_email() -> None:
    data = SignupIn(email="Ana@Example.COM", password="correct horse battery", name="Ana", tenant_name="Acme")
    assert data.email == "ana@example.com"


async def test_argon2id_round_trip() -> None:
    stored = await hash_password("correct horse battery")
    assert stored.startswith("$argon2id$")
    assert await verify_password(stored, "correct horse battery")
    assert not await verify_password(stored, "wrong horse battery")
    assert not await verify_password(None, "anything at all")


def test_api_key_format() -> None:
    key = mint()
    assert key.plaintext.startswith(f"mia_{key.prefix}_")
    assert prefix_of(key.plaintext) == key.prefix
    assert key.key_hash == digest(key.plaintext)
    assert key.plaintext not in key.key_hash
    assert mint().plaintext != key.plaintext
    assert prefix_of("mia_short_x") is None
    assert looks_like_key("mia_short_x")
    assert not looks_like_key("eyJhbGciOi")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("/inbox?tab=open", "/inbox?tab=open"),
        ("/", "/"),
        (None, "/"),
        ("https://evil.example/", "/"),
        ("//evil.example/x", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("/ok\r\nSet-Cookie: x=1", "/"),
        ("inbox", "/"),
    ],
)
def test_redirect_after_login_stays_on_site(value: str | None, expected: str) -> None:
    assert safe_next(value) == expected
