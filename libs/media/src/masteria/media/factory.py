"""Open the store a URL names: ``file:///absolute/path`` or ``s3://bucket/prefix``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .errors import MediaStoreConfigError
from .local import LocalMediaStore
from .s3 import S3MediaStore, S3Options
from .settings import MediaSettings
from .store import DEFAULT_MAX_BYTES, MediaStore

_ACCEPTED = "use file:///absolute/path or s3://bucket/prefix"


@dataclass(frozen=True, slots=True)
class LocalLocation:
    """A directory."""

    root: Path


@dataclass(frozen=True, slots=True)
class S3Location:
    """A bucket and a key prefix ("" for the bucket's top)."""

    bucket: str
    prefix: str


def parse_store_url(url: str) -> LocalLocation | S3Location:
    """Where a store URL points; MediaStoreConfigError (a ValueError) saying what is wrong otherwise."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme == "file":
        # file://var/media would silently make "var" a host name; only local absolute paths are meant.
        if parts.netloc not in ("", "localhost") or not parts.path.startswith("/"):
            raise MediaStoreConfigError(f"media store URL {url!r} is not an absolute file URL: {_ACCEPTED}")
        return LocalLocation(Path(unquote(parts.path)))
    if scheme == "s3":
        if not parts.netloc or parts.query or parts.fragment:
            raise MediaStoreConfigError(f"media store URL {url!r} needs a bucket and no query: {_ACCEPTED}")
        return S3Location(parts.netloc, unquote(parts.path).strip("/"))
    shown = f"scheme {scheme!r}" if scheme else "no scheme"
    raise MediaStoreConfigError(f"media store URL {url!r} has {shown}: {_ACCEPTED}")


def open_media_store(
    url: str,
    *,
    endpoint_url: str | None = None,
    region: str | None = None,
    access_key_id: str | None = None,
    secret_access_key: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> MediaStore:
    """The store the URL names; the S3 options are ignored for a file URL."""
    match parse_store_url(url):
        case LocalLocation(root=root):
            return LocalMediaStore(root, max_bytes=max_bytes)
        case S3Location(bucket=bucket, prefix=prefix):
            options = S3Options(endpoint_url or None, region or None, access_key_id or None, secret_access_key or None)
            return S3MediaStore(bucket, prefix, options=options, max_bytes=max_bytes)
    raise AssertionError("unreachable")  # pragma: no cover


def open_media_store_from_settings(settings: MediaSettings | None = None) -> MediaStore:
    """The store MediaSettings (the MEDIA_* environment) names."""
    s = settings if settings is not None else MediaSettings()
    secret = s.s3_secret_access_key.get_secret_value() if s.s3_secret_access_key is not None else None
    return open_media_store(
        s.store_url,
        endpoint_url=s.s3_endpoint_url,
        region=s.s3_region,
        access_key_id=s.s3_access_key_id,
        secret_access_key=secret,
        max_bytes=s.max_bytes,
    )
