"""Control API of the OAuth stand-in: register clients, choose who is logged in."""

from typing import Any

from fastapi import APIRouter, status
from pydantic import BaseModel, Field

from masteria.sandbox.context import Context
from masteria.sandbox.oauth.routes import provider_of
from masteria.sandbox.oauth.store import OAuthUser
from masteria.sandbox.settings import OAuthClientConfig

router = APIRouter(prefix="/_sandbox/oauth", tags=["sandbox: oauth"])


class UserBody(BaseModel):
    """The provider's current user."""

    id: str = Field(min_length=1)
    email: str = Field(min_length=3)
    name: str = Field(min_length=1)
    picture: str | None = None
    email_verified: bool = True


@router.post("/clients", status_code=status.HTTP_201_CREATED)
async def register_client(client: OAuthClientConfig, ctx: Context) -> dict[str, Any]:
    """Register (or replace) a client of Google or Facebook."""
    ctx.oauth.register_client(client)
    return {"client_id": client.client_id, "provider": client.provider, "redirect_uris": client.redirect_uris}


@router.get("/clients")
async def list_clients(ctx: Context) -> list[dict[str, Any]]:
    """Registered clients, without their secrets."""
    return [{"client_id": c.client_id, "provider": c.provider, "redirect_uris": c.redirect_uris}
            for c in ctx.oauth.clients()]


@router.post("/{provider}/user")
async def set_user(provider: str, body: UserBody, ctx: Context) -> dict[str, Any]:
    """Choose who the next logins at this provider are."""
    user = OAuthUser(body.id, body.email, body.name, body.picture, body.email_verified)
    ctx.oauth.set_user(provider_of(provider), user)
    shown: dict[str, Any] = user.to_json()
    return shown


@router.get("/{provider}/user")
async def get_user(provider: str, ctx: Context) -> dict[str, Any]:
    """Who is logged in at this provider."""
    shown: dict[str, Any] = ctx.oauth.current_user(provider_of(provider)).to_json()
    return shown
