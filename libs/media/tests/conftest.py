"""A real S3 API (moto's server, in this process, on a free port) and a store of each kind on it or on disk."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from aiobotocore.session import get_session
from moto.server import ThreadedMotoServer

from masteria.media import LocalMediaStore, MediaStore, S3MediaStore, S3Options

BUCKET = "masteria-media-test"
# moto accepts any credentials; passing them keeps botocore from looking for real ones on the host.
FAKE_KEYS = {"access_key_id": "testing-key", "secret_access_key": "testing-secret"}


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """A moto S3 server listening on 127.0.0.1 (port 0: the kernel picks a free one)."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture(scope="session")
def s3_options(s3_endpoint: str) -> S3Options:
    """How the stores under test reach the moto server."""
    return S3Options(endpoint_url=s3_endpoint, region="us-east-1", **FAKE_KEYS)


@pytest.fixture(scope="session")
def s3_bucket(s3_options: S3Options) -> str:
    """The test bucket, created once through the S3 API like an operator would (boto3 comes with moto)."""
    import boto3

    boto3.client(
        "s3",
        endpoint_url=s3_options.endpoint_url,
        region_name=s3_options.region,
        aws_access_key_id=s3_options.access_key_id,
        aws_secret_access_key=s3_options.secret_access_key,
    ).create_bucket(Bucket=BUCKET)
    return BUCKET


@pytest.fixture
async def raw_s3(s3_options: S3Options) -> AsyncIterator[Any]:
    """A plain aiobotocore client, to look at objects the way another S3 tool would."""
    async with get_session().create_client(
        "s3",
        endpoint_url=s3_options.endpoint_url,
        region_name=s3_options.region,
        aws_access_key_id=s3_options.access_key_id,
        aws_secret_access_key=s3_options.secret_access_key,
    ) as client:
        yield client


@pytest.fixture(params=["local", "s3"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[MediaStore]:
    """Each behavioural test runs against both backends; S3 tests get a fresh prefix."""
    created: MediaStore
    if request.param == "local":
        created = LocalMediaStore(tmp_path / "media")
    else:
        bucket = request.getfixturevalue("s3_bucket")
        created = S3MediaStore(bucket, f"run-{uuid4().hex}", options=request.getfixturevalue("s3_options"))
    yield created
    await created.aclose()
