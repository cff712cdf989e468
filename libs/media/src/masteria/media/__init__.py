"""The platform media store: files referenced from events by key, never inlined in them.

Events carry ``MediaContent(storage_key=...)``; whoever needs the bytes reads them from the store.
Every service that handles media opens the same store (``MEDIA_STORE_URL``), so a key written by
one (whatsapp-meta downloading an inbound photo) is readable by another (crm serving it).

Keys are content addressed and name their tenant: ``<tenant uuid>/<sha256[:2]>/<sha256>``.
The same bytes from one tenant are stored once; two tenants never share a key, and a reader
checks ``tenant_of(key)`` (or ``belongs_to(key, tenant)``) against its caller before serving.

Modules:
  keys.py           media_key, parse_key, tenant_of, belongs_to, sha256_hex
  store.py          the MediaStore protocol, StoredMedia, MediaObject, size and filename checks
  local.py          LocalMediaStore: ``file:///abs/path``; ``<root>/<key>`` plus a ``<key>.json`` sidecar
                    with content type and filename; atomic, never-overwriting writes in worker threads
  s3.py             S3MediaStore: ``s3://bucket/prefix`` on any S3-compatible endpoint (aiobotocore);
                    object ``<prefix>/<key>``, Content-Type and x-amz-meta-filename; one client per store
  factory.py        parse_store_url, open_media_store(url, ...), open_media_store_from_settings()
  settings.py       MediaSettings: MEDIA_STORE_URL (default ``file://<MASTERIA_VAR_DIR or ./var>/media``),
                    MEDIA_S3_ENDPOINT_URL, MEDIA_S3_REGION, MEDIA_S3_ACCESS_KEY_ID,
                    MEDIA_S3_SECRET_ACCESS_KEY, MEDIA_MAX_BYTES (default 100 MiB)
  content_types.py  guess_content_type / check_content_type for uploads (declared type vs. the bytes)
  errors.py         MediaError and its subclasses
  downloads/        DownloadWorker, PendingDownloads, MediaSource: inbound files fetched from a provider
                    into the store before their message is published (import it from there: it needs
                    the database and the outbox, which readers of the store do not)

Usage::

    store = open_media_store_from_settings()          # or open_media_store("s3://media/prod", ...)
    stored = await store.put(tenant_id, data, content_type="image/jpeg", filename="foto.jpg")
    if belongs_to(key, tenant_id):
        obj = await store.get(key)                    # MediaNotFoundError when absent
    await store.aclose()
"""

from .content_types import (
    DEFAULT_CONTENT_TYPE,
    SCRIPTABLE_TYPES,
    base_type,
    check_content_type,
    guess_content_type,
    normalize_content_type,
    sniff_content_type,
)
from .errors import (
    EmptyMediaError,
    InvalidMediaKeyError,
    MediaError,
    MediaNotFoundError,
    MediaStoreClosedError,
    MediaStoreConfigError,
    MediaTooLargeError,
    UnsupportedMediaTypeError,
)
from .factory import LocalLocation, S3Location, open_media_store, open_media_store_from_settings, parse_store_url
from .keys import MediaKey, belongs_to, media_key, parse_key, sha256_hex, tenant_of
from .local import LocalMediaStore
from .s3 import S3MediaStore, S3Options
from .settings import MediaSettings, default_store_url
from .store import DEFAULT_MAX_BYTES, MediaObject, MediaStore, StoredMedia, check_size, clean_filename

__all__ = [
    "DEFAULT_CONTENT_TYPE",
    "DEFAULT_MAX_BYTES",
    "SCRIPTABLE_TYPES",
    "EmptyMediaError",
    "InvalidMediaKeyError",
    "LocalLocation",
    "LocalMediaStore",
    "MediaError",
    "MediaKey",
    "MediaNotFoundError",
    "MediaObject",
    "MediaSettings",
    "MediaStore",
    "MediaStoreClosedError",
    "MediaStoreConfigError",
    "MediaTooLargeError",
    "S3Location",
    "S3MediaStore",
    "S3Options",
    "StoredMedia",
    "UnsupportedMediaTypeError",
    "base_type",
    "belongs_to",
    "check_content_type",
    "check_size",
    "clean_filename",
    "default_store_url",
    "guess_content_type",
    "media_key",
    "normalize_content_type",
    "open_media_store",
    "open_media_store_from_settings",
    "parse_key",
    "parse_store_url",
    "sha256_hex",
    "sniff_content_type",
    "tenant_of",
]
