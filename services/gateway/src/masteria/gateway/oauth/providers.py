"""Reading each provider's user profile into one shape (a registry keyed by provider name)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any


class ProfileError(ValueError):
    """The provider's answer lacks what we need."""


@dataclass(frozen=True)
class ExternalProfile:
    """Who the provider says the user is."""

    subject: str
    email: str | None
    email_verified: bool
    name: str


def _truthy(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "true")


def google_profile(data: Mapping[str, Any]) -> ExternalProfile:
    """OpenID Connect userinfo: ``sub``, ``email``, ``email_verified``, ``name``."""
    if not data.get("sub"):
        raise ProfileError("the userinfo answer has no 'sub'")
    email = data.get("email")
    return ExternalProfile(
        subject=str(data["sub"]),
        email=str(email).lower() if email else None,
        email_verified=bool(email) and _truthy(data.get("email_verified")),
        name=str(data.get("name") or email or "Google user"),
    )


def facebook_profile(data: Mapping[str, Any]) -> ExternalProfile:
    """Graph API ``/me?fields=id,name,email``.

    The Graph API returns only an address the person has confirmed with Facebook, and omits it
    otherwise, so a present email counts as verified.
    """
    if not data.get("id"):
        raise ProfileError("the /me answer has no 'id'")
    email = data.get("email")
    return ExternalProfile(
        subject=str(data["id"]),
        email=str(email).lower() if email else None,
        email_verified=bool(email),
        name=str(data.get("name") or email or "Facebook user"),
    )


PROFILE_READERS: dict[str, Callable[[Mapping[str, Any]], ExternalProfile]] = {
    "google": google_profile,
    "facebook": facebook_profile,
}
