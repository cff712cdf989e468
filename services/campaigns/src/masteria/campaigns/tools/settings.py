"""Settings of the audience and message tools (env prefix ``CAMPAIGNS_``, like the rest of the service)."""

from __future__ import annotations

from typing import cast

from fastapi import Request
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ToolsSettings(BaseSettings):
    """Costs for the SMS estimate, the default country of uploaded numbers, and the limits of the tools."""

    model_config = SettingsConfigDict(env_prefix="CAMPAIGNS_", extra="ignore")

    sms_cost_per_segment: float = Field(0.0079, ge=0, description="Price of one SMS segment, for estimates.")
    sms_cost_currency: str = Field("USD", min_length=3, max_length=3)
    default_region: str = Field("BR", description="Country of uploaded numbers written without +country code.")
    # An upload is read and matched inside its request, which the gateway gives 30 s: 200k rows take ~6 s of
    # number parsing (libphonenumber, ~30 us a number) and ~2 s of matching on this 2-core machine when idle.
    # Larger lists belong in crm's background contact import, then in a segment.
    upload_max_bytes: int = Field(20 * 1024 * 1024, ge=1)
    upload_max_rows: int = Field(200_000, ge=1)
    # Rows of the unmatched report kept with an upload and returned; the counts stay exact beyond it.
    upload_report_rows: int = Field(1000, ge=0)
    # Contacts rendered to estimate SMS segments; an audience this small or smaller is rendered whole.
    estimate_sample: int = Field(1000, ge=1)
    preview_contacts: int = Field(5, ge=1, le=50)


# Settings the service itself also declares: the service's values win, so there is one source of truth.
_FROM_SERVICE = ("sms_cost_per_segment", "sms_cost_currency")


def tools_settings(request: Request) -> ToolsSettings:
    """The settings, read once per app (a test may set ``app.state.tools_settings`` to its own)."""
    state = request.app.state
    if getattr(state, "tools_settings", None) is None:
        service_settings = getattr(getattr(state, "service", None), "settings", None)
        shared = {name: getattr(service_settings, name) for name in _FROM_SERVICE if hasattr(service_settings, name)}
        state.tools_settings = ToolsSettings().model_copy(update=shared)
    return cast(ToolsSettings, state.tools_settings)
