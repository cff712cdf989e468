"""Search terms as SQL patterns: what users type is matched literally, numbers only when it looks like one."""

from __future__ import annotations

import re

_PHONE_LIKE = re.compile(r"[\d\s()+.-]+")


def like_pattern(text: str) -> str:
    """``%text%`` with ``%``, ``_`` and ``\\`` escaped (use with ``escape='\\\\'``): "100%" is text, not a wildcard."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def phone_digits(text: str) -> str:
    """The digits of something typed like a phone number ("(11) 2222"), else "" so it never searches numbers."""
    return "".join(ch for ch in text if ch.isdigit()) if _PHONE_LIKE.fullmatch(text) else ""
