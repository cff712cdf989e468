"""The provider-facing OAuth endpoints: authorize, token, userinfo (Google) and /me (Facebook)."""

from typing import Annotated, Any, get_args
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel

from masteria.sandbox.context import Context, SandboxContext
from masteria.sandbox.meta.errors import GraphError, invalid_token
from masteria.sandbox.oauth.credentials import authenticate_client, bearer_token
from masteria.sandbox.oauth.store import TOKEN_TTL_S, AccessToken, Grant, OAuthError, OAuthUser, with_picture
from masteria.sandbox.settings import Provider

router = APIRouter(prefix="/oauth", tags=["oauth"])
PROVIDERS: tuple[Provider, ...] = get_args(Provider)
FACEBOOK_FIELDS = frozenset({"id", "name", "email", "first_name", "last_name", "picture"})
PKCE_METHODS = ("plain", "S256")
_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
_GOOGLE_INVALID_TOKEN = {"error": "invalid_request", "error_description": "Invalid Credentials"}


class AuthorizeQuery(BaseModel):
    """Parameters of an authorization request (RFC 6749 section 4.1.1, plus OIDC and PKCE)."""

    client_id: str | None = None
    redirect_uri: str | None = None
    response_type: str | None = None
    state: str | None = None
    scope: str = ""
    nonce: str | None = None
    code_challenge: str | None = None
    code_challenge_method: str | None = None


def provider_of(name: str) -> Provider:
    """The provider named in the path, or 404."""
    for provider in PROVIDERS:
        if provider == name:
            return provider
    raise HTTPException(404, f"unknown provider {name!r}")


def oauth_error_response(exc: OAuthError) -> JSONResponse:
    """An RFC 6749 error body."""
    headers = {**_NO_STORE, "WWW-Authenticate": "Basic"} if exc.status_code == 401 else _NO_STORE
    body = {"error": exc.error, "error_description": exc.description}
    return JSONResponse(body, status_code=exc.status_code, headers=headers)


@router.get("/{provider}/authorize")
async def authorize(provider: str, query: Annotated[AuthorizeQuery, Query()], ctx: Context) -> Response:
    """Log the provider's current user in at once and send the browser back with a code."""
    prov = provider_of(provider)
    client = ctx.oauth.client(prov, query.client_id)
    if client is None:
        return oauth_error_response(OAuthError("invalid_client", "unknown client_id"))
    uri = query.redirect_uri
    if not uri or (client.redirect_uris and uri not in client.redirect_uris):
        return oauth_error_response(OAuthError("invalid_request", "redirect_uri is missing or unregistered"))
    # From here the redirect URI is trusted, so errors go back to the client as RFC 6749 says.
    error = _authorize_error(query)
    if error is not None:
        return _redirect(uri, {"error": error, "state": query.state})
    code = ctx.oauth.issue_code(_grant(prov, client.client_id, uri, query, ctx.oauth.current_user(prov)))
    return _redirect(uri, {"code": code, "state": query.state, "scope": query.scope or None})


@router.post("/{provider}/token")
async def token(provider: str, request: Request, ctx: Context) -> Response:
    """Exchange an authorization code for an access token (plus an ID token for Google's `openid`)."""
    prov = provider_of(provider)
    form = {key: value for key, value in (await request.form()).items() if isinstance(value, str)}
    try:
        client = authenticate_client(ctx.oauth, prov, form, request.headers.get("authorization"))
        if form.get("grant_type") != "authorization_code":
            raise OAuthError("unsupported_grant_type", "only authorization_code is supported")
        if not form.get("code"):
            raise OAuthError("invalid_request", "code is required")
        issued = ctx.oauth.redeem(
            form["code"], client.client_id, form.get("redirect_uri"), form.get("code_verifier")
        )
    except OAuthError as exc:
        return oauth_error_response(exc)
    return JSONResponse(_token_body(ctx, issued), headers=_NO_STORE)


@router.get("/google/userinfo")
async def google_userinfo(request: Request, ctx: Context) -> Response:
    """Google's OpenID userinfo for the token's user."""
    issued = ctx.oauth.token("google", bearer_token(request))
    if issued is None:
        challenge = {"WWW-Authenticate": 'Bearer error="invalid_token"'}
        return JSONResponse(_GOOGLE_INVALID_TOKEN, status_code=401, headers=challenge)
    user = _user_with_picture(ctx, issued.grant)
    body = {
        "sub": user.id,
        "email": user.email,
        "email_verified": user.email_verified,
        "name": user.name,
        "picture": user.picture,
    }
    return JSONResponse(body)


