"""Media over Graph (upload, look up, download with the bearer token) and the control API's media routes."""

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Request, Response, status
from starlette.datastructures import UploadFile

from masteria.sandbox.context import Context, SandboxContext
from masteria.sandbox.meta.auth import Number, number_or_404, serves_waba
from masteria.sandbox.meta.errors import GraphError, invalid_parameter, invalid_token
from masteria.sandbox.meta.media import MAX_MEDIA_BYTES, HostedMedia
from masteria.sandbox.meta.state import SimulatedNumber

# The types the Cloud API accepts for upload (images, stickers, audio, video, documents).
SUPPORTED_TYPES = frozenset(
    {
        "image/jpeg", "image/png", "image/webp",
        "audio/aac", "audio/amr", "audio/mpeg", "audio/mp4", "audio/ogg",
        "video/mp4", "video/3gpp",
        "text/plain", "application/pdf", "application/msword", "application/vnd.ms-excel",
        "application/vnd.ms-powerpoint",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    }
)  # fmt: skip
DOWNLOAD_PATH = "/lookaside/whatsapp_business/attachments/"

graph_router = APIRouter()
control_router = APIRouter(tags=["sandbox: meta"])


def supported(mime_type: str) -> bool:
    """Whether the Cloud API takes this type (parameters such as `; codecs=opus` aside)."""
    return mime_type.split(";", 1)[0].strip().lower() in SUPPORTED_TYPES


def media_info(media: HostedMedia, request: Request, url_query: dict[str, str]) -> dict[str, Any]:
    """Graph's answer to `GET /{version}/{media_id}`: a short-lived download URL and the file's facts."""
    base = str(request.base_url).rstrip("/")
    return {
        "messaging_product": "whatsapp",
        "url": f"{base}/graph{DOWNLOAD_PATH}?{urlencode(url_query)}",
        "mime_type": media.mime_type,
        "sha256": media.sha256_hex,
        "file_size": len(media.data),
        "id": media.media_id,
    }


@graph_router.post("/{version}/{phone_number_id}/media")
async def upload_media(number: Number, request: Request, ctx: Context) -> dict[str, str]:
    """Meta's media upload: multipart `file`, `type` and `messaging_product`; answers the media id."""
    form = await request.form()
    if form.get("messaging_product") != "whatsapp":
        raise invalid_parameter("The parameter messaging_product is required and must be 'whatsapp'.")
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        raise invalid_parameter("The parameter file is required.")
    given_type = form.get("type")
    mime_type = given_type if isinstance(given_type, str) and given_type else upload.content_type or ""
    if not supported(mime_type):
        raise invalid_parameter(
            f"Param file must be a file with one of the following types: {', '.join(sorted(SUPPORTED_TYPES))}. "
            f"Received file of type '{mime_type}'."
        )
    data = await upload.read(MAX_MEDIA_BYTES + 1)
    if len(data) > MAX_MEDIA_BYTES:
        raise invalid_parameter(f"Param file must be at most {MAX_MEDIA_BYTES} bytes")
    media = ctx.meta.media.put(
        phone_number_id=number.phone_number_id,
        waba_id=number.waba_id,
        data=data,
        mime_type=mime_type,
        filename=upload.filename,
    )
    return {"id": media.media_id}


@graph_router.get(DOWNLOAD_PATH)
async def download_media(
    request: Request,
    ctx: Context,
    mid: str = "",
    ext: str = "",
    hash: str = "",
) -> Response:
    """The bytes behind a URL from a media lookup: only with a bearer token of the media's WABA."""
    try:
        numbers = _token_numbers(request, ctx)
    except GraphError as exc:
        return exc.response()
    media = ctx.meta.media.check_url(mid, ext, hash)
    if media is None or not serves_waba(numbers, media.waba_id):
        # The CDN answers a stale or foreign URL with a bare 404.
        return Response(status_code=status.HTTP_404_NOT_FOUND)
    return Response(media.data, media_type=media.mime_type)


def _token_numbers(request: Request, ctx: SandboxContext) -> list[SimulatedNumber]:
    # The CDN takes the token only as a bearer header, never as a query parameter.
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    numbers = ctx.meta.numbers_with_token(token.strip()) if scheme.lower() == "bearer" else []
    if not numbers:
        raise invalid_token()
    return numbers


@control_router.post("/media", status_code=status.HTTP_201_CREATED)
async def host_media(request: Request, ctx: Context) -> dict[str, Any]:
    """Host bytes for a number (multipart `file`, `phone_number_id`, optional `mime_type`), e.g. a photo
    a simulated customer will send; answers the media id to use in `customers/write`."""
    form = await request.form()
    upload = form.get("file")
    phone_number_id = form.get("phone_number_id")
    if not isinstance(upload, UploadFile) or not isinstance(phone_number_id, str):
        raise HTTPException(422, "multipart fields file and phone_number_id are required")
    number = number_or_404(ctx, phone_number_id)
    given_type = form.get("mime_type")
    mime_type = given_type if isinstance(given_type, str) and given_type else upload.content_type
    data = await upload.read()
    media = ctx.meta.media.put(
        phone_number_id=number.phone_number_id,
        waba_id=number.waba_id,
        data=data,
        mime_type=mime_type or "application/octet-stream",
        filename=upload.filename,
    )
    return hosted_json(media)


@control_router.get("/media/{media_id}")
async def read_hosted_media(media_id: str, ctx: Context) -> Response:
    """The bytes of any hosted media (what a business uploaded, or a customer sent), without auth."""
    media = ctx.meta.media.get(media_id)
    if media is None:
        raise HTTPException(404, f"unknown media id {media_id!r}")
    return Response(media.data, media_type=media.mime_type)


def hosted_json(media: HostedMedia) -> dict[str, Any]:
    """A hosted media object as the control API describes it."""
    return {
        "id": media.media_id,
        "phone_number_id": media.phone_number_id,
        "mime_type": media.mime_type,
        "sha256": media.sha256_hex,
        "file_size": len(media.data),
        "filename": media.filename,
    }
