"""Settings every service reads; each service subclasses with its own env prefix."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

Environment = Literal["development", "test", "production"]


class ServiceSettings(BaseSettings):
    """Shared engine URLs and keys read without a prefix; a subclass's own fields use its prefix."""

    model_config = SettingsConfigDict(extra="ignore")

    environment: Environment = Field("development", validation_alias="MASTERIA_ENV")
    host: str = "127.0.0.1"
    port: int = 8000
    log_level: str = Field("INFO", validation_alias="LOG_LEVEL")
    log_json: bool = Field(True, validation_alias="LOG_JSON")
    database_url: str = Field(
        "postgresql+asyncpg://masteria_app:masteria_app@127.0.0.1:55432/masteria",
        validation_alias="DATABASE_URL",
    )
    database_pool_size: int = Field(10, validation_alias="DATABASE_POOL_SIZE")
    redis_max_connections: int = Field(64, ge=1, validation_alias="REDIS_MAX_CONNECTIONS")
    nats_url: str = Field("nats://127.0.0.1:14222", validation_alias="NATS_URL")
    redis_url: str = Field("redis://127.0.0.1:16379/0", validation_alias="REDIS_URL")
    secret_keys: str = Field("", validation_alias="MASTERIA_SECRET_KEYS")
    secret_active_kid: str | None = Field(None, validation_alias="MASTERIA_SECRET_ACTIVE_KID")
    internal_token_public_key: str = Field("", validation_alias="MASTERIA_INTERNAL_TOKEN_PUBLIC_KEY")
    public_base_url: str = Field("http://127.0.0.1:8000", validation_alias="MASTERIA_PUBLIC_URL")

    @model_validator(mode="after")
    def _refuse_missing_secrets_outside_development(self) -> ServiceSettings:
        if self.environment == "production":
            missing = [
                name
                for name, value in (
                    ("MASTERIA_SECRET_KEYS", self.secret_keys),
                    ("MASTERIA_INTERNAL_TOKEN_PUBLIC_KEY", self.internal_token_public_key),
                )
                if not value
            ]
            if missing:
                raise ValueError(f"production needs {', '.join(missing)}; see README 'Settings'")
            if "masteria_app:masteria_app@" in self.database_url:
                raise ValueError("production must not use the development database password")
        return self
