"""What each backend leaves behind: the disk layout, and the objects another S3 tool would see."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from botocore.exceptions import ClientError

from masteria.media import LocalMediaStore, S3MediaStore, S3Options, open_media_store_from_settings

PDF = b"%PDF-1.7\n" + b"boleto " * 100


async def test_local_files_fan_out_under_the_tenant_with_a_sidecar(tmp_path: Path) -> None:
    store = LocalMediaStore(tmp_path)
    tenant = uuid4()
    stored = await store.put(tenant, PDF, content_type="application/pdf", filename="boleto.pdf")

    path = tmp_path / str(tenant) / stored.sha256[:2] / stored.sha256
    assert store.path_of(stored.key) == path
    assert path.read_bytes() == PDF
    assert json.loads(path.with_name(f"{stored.sha256}.json").read_text()) == {
        "content_type": "application/pdf",
        "filename": "boleto.pdf",
    }
    assert sorted(p.name for p in path.parent.iterdir()) == [stored.sha256, f"{stored.sha256}.json"]  # no temp files


async def test_local_files_are_never_rewritten(tmp_path: Path) -> None:
    store = LocalMediaStore(tmp_path)
    tenant = uuid4()
    stored = await store.put(tenant, PDF, content_type="application/pdf", filename="a.pdf")
    path = store.path_of(stored.key)
    before = os.stat(path)

    await store.put(tenant, PDF, content_type="application/pdf", filename="b.pdf")

    after = os.stat(path)
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert after.st_mode & 0o777 == 0o640


async def test_local_file_without_sidecar_is_served_untyped(tmp_path: Path) -> None:
    store = LocalMediaStore(tmp_path)
    stored = await store.put(uuid4(), PDF, content_type="application/pdf", filename="a.pdf")
    store.path_of(stored.key).with_suffix(".json").unlink()

    got = await store.get(stored.key)
    assert (got.data, got.content_type, got.filename) == (PDF, "application/octet-stream", None)


async def test_services_reading_the_same_environment_share_keys(
    tmp_path: Path, s3_bucket: str, s3_options: S3Options, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MEDIA_S3_ENDPOINT_URL", s3_options.endpoint_url or "")
    monkeypatch.setenv("MEDIA_S3_REGION", s3_options.region or "")
    monkeypatch.setenv("MEDIA_S3_ACCESS_KEY_ID", s3_options.access_key_id or "")
    monkeypatch.setenv("MEDIA_S3_SECRET_ACCESS_KEY", s3_options.secret_access_key or "")
    for url in ((tmp_path / "shared").as_uri(), f"s3://{s3_bucket}/shared-{uuid4().hex}"):
        monkeypatch.setenv("MEDIA_STORE_URL", url)
        # Two services: separate settings, separate stores, one configuration.
        writer, reader = open_media_store_from_settings(), open_media_store_from_settings()
        stored = await writer.put(uuid4(), PDF, content_type="application/pdf", filename="boleto.pdf")
        got = await reader.get(stored.key)
        assert (got.data, got.content_type, got.filename) == (PDF, "application/pdf", "boleto.pdf")
        await writer.aclose()
        await reader.aclose()


async def test_s3_objects_carry_type_and_name_as_object_metadata(
    s3_bucket: str, s3_options: S3Options, raw_s3: Any
) -> None:
    store = S3MediaStore(s3_bucket, "tenants/media", options=s3_options)
    tenant = uuid4()
    stored = await store.put(tenant, PDF, content_type="application/pdf", filename="relatório 1.pdf")

    head = await raw_s3.head_object(Bucket=s3_bucket, Key=f"tenants/media/{stored.key}")
    assert head["ContentType"] == "application/pdf"
    assert head["ContentLength"] == len(PDF)
    assert head["Metadata"] == {"filename": "relat%C3%B3rio%201.pdf"}
    await store.aclose()


async def test_s3_errors_other_than_a_missing_key_surface(s3_options: S3Options) -> None:
    store = S3MediaStore("no-such-bucket", options=s3_options)
    key = f"{uuid4()}/ab/{'ab' * 32}"

    with pytest.raises(ClientError, match="NoSuchBucket"):
        await store.get(key)
    with pytest.raises(ClientError, match="NoSuchBucket"):
        await store.put(uuid4(), PDF, content_type="application/pdf", filename=None)
    await store.aclose()
