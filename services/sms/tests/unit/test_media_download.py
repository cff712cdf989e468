"""Fetching an MMS file: the account's credentials go to Twilio's host only, and failures say whether to retry."""

from __future__ import annotations

import base64

import httpx
import pytest

from masteria.sms.twilio_api import MediaDownloadError, TwilioClient

API = "https://api.twilio.com"
MEDIA = f"{API}/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1"
CDN = "https://media.twiliocdn.test/ME1?Expires=1&Signature=x"
BASIC = "Basic " + base64.b64encode(b"AC1:token").decode()


class TwilioAndCdn:
    """Twilio's media resource (307 to its CDN when authenticated) and the CDN; records who got credentials."""

    def __init__(self, status: int = 307) -> None:
        self.status = status
        self.authorization: dict[str, str | None] = {}

    def __call__(self, request: httpx.Request) -> httpx.Response:
        host = request.url.host
        self.authorization[host] = request.headers.get("authorization")
        if host == "api.twilio.com":
            if request.headers.get("authorization") != BASIC:
                return httpx.Response(401, json={"code": 20003})
            if self.status != 307:
                return httpx.Response(self.status)
            return httpx.Response(307, headers={"location": CDN})
        return httpx.Response(200, content=b"\x89PNG...", headers={"content-type": "image/png"})


async def download(server: TwilioAndCdn, url: str = MEDIA, max_bytes: int = 1000) -> bytes:
    async with httpx.AsyncClient(transport=httpx.MockTransport(server)) as http:
        got = await TwilioClient(http, API).download_media(url, "AC1", "token", max_bytes=max_bytes)
    return got.data


async def test_credentials_go_to_twilio_and_not_to_the_cdn_it_redirects_to() -> None:
    server = TwilioAndCdn()
    assert await download(server) == b"\x89PNG..."
    assert server.authorization == {"api.twilio.com": BASIC, "media.twiliocdn.test": None}


async def test_a_url_on_another_host_is_fetched_without_credentials() -> None:
    server = TwilioAndCdn()
    await download(server, url=CDN)
    assert server.authorization == {"media.twiliocdn.test": None}


@pytest.mark.parametrize(("status", "permanent"), [(404, True), (401, True), (429, False), (503, False)])
async def test_a_refusal_says_whether_trying_again_can_help(status: int, permanent: bool) -> None:
    with pytest.raises(MediaDownloadError) as refused:
        await download(TwilioAndCdn(status))
    assert refused.value.permanent is permanent


async def test_a_file_above_the_limit_is_refused_for_good() -> None:
    with pytest.raises(MediaDownloadError) as refused:
        await download(TwilioAndCdn(), max_bytes=4)
    assert refused.value.permanent
    assert "larger than 4 bytes" in str(refused.value)
