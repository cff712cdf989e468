"""Attachments: uploaded into the media store, served back only to their tenant, sendable by key."""

from __future__ import annotations

import uuid

import pytest

from masteria.devstack.harness import RunningService
from masteria.security.internal_token import InternalTokenIssuer

from .helpers import Api, collect, inbound, publish

pytestmark = pytest.mark.integration
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


async def test_upload_read_back_and_send_an_image(crm: RunningService, issuer: InternalTokenIssuer) -> None:
    a, b = Api(crm, issuer, uuid.uuid4()), Api(crm, issuer, uuid.uuid4())
    stored = await a.ok("POST", "/api/v1/media", 201, files={"file": ("foto.png", PNG, "application/octet-stream")})
    assert stored["storage_key"].startswith(f"{a.tenant}/")
    assert (stored["mime_type"], stored["size_bytes"], stored["filename"]) == ("image/png", len(PNG), "foto.png")
    back = await a.call("GET", f"/api/v1/media/{stored['storage_key']}")
    assert back.status_code == 200
    assert back.content == PNG
    assert back.headers["content-type"] == "image/png"
    assert back.headers["x-content-type-options"] == "nosniff"
    for key in (stored["storage_key"], f"{b.tenant}/{stored['sha256'][:2]}/{stored['sha256']}", "../../etc/passwd"):
        response = await b.call("GET", f"/api/v1/media/{key}")
        assert response.status_code == 404, key
        assert response.headers["content-type"] == "application/problem+json"

    await publish(inbound(a.tenant, uuid.uuid4(), "wamid.media", "manda a foto", sender="+5511900020001"))
    conv = await a.conversation_of("+5511900020001")
    content = {"kind": "image", "storage_key": stored["storage_key"], "mime_type": "image/png", "caption": "aqui"}
    sent = await a.ok("POST", f"/api/v1/conversations/{conv['id']}/messages", 202, json={"content": content})
    assert sent["preview"] == "[image] aqui"
    [command] = await collect(f"message.outbound.whatsapp_meta.{a.tenant}", lambda seen: len(seen) >= 1)
    assert command["data"]["content"]["storage_key"] == stored["storage_key"]
    # B cannot send A's file, even knowing its key
    await publish(inbound(b.tenant, uuid.uuid4(), "wamid.media.b", "oi", sender="+5511900020002"))
    conv_b = await b.conversation_of("+5511900020002")
    refused = await b.call("POST", f"/api/v1/conversations/{conv_b['id']}/messages", json={"content": content})
    assert refused.status_code == 422
    assert refused.json()["reason"] == "invalid_content"


async def test_scripts_and_empty_files_are_refused(crm: RunningService, issuer: InternalTokenIssuer) -> None:
    a = Api(crm, issuer, uuid.uuid4())
    html = await a.call("POST", "/api/v1/media", files={"file": ("x.html", b"<script>alert(1)</script>", "text/html")})
    assert html.status_code == 415
    empty = await a.call("POST", "/api/v1/media", files={"file": ("x.png", b"", "image/png")})
    assert empty.status_code == 422
    assert empty.json()["errors"][0]["field"] == "file"
