"""Secrets sealed at rest: confidentiality, integrity, context binding and key rotation."""

from __future__ import annotations

import pytest

from masteria.security.secretbox import SecretBox, SecretBoxError, generate_key


def box(spec: str, active: str | None = None) -> SecretBox:
    return SecretBox.from_spec(spec, active)


def test_sealed_value_hides_the_plaintext_and_opens_back() -> None:
    b = box(f"k1:{generate_key()}")
    sealed = b.seal("EAAG-token-123", context="numbers:1:token")
    assert "EAAG" not in sealed
    assert sealed.startswith("enc:v1:k1:")
    assert b.open_text(sealed, context="numbers:1:token") == "EAAG-token-123"


def test_same_plaintext_seals_differently_each_time() -> None:
    b = box(f"k1:{generate_key()}")
    assert b.seal("x", context="c") != b.seal("x", context="c")


def test_a_value_moved_to_another_row_does_not_open() -> None:
    b = box(f"k1:{generate_key()}")
    sealed = b.seal("secret", context="numbers:1:token")
    with pytest.raises(SecretBoxError, match="authentication"):
        b.open(sealed, context="numbers:2:token")


def test_tampering_is_detected() -> None:
    b = box(f"k1:{generate_key()}")
    sealed = b.seal("secret", context="c")
    tampered = sealed[:-2] + ("A" if sealed[-2] != "A" else "B") + sealed[-1]
    with pytest.raises(SecretBoxError):
        b.open(tampered, context="c")


def test_rotation_reseals_old_values_with_the_active_key() -> None:
    k1, k2 = generate_key(), generate_key()
    old = box(f"k1:{k1}")
    sealed = old.seal("secret", context="c")
    rotated_box = box(f"k2:{k2},k1:{k1}", "k2")
    assert rotated_box.needs_rotation(sealed)
    rotated = rotated_box.rotate(sealed, context="c")
    assert rotated.startswith("enc:v1:k2:")
    assert not rotated_box.needs_rotation(rotated)
    assert rotated_box.open_text(rotated, context="c") == "secret"
    with pytest.raises(SecretBoxError, match="no key with id 'k2'"):
        old.open(rotated, context="c")


@pytest.mark.parametrize(
    ("spec", "message"),
    [("", "empty"), ("nocolon", "kid:base64key"), ("k1:c2hvcnQ=", "32 bytes")],
)
def test_bad_keyrings_are_refused_with_the_reason(spec: str, message: str) -> None:
    with pytest.raises(SecretBoxError, match=message):
        box(spec)


def test_unknown_active_key_is_refused() -> None:
    with pytest.raises(SecretBoxError, match="not in the keyring"):
        box(f"k1:{generate_key()}", "k9")
