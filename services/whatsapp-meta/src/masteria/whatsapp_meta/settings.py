"""Settings of the WhatsApp Cloud API adapter (env prefix ``WHATSAPP_META_``)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from masteria.runtime.settings import ServiceSettings


class WhatsAppMetaSettings(ServiceSettings):
    """Where the Graph API is and how long number lookups are cached."""

    model_config = SettingsConfigDict(env_prefix="WHATSAPP_META_", extra="ignore")

    port: int = 8101
    graph_url: str = "https://graph.facebook.com"  # the sandbox's /graph in development and tests
    graph_version: str = "v21.0"
    verify_number_on_register: bool = True  # ask Graph whether the token really serves the number
    number_cache_ttl_s: float = 30.0
