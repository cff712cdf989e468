"""Keys name their tenant and parse strictly; store URLs and settings say clearly what is wrong."""

from __future__ import annotations

import hashlib
from pathlib import Path
from uuid import UUID, uuid4

import pytest

from masteria.media import (
    DEFAULT_MAX_BYTES,
    InvalidMediaKeyError,
    LocalLocation,
    LocalMediaStore,
    MediaSettings,
    MediaStoreConfigError,
    MediaTooLargeError,
    S3Location,
    S3MediaStore,
    check_size,
    clean_filename,
    media_key,
    open_media_store,
    open_media_store_from_settings,
    parse_key,
    parse_store_url,
    sha256_hex,
    tenant_of,
)

TENANT = UUID("3f1c2b9e-8d4a-4c1e-9b7f-0a1b2c3d4e5f")
DIGEST = hashlib.sha256(b"photo").hexdigest()


def test_a_key_is_tenant_fan_out_and_digest() -> None:
    key = media_key(TENANT, DIGEST)

    assert key == f"3f1c2b9e-8d4a-4c1e-9b7f-0a1b2c3d4e5f/{DIGEST[:2]}/{DIGEST}"
    assert tenant_of(key) == TENANT
    assert parse_key(key) == (TENANT, DIGEST)
    assert str(parse_key(key)) == key
    assert sha256_hex(b"photo") == DIGEST


@pytest.mark.parametrize(
    ("key", "reason"),
    [
        ("", "expected <tenant>/<sha256[:2]>/<sha256>"),
        (f"{TENANT}/{DIGEST}", "expected <tenant>/<sha256[:2]>/<sha256>"),
        (f"/{TENANT}/{DIGEST[:2]}/{DIGEST}", "expected"),
        (f"tenant/{DIGEST[:2]}/{DIGEST}", "not a tenant id"),
        (f"{TENANT.hex}/{DIGEST[:2]}/{DIGEST}", "canonical"),
        (f"{str(TENANT).upper()}/{DIGEST[:2]}/{DIGEST}", "canonical"),
        (f"{TENANT}/{DIGEST[:2]}/{DIGEST[:-1]}", "not a lowercase hex SHA-256"),
        (f"{TENANT}/{DIGEST[:2]}/{DIGEST.upper()}", "not a lowercase hex SHA-256"),
        (f"{TENANT}/00/{DIGEST}", "middle segment"),
        (f"{TENANT}/../{DIGEST}", "middle segment"),
    ],
)
def test_malformed_keys_are_value_errors_with_a_reason(key: str, reason: str) -> None:
    with pytest.raises(InvalidMediaKeyError, match="malformed media key") as caught:
        tenant_of(key)
    assert reason in caught.value.reason
    assert isinstance(caught.value, ValueError)


def test_media_key_refuses_a_digest_that_is_not_sha256_hex() -> None:
    with pytest.raises(ValueError, match="SHA-256"):
        media_key(TENANT, "abc")


@pytest.mark.parametrize(
    ("url", "location"),
    [
        ("file:///srv/media", LocalLocation(Path("/srv/media"))),
        ("file://localhost/srv/media", LocalLocation(Path("/srv/media"))),
        ("file:///srv/my%20media", LocalLocation(Path("/srv/my media"))),
        ("s3://masteria-media", S3Location("masteria-media", "")),
        ("s3://masteria-media/", S3Location("masteria-media", "")),
        ("s3://masteria-media/prod/eu/", S3Location("masteria-media", "prod/eu")),
        ("S3://bucket/p", S3Location("bucket", "p")),
    ],
)
def test_store_urls_name_a_directory_or_a_bucket_and_prefix(url: str, location: object) -> None:
    assert parse_store_url(url) == location


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://minio:9000/media", "has scheme 'http': use file:///absolute/path or s3://bucket/prefix"),
        ("gs://bucket/media", "has scheme 'gs'"),
        ("/srv/media", "has no scheme"),
        ("", "has no scheme"),
        ("file://var/media", "is not an absolute file URL"),
        ("file:relative/media", "is not an absolute file URL"),
        ("s3:///prefix-only", "needs a bucket"),
        ("s3://bucket/p?region=x", "needs a bucket and no query"),
    ],
)
def test_bad_store_urls_say_what_is_accepted(url: str, message: str) -> None:
    with pytest.raises(MediaStoreConfigError, match="media store URL") as caught:
        open_media_store(url)
    assert message in str(caught.value)
    assert isinstance(caught.value, ValueError)


