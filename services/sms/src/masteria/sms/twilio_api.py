"""A small client of Twilio's REST API (2010-04-01); the sandbox serves the same paths locally.

httpx rather than the twilio package's REST client: async on the shared pool, and tests point it
at the sandbox app in-process by passing a transport.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx

API = "2010-04-01"


class TwilioError(Exception):
    """Twilio answered with an error object: ``code``, ``message``, ``more_info``, ``status``."""

    def __init__(self, http_status: int, body: dict[str, Any]) -> None:
        self.http_status = http_status
        raw_code = body.get("code")
        self.code = str(raw_code) if raw_code is not None else None
        self.message = str(body.get("message") or f"Twilio answered HTTP {http_status}")
        super().__init__(f"{self.code or http_status}: {self.message}")


class MediaDownloadError(Exception):
    """A media file could not be fetched; ``permanent`` when trying again cannot help."""

    def __init__(self, message: str, *, permanent: bool) -> None:
        super().__init__(message)
        self.permanent = permanent


@dataclass(frozen=True)
class DownloadedMedia:
    """The bytes of a media URL and the content type the server gave."""

    data: bytes
    content_type: str | None


@dataclass(frozen=True)
class SendRequest:
    """One message to create."""

    account_sid: str
    auth_token: str
    from_: str
    to: str
    body: str | None
    media_urls: tuple[str, ...] = ()
    status_callback: str | None = None

    def form(self) -> list[tuple[str, str]]:
        """The form fields, repeating MediaUrl as Twilio expects for several attachments."""
        fields = [("To", self.to), ("From", self.from_)]
        if self.body:
            fields.append(("Body", self.body))
        fields += [("MediaUrl", url) for url in self.media_urls]
        if self.status_callback:
            fields.append(("StatusCallback", self.status_callback))
        return fields


@dataclass(frozen=True)
class CreatedMessage:
    """What Twilio answers to a create: the MessageSid and its billing segments."""

    sid: str
    status: str
    num_segments: int | None


class TwilioClient:
    """Calls ``{base}/2010-04-01/Accounts/{sid}/...`` with HTTP Basic (AccountSid, AuthToken)."""

    def __init__(self, http: httpx.AsyncClient, base_url: str) -> None:
        self.http, self.base = http, f"{base_url.rstrip('/')}/{API}"

    async def account(self, account_sid: str, auth_token: str) -> dict[str, Any]:
        """The account resource; proves the credentials."""
        return await self._get(f"/Accounts/{account_sid}.json", account_sid, auth_token)

    async def incoming_number(self, account_sid: str, auth_token: str, phone_number: str) -> dict[str, Any] | None:
        """The account's incoming phone number resource for ``phone_number``, if it owns it."""
        body = await self._get(
            f"/Accounts/{account_sid}/IncomingPhoneNumbers.json",
            account_sid,
            auth_token,
            params={"PhoneNumber": phone_number},
        )
        numbers: list[dict[str, Any]] = body.get("incoming_phone_numbers") or []
        return next((n for n in numbers if n.get("phone_number") == phone_number), None)

    async def short_code(self, account_sid: str, auth_token: str, short_code: str) -> dict[str, Any] | None:
        """The account's short code resource, if it owns ``short_code`` (None also when the API lacks it)."""
        try:
            body = await self._get(
                f"/Accounts/{account_sid}/SMS/ShortCodes.json",
                account_sid,
                auth_token,
                params={"ShortCode": short_code},
            )
        except TwilioError as exc:
            if exc.http_status == 404:
                return None
            raise
        codes: list[dict[str, Any]] = body.get("short_codes") or []
        return next((c for c in codes if c.get("short_code") == short_code), None)

    async def send(self, request: SendRequest) -> CreatedMessage:
        """Create a message; raises TwilioError on an error answer, httpx errors on transport failures."""
        response = await self.http.post(
            f"{self.base}/Accounts/{request.account_sid}/Messages.json",
            # Encoded here: MediaUrl repeats, and httpx's ``data=`` takes a dict only.
            content=urlencode(request.form()),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            auth=(request.account_sid, request.auth_token),
        )
        body = _json(response)
        if response.status_code >= 400:
            raise TwilioError(response.status_code, body)
        segments = body.get("num_segments")
        return CreatedMessage(
            sid=str(body["sid"]),
            status=str(body.get("status") or "queued"),
            num_segments=int(segments) if segments not in (None, "") else None,
        )

    async def download_media(self, url: str, account_sid: str, auth_token: str, *, max_bytes: int) -> DownloadedMedia:
        """The file behind an inbound message's ``MediaUrl``: HTTP Basic with the account's SID and token
        (Twilio requires it on media), following Twilio's redirect to the file's short-lived URL.

        The credentials go to Twilio's API host only: httpx drops them on a redirect to another host,
        and a URL on another host is fetched without them.
        """
        auth = (account_sid, auth_token) if _same_origin(url, self.base) else None
        try:
            async with self.http.stream("GET", url, auth=auth, follow_redirects=True) as response:
                if response.status_code >= 400:
                    await response.aread()
                    # Gone, forbidden, or credentials refused: asking again gets the same answer.
                    permanent = response.status_code < 500 and response.status_code not in (408, 429)
                    raise MediaDownloadError(f"HTTP {response.status_code} from {_origin(url)}", permanent=permanent)
                chunks, size = [], 0
                async for chunk in response.aiter_bytes():
                    size += len(chunk)
                    if size > max_bytes:
                        raise MediaDownloadError(f"the file is larger than {max_bytes} bytes", permanent=True)
                    chunks.append(chunk)
                return DownloadedMedia(b"".join(chunks), response.headers.get("content-type"))
        except httpx.HTTPError as exc:
            raise MediaDownloadError(f"{type(exc).__name__}: {exc}", permanent=False) from exc

    async def _get(
        self, path: str, account_sid: str, auth_token: str, params: dict[str, str] | None = None
    ) -> dict[str, Any]:
        response = await self.http.get(f"{self.base}{path}", params=params, auth=(account_sid, auth_token))
        body = _json(response)
        if response.status_code >= 400:
            raise TwilioError(response.status_code, body)
        return body


def _json(response: httpx.Response) -> dict[str, Any]:
    # A proxy in front of Twilio may answer HTML; the status code still tells what happened.
    try:
        body = response.json()
    except ValueError:
        return {"message": response.text[:300]}
    return body if isinstance(body, dict) else {"message": str(body)[:300]}


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def _same_origin(url: str, base: str) -> bool:
    return _origin(url) == _origin(base)
