"""API key scopes, pure: ``<family>:read``, ``<family>:write`` or ``*``.

GET and HEAD need ``read``; every other method needs ``write``. A ``write`` scope also grants
``read`` of the same family: a key that may change a resource can always see it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

ALL = "*"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_SCOPE = re.compile(r"^(?P<family>[a-z][a-z0-9-]*):(?P<access>read|write)$")


def required_scope(method: str, family: str) -> str:
    """The scope a request with ``method`` on ``family`` needs."""
    access = "read" if method.upper() in SAFE_METHODS else "write"
    return f"{family}:{access}"


def grants(scopes: Iterable[str], needed: str) -> bool:
    """True when ``scopes`` cover ``needed``."""
    held = set(scopes)
    if ALL in held or needed in held:
        return True
    family, _, access = needed.partition(":")
    return access == "read" and f"{family}:write" in held


def scope_error(scope: str, known_families: Iterable[str]) -> str | None:
    """Why ``scope`` is not grantable, or None."""
    if scope == ALL:
        return None
    match = _SCOPE.match(scope)
    if match is None:
        return f"{scope!r} is not '*' nor '<family>:read' / '<family>:write'"
    if match["family"] not in set(known_families):
        return f"unknown resource family {match['family']!r}"
    return None