@router.get("/facebook/me")
async def facebook_me(request: Request, ctx: Context, fields: str = "id,name") -> dict[str, Any]:
    """Facebook's Graph `/me` with the requested fields (id and name when none are asked)."""
    issued = ctx.oauth.token("facebook", bearer_token(request))
    if issued is None:
        raise invalid_token()
    requested = [name.strip() for name in fields.split(",") if name.strip()]
    unknown = [name for name in requested if name not in FACEBOOK_FIELDS]
    if unknown:
        message = f"(#100) Tried accessing nonexisting field ({unknown[0]}) on node type (User)"
        raise GraphError(400, message, 100)
    return _facebook_fields(_user_with_picture(ctx, issued.grant), requested)


@router.get("/google/.well-known/openid-configuration")
async def google_discovery(ctx: Context) -> dict[str, Any]:
    """OIDC discovery, so clients configured by metadata URL find every endpoint."""
    discovery: dict[str, Any] = ctx.oidc.discovery()
    return discovery


@router.get("/google/jwks")
async def google_jwks(ctx: Context) -> dict[str, Any]:
    """The keys that verify our ID tokens."""
    keys: dict[str, Any] = ctx.oidc.jwks()
    return keys


@router.get("/{provider}/picture/{user_id}")
async def picture(provider: str, user_id: str) -> Response:
    """A placeholder avatar, so picture URLs resolve."""
    provider_of(provider)
    initial = user_id[:1].upper() if user_id[:1].isalnum() else "?"
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="96" height="96">'
        '<rect width="96" height="96" fill="#4a7"/>'
        f'<text x="48" y="60" font-size="40" text-anchor="middle" fill="#fff">{initial}</text></svg>'
    )
    return Response(svg, media_type="image/svg+xml")


def _authorize_error(query: AuthorizeQuery) -> str | None:
    if query.response_type != "code":
        return "unsupported_response_type"
    method = query.code_challenge_method
    if method is not None and (query.code_challenge is None or method not in PKCE_METHODS):
        return "invalid_request"
    return None


def _grant(prov: Provider, client_id: str, uri: str, query: AuthorizeQuery, user: OAuthUser) -> Grant:
    # The user is copied into the grant: changing the current user later does not alter a login in flight.
    method = (query.code_challenge_method or "plain") if query.code_challenge else None
    return Grant(prov, client_id, uri, query.scope, user, query.nonce, query.code_challenge, method)


def _redirect(redirect_uri: str, params: dict[str, str | None]) -> RedirectResponse:
    parts = urlsplit(redirect_uri)
    query = parse_qsl(parts.query, keep_blank_values=True)
    query += [(key, value) for key, value in params.items() if value is not None]
    return RedirectResponse(urlunsplit(parts._replace(query=urlencode(query))), status_code=302)


def _token_body(ctx: SandboxContext, issued: AccessToken) -> dict[str, Any]:
    body: dict[str, Any] = {
        "access_token": issued.token,
        "token_type": "Bearer",
        "expires_in": TOKEN_TTL_S,
        "scope": issued.grant.scope,
    }
    if issued.grant.provider == "google" and "openid" in issued.grant.scope.split():
        body["id_token"] = ctx.oidc.id_token(issued, _user_with_picture(ctx, issued.grant).picture)
    return body


def _user_with_picture(ctx: SandboxContext, grant: Grant) -> OAuthUser:
    url = f"{ctx.settings.public_url}/oauth/{grant.provider}/picture/{grant.user.id}"
    return with_picture(grant.user, url)


def _facebook_fields(user: OAuthUser, requested: list[str]) -> dict[str, Any]:
    first, _, last = user.name.partition(" ")
    available: dict[str, Any] = {
        "id": user.id,
        "name": user.name,
        "email": user.email,
        "first_name": first,
        "last_name": last,
        "picture": {"data": {"height": 50, "width": 50, "is_silhouette": False, "url": user.picture}},
    }
    return {name: available[name] for name in requested}
