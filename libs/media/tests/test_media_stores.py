"""The behaviour every MediaStore promises, checked on local disk and on a real S3 API (moto)."""

from __future__ import annotations

import asyncio
import hashlib
from uuid import uuid4

import pytest

from masteria.media import (
    EmptyMediaError,
    InvalidMediaKeyError,
    MediaNotFoundError,
    MediaStore,
    MediaStoreClosedError,
    MediaTooLargeError,
    belongs_to,
    media_key,
    tenant_of,
)

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


async def test_put_then_get_returns_the_bytes_type_and_name(store: MediaStore) -> None:
    tenant = uuid4()
    stored = await store.put(tenant, PNG, content_type="image/png", filename="foto.png")

    digest = hashlib.sha256(PNG).hexdigest()
    assert stored.key == f"{tenant}/{digest[:2]}/{digest}"
    assert (stored.sha256, stored.size_bytes, stored.content_type, stored.filename) == (
        digest,
        len(PNG),
        "image/png",
        "foto.png",
    )
    got = await store.get(stored.key)
    assert (got.key, got.data, got.content_type, got.filename, got.size_bytes) == (
        stored.key,
        PNG,
        "image/png",
        "foto.png",
        len(PNG),
    )
    assert await store.exists(stored.key)


async def test_the_same_bytes_twice_give_the_same_key_and_keep_the_first_description(store: MediaStore) -> None:
    tenant = uuid4()
    first = await store.put(tenant, PNG, content_type="image/png", filename="a.png")
    second = await store.put(tenant, PNG, content_type="application/octet-stream", filename="b.bin")

    assert second == first
    got = await store.get(first.key)
    assert (got.content_type, got.filename) == ("image/png", "a.png")


async def test_concurrent_puts_of_the_same_bytes_agree(store: MediaStore) -> None:
    tenant = uuid4()
    data = b"%PDF-1.7 " + uuid4().bytes * 1000
    results = await asyncio.gather(
        *(store.put(tenant, data, content_type="application/pdf", filename="boleto.pdf") for _ in range(8))
    )

    assert len({r.key for r in results}) == 1
    assert (await store.get(results[0].key)).data == data


async def test_tenants_never_share_a_key_and_each_key_names_its_tenant(store: MediaStore) -> None:
    alice, bob = uuid4(), uuid4()
    a = await store.put(alice, PNG, content_type="image/png", filename=None)
    b = await store.put(bob, PNG, content_type="image/png", filename=None)

    assert a.key != b.key
    assert a.sha256 == b.sha256
    assert (tenant_of(a.key), tenant_of(b.key)) == (alice, bob)
    assert belongs_to(a.key, alice)
    assert not belongs_to(a.key, bob)
    # Bob cannot reach Alice's file by swapping his tenant into her digest unless he stored the same bytes.
    other = media_key(bob, hashlib.sha256(b"alice only").hexdigest())
    await store.put(alice, b"alice only", content_type="text/plain", filename=None)
    assert not await store.exists(other)


async def test_a_missing_key_is_not_found(store: MediaStore) -> None:
    key = media_key(uuid4(), hashlib.sha256(b"never stored").hexdigest())

    assert not await store.exists(key)
    with pytest.raises(MediaNotFoundError) as caught:
        await store.get(key)
    assert caught.value.key == key
    assert isinstance(caught.value, LookupError)


@pytest.mark.parametrize(
    "key",
    [
        "../../etc/passwd",
        "not-a-tenant/ab/" + "ab" * 32,
        f"{uuid4()}/zz/{'ab' * 32}",
        f"{str(uuid4()).upper()}/ab/{'ab' * 32}",
        f"{uuid4()}/ab/{'ab' * 32}/extra",
        f"{uuid4()}/ab/{'AB' * 32}",
    ],
)
async def test_a_malformed_key_is_refused_before_any_lookup(store: MediaStore, key: str) -> None:
    with pytest.raises(InvalidMediaKeyError):
        await store.get(key)
    with pytest.raises(ValueError, match="malformed media key"):
        await store.exists(key)


async def test_files_above_the_limit_or_empty_are_refused_and_not_stored(store: MediaStore) -> None:
    tenant = uuid4()
    store.max_bytes = 1024
    too_big = b"x" * 1025

    with pytest.raises(MediaTooLargeError, match="1025 bytes, above the media limit of 1024 bytes"):
        await store.put(tenant, too_big, content_type="text/plain", filename=None)
    assert not await store.exists(media_key(tenant, hashlib.sha256(too_big).hexdigest()))
    with pytest.raises(EmptyMediaError):
        await store.put(tenant, b"", content_type="text/plain", filename=None)
    stored = await store.put(tenant, b"x" * 1024, content_type="text/plain", filename=None)
    assert stored.size_bytes == 1024


async def test_names_and_types_are_kept_clean(store: MediaStore) -> None:
    tenant = uuid4()
    stored = await store.put(
        tenant, b"hello", content_type=" Audio/OGG; codecs=opus ", filename="C:\\fakepath\\relatório\n final.ogg"
    )

    got = await store.get(stored.key)
    assert (stored.content_type, stored.filename) == ("audio/ogg; codecs=opus", "relatório final.ogg")
    assert (got.content_type, got.filename) == (stored.content_type, stored.filename)
    untyped = await store.put(tenant, b"raw", content_type="", filename="")
    assert (untyped.content_type, untyped.filename) == ("application/octet-stream", None)
    assert (await store.get(untyped.key)).filename is None


async def test_a_closed_store_refuses_work(store: MediaStore) -> None:
    stored = await store.put(uuid4(), b"before close", content_type="text/plain", filename=None)
    await store.aclose()

    with pytest.raises(MediaStoreClosedError):
        await store.get(stored.key)
    await store.aclose()  # closing twice is harmless


async def test_a_large_file_round_trips(store: MediaStore) -> None:
    data = PNG + uuid4().bytes * (3 * 1024 * 1024 // 16)  # past the size hashed in a worker thread
    stored = await store.put(uuid4(), data, content_type="image/png", filename="big.png")

    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert (await store.get(stored.key)).data == data
