"""Configuration of the sandbox, read from `SANDBOX_*` environment variables."""

from typing import Literal

from pydantic import BaseModel, Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

Provider = Literal["google", "facebook"]


class OAuthClientConfig(BaseModel):
    """An OAuth client (an app registered with Google or Facebook)."""

    client_id: str = Field(min_length=1)
    client_secret: str = Field(min_length=1)
    provider: Provider
    # Empty means any redirect URI is accepted, which keeps throwaway test setups short.
    redirect_uris: list[str] = Field(default_factory=list)


class SandboxSettings(BaseSettings):
    """Where the sandbox listens and how it behaves."""

    model_config = SettingsConfigDict(env_prefix="SANDBOX_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = 8900
    # The address clients use to reach us; it becomes the OIDC issuer, so a bind to 0.0.0.0 can't stand in.
    public_url: str = ""
    log_level: str = "info"
    oauth_clients: list[OAuthClientConfig] = Field(default_factory=list)
    webhook_timeout_s: float = 10.0
    retry_initial_s: float = 0.05
    retry_max_s: float = 1.0
    max_connections: int = 512

    @model_validator(mode="after")
    def _default_public_url(self) -> "SandboxSettings":
        if not self.public_url:
            self.public_url = f"http://{self.host}:{self.port}"
        self.public_url = self.public_url.rstrip("/")
        return self
