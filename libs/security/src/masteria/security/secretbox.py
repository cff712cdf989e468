"""AES-256-GCM encryption of secrets at rest, with key ids so keys can rotate."""

from __future__ import annotations

import base64
import os
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

_PREFIX = "enc:v1"
_NONCE_BYTES = 12  # 96-bit random nonces, as NIST recommends for GCM


class SecretBoxError(ValueError):
    """A ciphertext that cannot be opened: unknown key id, tampering or wrong context."""


def generate_key() -> str:
    """A fresh 256-bit key, base64 encoded, for ``MASTERIA_SECRET_KEYS``."""
    return base64.b64encode(AESGCM.generate_key(bit_length=256)).decode()


def parse_keyring(spec: str) -> dict[str, bytes]:
    """Parse ``kid1:base64key,kid2:base64key`` into a keyring."""
    keys: dict[str, bytes] = {}
    for item in filter(None, (part.strip() for part in spec.split(","))):
        kid, sep, encoded = item.partition(":")
        if not sep or not kid:
            raise SecretBoxError(f"key entry {item[:8]!r}... must look like 'kid:base64key'")
        key = base64.b64decode(encoded)
        if len(key) != 32:
            raise SecretBoxError(f"key {kid!r} must be 32 bytes (AES-256), got {len(key)}")
        keys[kid] = key
    return keys


@dataclass(frozen=True)
class SecretBox:
    """Seals and opens secrets; the active key encrypts, every known key decrypts."""

    keys: dict[str, bytes]
    active_kid: str

    def __post_init__(self) -> None:
        if self.active_kid not in self.keys:
            raise SecretBoxError(f"active key id {self.active_kid!r} is not in the keyring")
        if any(":" in kid for kid in self.keys):
            raise SecretBoxError("key ids may not contain ':'")

    @classmethod
    def from_spec(cls, spec: str, active_kid: str | None = None) -> SecretBox:
        """Build from ``kid:key,...``; the first key is active unless named."""
        keys = parse_keyring(spec)
        if not keys:
            raise SecretBoxError("the keyring is empty: set MASTERIA_SECRET_KEYS")
        return cls(keys=keys, active_kid=active_kid or next(iter(keys)))

    def seal(self, plaintext: str | bytes, *, context: str) -> str:
        """Encrypt; ``context`` is bound as associated data so a value cannot be moved between rows."""
        data = plaintext.encode() if isinstance(plaintext, str) else plaintext
        nonce = os.urandom(_NONCE_BYTES)
        sealed = AESGCM(self.keys[self.active_kid]).encrypt(nonce, data, context.encode())
        blob = base64.urlsafe_b64encode(nonce + sealed).decode().rstrip("=")
        return f"{_PREFIX}:{self.active_kid}:{blob}"

    def open(self, token: str, *, context: str) -> bytes:
        """Decrypt a value sealed by any key of the ring."""
        kid, blob = self._split(token)
        key = self.keys.get(kid)
        if key is None:
            raise SecretBoxError(f"no key with id {kid!r} in the keyring")
        raw = base64.urlsafe_b64decode(blob + "=" * (-len(blob) % 4))
        try:
            return AESGCM(key).decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], context.encode())
        except InvalidTag as exc:
            raise SecretBoxError("secret failed authentication (tampered or wrong context)") from exc

    def open_text(self, token: str, *, context: str) -> str:
        """Decrypt to text."""
        return self.open(token, context=context).decode()

    def needs_rotation(self, token: str) -> bool:
        """True when the value was sealed with a key other than the active one."""
        return self._split(token)[0] != self.active_kid

    def rotate(self, token: str, *, context: str) -> str:
        """Re-seal with the active key (a no-op result when already current)."""
        if not self.needs_rotation(token):
            return token
        return self.seal(self.open(token, context=context), context=context)

    @staticmethod
    def _split(token: str) -> tuple[str, str]:
        prefix, _, rest = token.rpartition(":")
        scheme, _, kid = prefix.rpartition(":")
        if scheme != _PREFIX or not kid:
            raise SecretBoxError("not a sealed secret (expected 'enc:v1:<kid>:<data>')")
        return kid, rest
