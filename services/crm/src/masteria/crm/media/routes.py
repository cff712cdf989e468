"""``/api/v1/media``: upload an attachment, read one back (only the caller's tenant's)."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Request, Response, UploadFile

from masteria.crm.access import writers
from masteria.crm.media.schemas import MediaOut
from masteria.crm.runtime import crm_of
from masteria.media import (
    EmptyMediaError,
    MediaNotFoundError,
    UnsupportedMediaTypeError,
    belongs_to,
    guess_content_type,
)
from masteria.runtime.auth import current_identity
from masteria.runtime.problems import Problem
from masteria.security.internal_token import Identity

router = APIRouter(prefix="/api/v1/media", tags=["media"])
_NOT_FOUND = Problem(404, "Not found", "no such media")


@router.post("", status_code=201)
async def upload_media(request: Request, identity: Identity = Depends(writers), file: UploadFile = File()) -> MediaOut:
    """Store a file in the media store (content addressed: the same file twice is stored once)."""
    store = crm_of(request).media
    data = await file.read(store.max_bytes + 1)
    if len(data) > store.max_bytes:
        raise Problem(413, "File too large", f"a file may have at most {store.max_bytes} bytes")
    try:
        content_type = guess_content_type(data, declared=file.content_type, filename=file.filename)
        stored = await store.put(identity.tenant_id, data, content_type=content_type, filename=file.filename)
    except EmptyMediaError as exc:
        raise Problem(
            422,
            "Invalid request",
            "file: the file is empty",
            errors=[{"field": "file", "message": "the file is empty"}],
        ) from exc
    except UnsupportedMediaTypeError as exc:
        raise Problem(415, "Unsupported media type", str(exc)) from exc
    return MediaOut(
        storage_key=stored.key,
        mime_type=stored.content_type,
        size_bytes=stored.size_bytes,
        filename=stored.filename,
        sha256=stored.sha256,
        url=f"/api/v1/media/{stored.key}",
    )


@router.get("/{key:path}", response_class=Response, responses={200: {"content": {"application/octet-stream": {}}}})
async def read_media(key: str, request: Request, identity: Identity = Depends(current_identity)) -> Response:
    """The file's bytes; another tenant's key is not found, whether or not it exists."""
    if not belongs_to(key, identity.tenant_id):
        raise _NOT_FOUND
    try:
        media = await crm_of(request).media.get(key)
    except MediaNotFoundError as exc:
        raise _NOT_FOUND from exc
    headers = {
        # Content addressed: the bytes under a key never change.
        "Cache-Control": "private, max-age=31536000, immutable",
        "X-Content-Type-Options": "nosniff",
    }
    if media.filename:
        headers["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(media.filename)}"
    return Response(content=media.data, media_type=media.content_type, headers=headers)
