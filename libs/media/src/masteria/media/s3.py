"""Media in any S3-compatible object store (AWS S3, MinIO, Ceph, R2, ...) through aiobotocore.

Objects are named ``<prefix>/<key>`` in one bucket. The content type is the object's own
``Content-Type``; the filename is user metadata (``x-amz-meta-filename``), percent-encoded
because S3 metadata travels as HTTP headers and must be ASCII. One client (one connection pool)
per store, created on first use and closed by ``aclose()``.

Permissions: s3:GetObject, s3:PutObject and s3:ListBucket on the bucket. Without ListBucket, S3
answers 403 rather than 404 for a missing object, which surfaces as an error instead of "absent".
"""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote
from uuid import UUID

from aiobotocore.config import AioConfig
from aiobotocore.session import get_session
from botocore.exceptions import ClientError

from .content_types import DEFAULT_CONTENT_TYPE
from .errors import MediaNotFoundError, MediaStoreClosedError, MediaStoreConfigError
from .keys import parse_key
from .store import DEFAULT_MAX_BYTES, MediaObject, StoredMedia, describe_put_off_loop

if TYPE_CHECKING:
    from types_aiobotocore_s3 import S3Client

_FILENAME_META = "filename"
_MISSING_CODES = frozenset({"404", "NoSuchKey", "NotFound"})


@dataclass(frozen=True, slots=True)
class S3Options:
    """How to reach the store; None leaves a value to botocore's usual sources (AWS_* env, instance role)."""

    endpoint_url: str | None = None
    region: str | None = None
    access_key_id: str | None = None
    secret_access_key: str | None = None


class S3MediaStore:
    """A MediaStore in a bucket, under an optional key prefix."""

    def __init__(
        self, bucket: str, prefix: str = "", *, options: S3Options | None = None, max_bytes: int = DEFAULT_MAX_BYTES
    ) -> None:
        if not bucket:
            raise MediaStoreConfigError("an S3 media store needs a bucket: s3://bucket/prefix")
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.options = options or S3Options()
        self.max_bytes = max_bytes
        self._client: S3Client | None = None
        self._exit = AsyncExitStack()
        self._lock = asyncio.Lock()
        self._closed = False

    def __repr__(self) -> str:
        return f"S3MediaStore(bucket={self.bucket!r}, prefix={self.prefix!r}, endpoint={self.options.endpoint_url!r})"

    async def put(self, tenant: UUID, data: bytes, *, content_type: str, filename: str | None) -> StoredMedia:
        """Upload the bytes unless this tenant already has them; the stored type and name win."""
        intended = await describe_put_off_loop(tenant, data, content_type, filename, self.max_bytes)
        client = await self._ensure_client()
        name = self.object_name(intended.key)
        existing = await self._head(client, name)
        if existing is not None:
            return replace(intended, content_type=existing[0], filename=existing[1])
        # Checked-then-put rather than a conditional write (If-None-Match), which not every S3-compatible
        # store honours; two concurrent puts of one key upload identical bytes, so the race is harmless.
        metadata = {_FILENAME_META: quote(intended.filename, safe="")} if intended.filename else {}
        await client.put_object(
            Bucket=self.bucket, Key=name, Body=data, ContentType=intended.content_type, Metadata=metadata
        )
        return intended

    async def get(self, key: str) -> MediaObject:
        """The bytes and metadata of the key's object."""
        name = self.object_name(key)
        client = await self._ensure_client()
        try:
            response = await client.get_object(Bucket=self.bucket, Key=name)
        except ClientError as error:
            if _is_missing(error):
                raise MediaNotFoundError(key) from None
            raise
        async with response["Body"] as body:
            data = await body.read()
        content_type, filename = _describe(response)
        return MediaObject(key=key, data=data, content_type=content_type, filename=filename)

    async def exists(self, key: str) -> bool:
        """Whether the key's object is in the bucket (a HEAD request)."""
        name = self.object_name(key)
        client = await self._ensure_client()
        return await self._head(client, name) is not None

    async def aclose(self) -> None:
        """Close the client and its connection pool."""
        async with self._lock:
            self._closed = True
            self._client = None
            await self._exit.aclose()

    def object_name(self, key: str) -> str:
        """The object name of a key: the prefix, then the key (validated first)."""
        canonical = str(parse_key(key))
        return f"{self.prefix}/{canonical}" if self.prefix else canonical

    async def _ensure_client(self) -> S3Client:
        if self._client is not None:
            return self._client
        async with self._lock:
            if self._closed:
                raise MediaStoreClosedError()
            if self._client is None:
                created: S3Client = await self._exit.enter_async_context(self._create_client())
                self._client = created
                return created
            return self._client

    def _create_client(self) -> Any:
        opts = self.options
        config = AioConfig(
            # S3-compatible stores on a custom endpoint rarely resolve bucket subdomains; AWS itself does both.
            s3={"addressing_style": "path" if opts.endpoint_url else "auto"},
            retries={"max_attempts": 4, "mode": "standard"},
            connect_timeout=5,
            read_timeout=60,
            # botocore's newer default adds CRC checksums that several S3-compatible stores reject.
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
        )
        return get_session().create_client(
            "s3",
            endpoint_url=opts.endpoint_url,
            region_name=opts.region,
            aws_access_key_id=opts.access_key_id,
            aws_secret_access_key=opts.secret_access_key,
            config=config,
        )

    async def _head(self, client: S3Client, name: str) -> tuple[str, str | None] | None:
        try:
            response = await client.head_object(Bucket=self.bucket, Key=name)
        except ClientError as error:
            if _is_missing(error):
                return None
            raise
        return _describe(response)


def _describe(response: Any) -> tuple[str, str | None]:
    # S3 hands user metadata back with lowercased names.
    metadata: dict[str, str] = response.get("Metadata") or {}
    raw_name = metadata.get(_FILENAME_META)
    return response.get("ContentType") or DEFAULT_CONTENT_TYPE, unquote(raw_name) if raw_name else None


def _is_missing(error: ClientError) -> bool:
    code = str(error.response.get("Error", {}).get("Code", ""))
    status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    return code in _MISSING_CODES or (status == 404 and code != "NoSuchBucket")
