"""Gateway settings: the shared engine URLs plus its own ``GATEWAY_*`` fields."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import AliasChoices, Field, field_validator, model_validator
from pydantic_settings import SettingsConfigDict

from masteria.runtime.settings import ServiceSettings

DEFAULT_SERVICE_URLS: dict[str, str] = {
    "whatsapp-meta": "http://127.0.0.1:8101",
    "whatsapp-qr": "http://127.0.0.1:8102",
    "sms": "http://127.0.0.1:8103",
    "campaigns": "http://127.0.0.1:8104",
    "ai-engine": "http://127.0.0.1:8105",
    "voice": "http://127.0.0.1:8106",
    "crm": "http://127.0.0.1:8107",
}
OAUTH_PROVIDERS = ("google", "facebook")
WEB_DIST_PARTS = ("services", "gateway", "web", "dist")
DEV_DEMO_PASSWORD = "demo-password-123"  # noqa: S105 - documented development default


def find_web_dist(here: Path) -> Path:
    """The nearest ``services/gateway/web/dist`` above ``here`` (an editable install in the
    repository), else that path in the source layout, which exists once ``make web`` has run."""
    here = here.resolve()
    for ancestor in here.parents:
        candidate = ancestor.joinpath(*WEB_DIST_PARTS)
        if candidate.is_dir():
            return candidate
    # src/masteria/gateway/settings.py -> services/gateway: the layout of the repository.
    return here.parents[3] / "web" / "dist"


def default_web_dist() -> Path:
    """Where the dashboard build is looked for when ``GATEWAY_WEB_DIST`` is not set."""
    return find_web_dist(Path(__file__))


@dataclass(frozen=True)
class OAuthProviderConfig:
    """One provider's client registration and endpoints."""

    name: str
    client_id: str
    client_secret: str
    authorize_url: str
    token_url: str
    userinfo_url: str
    scope: str

    @property
    def enabled(self) -> bool:
        """A provider without a client id is switched off."""
        return bool(self.client_id)


class GatewaySettings(ServiceSettings):
    """Everything the gateway reads; see the README's settings table."""

    model_config = SettingsConfigDict(env_prefix="GATEWAY_", extra="ignore")

    port: int = 8000
    internal_token_private_key: str = ""
    internal_token_ttl_s: int = 60
    service_urls: dict[str, str] = Field(default_factory=lambda: dict(DEFAULT_SERVICE_URLS))

    session_ttl_s: int = 14 * 24 * 3600
    # A sliding session is pushed forward at most this often, so reads do not write on every request.
    session_refresh_s: int = 24 * 3600
    session_cookie: str = "masteria_session"
    csrf_cookie: str = "masteria_csrf"
    oauth_state_cookie: str = "masteria_oauth"
    oauth_state_ttl_s: int = 600
    oauth_timeout_s: float = 10.0
    cookie_secure: bool | None = None  # None: Secure exactly when the public URL is https

    oauth_google_client_id: str = ""
    oauth_google_client_secret: str = ""
    oauth_google_authorize_url: str = "https://accounts.google.com/o/oauth2/v2/auth"
    oauth_google_token_url: str = "https://oauth2.googleapis.com/token"  # noqa: S105 - a URL
    oauth_google_userinfo_url: str = "https://openidconnect.googleapis.com/v1/userinfo"
    oauth_google_scope: str = "openid email profile"
    oauth_facebook_client_id: str = ""
    oauth_facebook_client_secret: str = ""
    oauth_facebook_authorize_url: str = "https://www.facebook.com/v19.0/dialog/oauth"
    oauth_facebook_token_url: str = "https://graph.facebook.com/v19.0/oauth/access_token"  # noqa: S105
    oauth_facebook_userinfo_url: str = "https://graph.facebook.com/me?fields=id,name,email"
    oauth_facebook_scope: str = "email public_profile"

    # Sign-in throttling (GCRA): per client IP, and per (IP, email) against password guessing.
    auth_rate_ip_per_min: int = 30
    auth_burst_ip: int = 15
    auth_rate_email_per_min: int = 10
    auth_burst_email: int = 5
    # Only behind a proxy we run: otherwise a client could pick its own rate-limit key.
    trust_forwarded_for: bool = False

    upstream_connect_timeout_s: float = 2.0
    upstream_timeout_s: float = 30.0
    upstream_max_connections: int = 200
    openapi_fetch_timeout_s: float = 2.0
    openapi_cache_s: float = 30.0

    # Live events (SSE): a comment line this often keeps proxies from closing an idle stream, and
    # the caller's credential is checked again this often, so a signed-out or removed member stops.
    events_heartbeat_s: float = Field(15.0, gt=0)
    events_recheck_s: float = Field(60.0, gt=0)
    # The dashboard's Vite build; it may be missing (then `/` says how to build it) or appear later.
    web_dist: Path = Field(default_factory=default_web_dist)

    # The devstack reads MASTERIA_DEMO_*: both spellings work, so `make up` and the CLI agree.
    demo_email: str = Field(
        "demo@masteria.app", validation_alias=AliasChoices("GATEWAY_DEMO_EMAIL", "MASTERIA_DEMO_EMAIL")
    )
    demo_password: str = Field(
        DEV_DEMO_PASSWORD, validation_alias=AliasChoices("GATEWAY_DEMO_PASSWORD", "MASTERIA_DEMO_PASSWORD")
    )
    demo_name: str = "Demo User"
    demo_tenant: str = "Demo Master IA"

    @field_validator("service_urls", mode="after")
    @classmethod
    def _merge_service_defaults(cls, value: dict[str, str]) -> dict[str, str]:
        # Overriding one service's URL must not drop the others.
        return {**DEFAULT_SERVICE_URLS, **{k: v.rstrip("/") for k, v in value.items()}}

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> GatewaySettings:
        if self.environment == "production" and not self.internal_token_private_key.strip():
            raise ValueError("production needs GATEWAY_INTERNAL_TOKEN_PRIVATE_KEY")
        return self

    @property
    def secure_cookies(self) -> bool:
        """Whether cookies carry ``Secure``."""
        if self.cookie_secure is not None:
            return self.cookie_secure
        return self.public_base_url.startswith("https://")

    def oauth(self, provider: str) -> OAuthProviderConfig:
        """The configuration of ``provider`` (one of :data:`OAUTH_PROVIDERS`)."""
        values: dict[str, Any] = {
            field: getattr(self, f"oauth_{provider}_{field}")
            for field in ("client_id", "client_secret", "authorize_url", "token_url", "userinfo_url", "scope")
        }
        return OAuthProviderConfig(name=provider, **values)