async def test_open_media_store_builds_the_backend_the_url_names() -> None:
    local = open_media_store("file:///srv/media", max_bytes=10)
    assert isinstance(local, LocalMediaStore)
    assert (local.root, local.max_bytes) == (Path("/srv/media"), 10)

    remote = open_media_store(
        "s3://bucket/prod",
        endpoint_url="http://127.0.0.1:9000",
        region="sa-east-1",
        access_key_id="id",
        secret_access_key="secret",
    )
    assert isinstance(remote, S3MediaStore)
    assert (remote.bucket, remote.prefix, remote.max_bytes) == ("bucket", "prod", DEFAULT_MAX_BYTES)
    assert (remote.options.endpoint_url, remote.options.region) == ("http://127.0.0.1:9000", "sa-east-1")
    assert remote.object_name(media_key(TENANT, DIGEST)) == f"prod/{TENANT}/{DIGEST[:2]}/{DIGEST}"
    assert "secret" not in repr(remote)
    await remote.aclose()  # never connected: nothing to close, still fine


def test_a_relative_directory_is_refused() -> None:
    with pytest.raises(MediaStoreConfigError, match="absolute path"):
        LocalMediaStore(Path("var/media"))


def test_settings_default_to_media_under_the_var_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("MEDIA_STORE_URL", "MEDIA_S3_ENDPOINT_URL", "MEDIA_S3_REGION", "MEDIA_MAX_BYTES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("MASTERIA_VAR_DIR", str(tmp_path / "state"))

    settings = MediaSettings()

    assert settings.store_url == (tmp_path / "state" / "media").as_uri()
    assert settings.max_bytes == 100 * 1024 * 1024
    assert settings.s3_endpoint_url is None
    store = open_media_store_from_settings(settings)
    assert isinstance(store, LocalMediaStore)
    assert store.root == tmp_path / "state" / "media"


def test_settings_without_a_var_dir_use_var_under_the_working_directory(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("MASTERIA_VAR_DIR", raising=False)
    monkeypatch.setenv("MEDIA_STORE_URL", "")  # blank means default, as in an env file
    monkeypatch.chdir(tmp_path)

    assert MediaSettings().store_url == (tmp_path / "var" / "media").as_uri()


async def test_settings_read_the_s3_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MEDIA_STORE_URL", "s3://masteria-media/staging")
    monkeypatch.setenv("MEDIA_S3_ENDPOINT_URL", "http://127.0.0.1:9000")
    monkeypatch.setenv("MEDIA_S3_REGION", "sa-east-1")
    monkeypatch.setenv("MEDIA_S3_ACCESS_KEY_ID", "AKIDEXAMPLE")
    monkeypatch.setenv("MEDIA_S3_SECRET_ACCESS_KEY", "wJalrXUtnFEMI")
    monkeypatch.setenv("MEDIA_MAX_BYTES", "2048")

    settings = MediaSettings()
    store = open_media_store_from_settings(settings)

    assert "wJalrXUtnFEMI" not in repr(settings)
    assert isinstance(store, S3MediaStore)
    assert (store.bucket, store.prefix, store.max_bytes) == ("masteria-media", "staging", 2048)
    assert store.options.access_key_id == "AKIDEXAMPLE"
    assert store.options.secret_access_key == "wJalrXUtnFEMI"
    await store.aclose()


def test_check_size_rejects_before_reading_a_body() -> None:
    check_size(10, 10)
    with pytest.raises(MediaTooLargeError) as caught:
        check_size(11, 10)
    assert (caught.value.size_bytes, caught.value.max_bytes) == (11, 10)
    assert "MEDIA_MAX_BYTES" in str(caught.value)


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        (None, None),
        ("", None),
        ("..", None),
        ("boleto.pdf", "boleto.pdf"),
        ("C:\\Users\\ana\\Desktop\\contrato.docx", "contrato.docx"),
        ("../../etc/passwd", "passwd"),
        ("foto\x00\r\n.jpg", "foto.jpg"),
        ("ç" * 200, "ç" * 127),  # 255 UTF-8 bytes at most, never half a character
    ],
)
def test_filenames_keep_only_their_last_segment(given: str | None, kept: str | None) -> None:
    assert clean_filename(given) == kept


def test_the_key_never_depends_on_the_tenant_format_given() -> None:
    tenant = uuid4()
    assert media_key(UUID(str(tenant).upper()), DIGEST) == media_key(tenant, DIGEST)
