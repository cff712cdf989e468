"""Files from the media store uploaded to Meta once per number, then sent by media id.

A campaign sending one image to 10,000 customers uploads it once: the media id is cached in
Redis per (number, file) for less than the 30 days Meta keeps uploads.
"""

from __future__ import annotations

import asyncio
import uuid

import redis.asyncio as aioredis

from masteria.contracts.content import MediaContent
from masteria.contracts.messages import DeliveryError, ErrorClassification
from masteria.media import MediaError, MediaNotFoundError, MediaStore, tenant_of
from masteria.whatsapp_meta.graph import GraphClient
from masteria.whatsapp_meta.sending.numbers import SendingNumber


class StoredMediaError(Exception):
    """The stored file cannot be sent (missing, another tenant's, unreadable): a permanent failure."""

    def __init__(self, code: str, title: str) -> None:
        super().__init__(title)
        self.error = DeliveryError(code=code, title=title, classification=ErrorClassification.PERMANENT)


class MediaUploader:
    """Turns a ``storage_key`` into a media id of the sending number."""

    def __init__(self, store: MediaStore, graph: GraphClient, redis: aioredis.Redis, cache_s: float) -> None:
        self.store, self.graph, self.redis, self.cache_s = store, graph, redis, cache_s
        self._uploading: dict[str, asyncio.Future[str]] = {}

    async def media_id(self, tenant_id: uuid.UUID, number: SendingNumber, content: MediaContent) -> str:
        """The media id for ``content.storage_key`` on this number, uploading the file if needed."""
        key = content.storage_key
        assert key is not None
        _check_owner(key, tenant_id)
        cache_key = f"wameta:media:{number.phone_number_id}:{key}"
        cached = await self.redis.get(cache_key)
        if cached is not None:
            return cached.decode() if isinstance(cached, bytes) else str(cached)
        # Sends of one file that arrive together (a campaign) share one upload in this process.
        running = self._uploading.get(cache_key)
        if running is not None:
            return await asyncio.shield(running)
        future: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self._uploading[cache_key] = future
        try:
            media_id = await self._upload(number, content, key, cache_key)
        except asyncio.CancelledError:
            future.cancel()
            raise
        except Exception as exc:
            future.set_exception(exc)
            future.exception()  # retrieved: waiters get it, nobody else must log it
            raise
        else:
            future.set_result(media_id)
            return media_id
        finally:
            self._uploading.pop(cache_key, None)

    async def _upload(self, number: SendingNumber, content: MediaContent, key: str, cache_key: str) -> str:
        try:
            stored = await self.store.get(key)
        except MediaNotFoundError as exc:
            raise StoredMediaError("media_not_found", f"No file is stored under {key}") from exc
        except MediaError as exc:
            raise StoredMediaError("media_unreadable", f"The stored file cannot be read: {exc}") from exc
        mime = content.mime_type or stored.content_type
        filename = content.filename or stored.filename or f"{content.kind}"
        media_id = await self.graph.upload_media(
            number.phone_number_id, number.access_token, stored.data, mime_type=mime, filename=filename
        )
        await self.redis.set(cache_key, media_id, ex=int(self.cache_s))
        return media_id


def _check_owner(key: str, tenant_id: uuid.UUID) -> None:
    try:
        owner = tenant_of(key)
    except ValueError as exc:
        raise StoredMediaError("invalid_media_key", f"{key!r} is not a media store key") from exc
    if owner != tenant_id:
        # Never send another tenant's file, whatever the command says.
        raise StoredMediaError("media_not_found", f"No file is stored under {key}")
