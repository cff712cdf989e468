"""Where the media store is, read from the environment; every media service reads the same variables."""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from .store import DEFAULT_MAX_BYTES


def default_store_url() -> str:
    """``file://<MASTERIA_VAR_DIR or ./var>/media``, absolute, so every service on the host shares it."""
    var_dir = os.environ.get("MASTERIA_VAR_DIR") or "var"
    return (Path(var_dir).expanduser().resolve() / "media").as_uri()


class MediaSettings(BaseSettings):
    """The store URL, S3 credentials and the size limit (names unprefixed: shared by services)."""

    # An empty variable (a blank line in an env file) means "the default", not an empty URL.
    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True, env_ignore_empty=True)

    store_url: str = Field(default_factory=default_store_url, validation_alias="MEDIA_STORE_URL")
    s3_endpoint_url: str | None = Field(None, validation_alias="MEDIA_S3_ENDPOINT_URL")
    s3_region: str | None = Field(None, validation_alias="MEDIA_S3_REGION")
    s3_access_key_id: str | None = Field(None, validation_alias="MEDIA_S3_ACCESS_KEY_ID")
    s3_secret_access_key: SecretStr | None = Field(None, validation_alias="MEDIA_S3_SECRET_ACCESS_KEY")
    max_bytes: int = Field(DEFAULT_MAX_BYTES, gt=0, validation_alias="MEDIA_MAX_BYTES")
