"""Guess and check the content type of an upload from what the sender declared, the name and the bytes.

Senders mislabel files (``application/octet-stream`` from curl, ``image/jpg``, no type at all),
so the declared type is only trusted when the file's own first bytes do not contradict it. Types
a browser would run (HTML, SVG, JavaScript) are refused by default: the crm serves stored files
back on the platform's own origin, where they would execute as the viewer.
"""

from __future__ import annotations

import mimetypes
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass

from .errors import UnsupportedMediaTypeError

DEFAULT_CONTENT_TYPE = "application/octet-stream"

_NAME = r"[a-z0-9][a-z0-9!#$&^_.+-]{0,126}"
_MIME_BASE = re.compile(rf"{_NAME}/{_NAME}")
_PRINTABLE_ASCII = re.compile(r"[\x20-\x7e]*")
_GENERIC = frozenset({DEFAULT_CONTENT_TYPE, "binary/octet-stream", "application/unknown", "application/x-download"})
# Any "+xml" type is also scriptable: browsers render it as XML, which may embed XHTML and script.
SCRIPTABLE_TYPES = frozenset(
    {
        "text/html",
        "application/xhtml+xml",
        "image/svg+xml",
        "text/javascript",
        "application/javascript",
        "application/ecmascript",
        "text/ecmascript",
        "application/x-javascript",
        "text/xml",
        "application/xml",
    }
)
# What a chat channel carries; a caller may pass its own narrower set.
DEFAULT_FAMILIES = frozenset({"image", "audio", "video", "application", "text"})
_OGG = ("audio/ogg", "audio/opus", "video/ogg", "application/ogg")
_HEIF = frozenset({"image/heic", "image/heif", "image/avif"})
# Spellings seen in the wild for one type, mapped to the registered one.
_ALIASES = {
    "image/jpg": "image/jpeg",
    "image/pjpeg": "image/jpeg",
    "audio/mp3": "audio/mpeg",
    "audio/mpeg3": "audio/mpeg",
    "audio/x-mp3": "audio/mpeg",
    "audio/x-wav": "audio/wav",
    "audio/wave": "audio/wav",
    "audio/vnd.wave": "audio/wav",
    "audio/x-m4a": "audio/mp4",
    "audio/m4a": "audio/mp4",
}


@dataclass(frozen=True, slots=True)
class _Signature:
    """A file format recognised by its first bytes, and the declared types consistent with it."""

    content_type: str
    matches: Callable[[bytes], bool]
    consistent: Callable[[str], bool]


def _same(*types: str) -> Callable[[str], bool]:
    return lambda declared: declared in types


_SIGNATURES = (
    _Signature("image/jpeg", lambda b: b.startswith(b"\xff\xd8\xff"), _same("image/jpeg")),
    _Signature("image/png", lambda b: b.startswith(b"\x89PNG\r\n\x1a\n"), _same("image/png")),
    _Signature("image/gif", lambda b: b[:6] in (b"GIF87a", b"GIF89a"), _same("image/gif")),
    _Signature("image/webp", lambda b: b[:4] == b"RIFF" and b[8:12] == b"WEBP", _same("image/webp")),
    _Signature("audio/wav", lambda b: b[:4] == b"RIFF" and b[8:12] == b"WAVE", _same("audio/wav")),
    _Signature("application/pdf", lambda b: b.startswith(b"%PDF-"), _same("application/pdf")),
    _Signature("audio/ogg", lambda b: b.startswith(b"OggS"), _same(*_OGG)),
    _Signature("audio/amr", lambda b: b.startswith(b"#!AMR"), _same("audio/amr")),
    _Signature(
        "audio/mpeg",
        lambda b: b.startswith(b"ID3") or b[:2] in (b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"),
        _same("audio/mpeg"),
    ),
    # ISO media (mp4, m4a, 3gp, mov, and HEIF/AVIF stills) share one header whatever the content.
    _Signature("video/mp4", lambda b: b[4:8] == b"ftyp", lambda d: d.split("/")[0] in ("audio", "video") or d in _HEIF),
    # Office documents (docx, xlsx, pptx) and odf files are zip archives: any application type fits.
    _Signature("application/zip", lambda b: b.startswith(b"PK\x03\x04"), lambda d: d.startswith("application/")),
)


def normalize_content_type(content_type: str) -> str:
    """Lowercase ``type/subtype`` with known aliases resolved and parameters kept (``audio/ogg; codecs=opus``)."""
    base, sep, params = content_type.strip().partition(";")
    base = base.strip().lower()
    if not _MIME_BASE.fullmatch(base):
        raise UnsupportedMediaTypeError(f"{content_type!r} is not a content type (type/subtype)")
    params = params.strip()
    if not _PRINTABLE_ASCII.fullmatch(params):
        raise UnsupportedMediaTypeError(f"{content_type!r} has non-printable characters in its parameters")
    base = _ALIASES.get(base, base)
    return f"{base}; {params}" if sep and params else base


def base_type(content_type: str) -> str:
    """The ``type/subtype`` part, lowercase, without parameters."""
    return content_type.partition(";")[0].strip().lower()


def sniff_content_type(data: bytes) -> str | None:
    """The content type the first bytes prove, or None when the format is not one recognised here."""
    head = data[:16]
    return next((sig.content_type for sig in _SIGNATURES if sig.matches(head)), None)


def guess_content_type(
    data: bytes,
    *,
    declared: str | None = None,
    filename: str | None = None,
    allowed_families: Collection[str] = DEFAULT_FAMILIES,
    allow_scriptable: bool = False,
) -> str:
    """The content type to store for an upload; UnsupportedMediaTypeError when it cannot be trusted.

    Order: the declared type unless generic or contradicted by the bytes; else the type the bytes
    prove; else the type the filename's extension suggests; else ``application/octet-stream``.
    """
    head = data[:16]
    signature = next((sig for sig in _SIGNATURES if sig.matches(head)), None)
    chosen = _declared_type(declared)
    if chosen is not None and signature is not None and not signature.consistent(base_type(chosen)):
        raise UnsupportedMediaTypeError(
            f"the file was declared {base_type(chosen)} but its bytes are {signature.content_type}"
        )
    if chosen is None and signature is not None and signature.content_type != "application/zip":
        chosen = signature.content_type
    if chosen is None:
        chosen = _type_from_filename(filename) or (signature.content_type if signature else DEFAULT_CONTENT_TYPE)
    check_content_type(chosen, allowed_families=allowed_families, allow_scriptable=allow_scriptable)
    return chosen


def check_content_type(
    content_type: str,
    *,
    allowed_families: Collection[str] = DEFAULT_FAMILIES,
    allow_scriptable: bool = False,
) -> None:
    """Refuse a type outside the allowed families (``image``, ``audio``...) or one a browser would run."""
    base = base_type(content_type)
    if not allow_scriptable and (base in SCRIPTABLE_TYPES or base.endswith("+xml")):
        raise UnsupportedMediaTypeError(f"{base} files are not accepted: a browser would run them")
    if base.split("/")[0] not in allowed_families:
        families = ", ".join(sorted(allowed_families))
        raise UnsupportedMediaTypeError(f"{base} files are not accepted (accepted: {families})")


def _declared_type(declared: str | None) -> str | None:
    if declared is None or not declared.strip():
        return None
    normalized = normalize_content_type(declared)
    return None if base_type(normalized) in _GENERIC else normalized


def _type_from_filename(filename: str | None) -> str | None:
    if not filename:
        return None
    guessed, _encoding = mimetypes.guess_type(filename, strict=False)
    return normalize_content_type(guessed) if guessed else None
