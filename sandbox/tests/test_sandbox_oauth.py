"""The OAuth stand-in: authorization code flow for Google and Facebook, as authlib drives it."""

import base64
import hashlib
import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import jwt
import pytest

from masteria.sandbox.app import create_app
from masteria.sandbox.settings import SandboxSettings

REDIRECT = "http://app.test/auth/callback"
CLIENTS = {
    "google": {"client_id": "google-client", "client_secret": "google-secret", "provider": "google"},
    "facebook": {"client_id": "fb-client", "client_secret": "fb-secret", "provider": "facebook"},
}


@pytest.fixture
async def clients(client: httpx.AsyncClient) -> dict[str, dict[str, str]]:
    """Both providers' clients, registered through the control API."""
    for body in CLIENTS.values():
        assert (await client.post("/_sandbox/oauth/clients", json=body)).status_code == 201
    return CLIENTS


async def authorize(client: httpx.AsyncClient, provider: str, **params: str) -> httpx.Response:
    """Start a login as the browser would."""
    query = {"response_type": "code", "client_id": CLIENTS[provider]["client_id"], "redirect_uri": REDIRECT,
             "state": "st-123", "scope": "email", **params}
    return await client.get(f"/oauth/{provider}/authorize", params=query)


def callback_params(response: httpx.Response) -> dict[str, str]:
    """The query the provider sent the browser back with."""
    assert response.status_code == 302, response.text
    location = response.headers["location"]
    assert location.startswith(REDIRECT + "?")
    return {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}


async def exchange(client: httpx.AsyncClient, provider: str, code: str, **extra: str) -> httpx.Response:
    """Trade a code for a token with client_secret_post."""
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT,
            "client_id": CLIENTS[provider]["client_id"], "client_secret": CLIENTS[provider]["client_secret"],
            **extra}
    return await client.post(f"/oauth/{provider}/token", data=form)


async def test_google_code_flow(client: httpx.AsyncClient, clients: dict[str, Any]) -> None:
    params = callback_params(await authorize(client, "google", scope="email profile"))
    assert params["state"] == "st-123"

    token = await exchange(client, "google", params["code"])

    assert token.status_code == 200
    body = token.json()
    assert body == {"access_token": body["access_token"], "token_type": "Bearer", "expires_in": 3600,
                    "scope": "email profile"}
    assert token.headers["cache-control"] == "no-store"
    info = await client.get("/oauth/google/userinfo", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert info.json() == {"sub": "sandbox-google-1", "email": "maria@example.com", "email_verified": True,
                           "name": "Maria Sandbox", "picture": info.json()["picture"]}
    assert (await client.get(urlsplit(info.json()["picture"]).path)).status_code == 200


async def test_facebook_code_flow_with_basic_auth(client: httpx.AsyncClient, clients: dict[str, Any]) -> None:
    params = callback_params(await authorize(client, "facebook"))
    basic = base64.b64encode(b"fb-client:fb-secret").decode()
    form = {"grant_type": "authorization_code", "code": params["code"], "redirect_uri": REDIRECT}

    token = await client.post("/oauth/facebook/token", data=form, headers={"Authorization": f"Basic {basic}"})

    assert token.status_code == 200
    auth = {"Authorization": f"Bearer {token.json()['access_token']}"}
    me = await client.get("/oauth/facebook/me", params={"fields": "id,name,email"}, headers=auth)
    assert me.json() == {"id": "sandbox-fb-1", "name": "Maria Sandbox", "email": "maria@example.com"}
    assert (await client.get("/oauth/facebook/me", headers=auth)).json() == {"id": "sandbox-fb-1",
                                                                             "name": "Maria Sandbox"}


async def test_code_is_single_use(client: httpx.AsyncClient, clients: dict[str, Any]) -> None:
    code = callback_params(await authorize(client, "google"))["code"]
    first = await exchange(client, "google", code)

    second = await exchange(client, "google", code)

    assert second.status_code == 400
    assert second.json()["error"] == "invalid_grant"
    # A replayed code revokes what it issued (RFC 6749 section 4.1.2).
    auth = {"Authorization": f"Bearer {first.json()['access_token']}"}
    assert (await client.get("/oauth/google/userinfo", headers=auth)).status_code == 401


async def test_redirect_uri_must_match(client: httpx.AsyncClient, clients: dict[str, Any]) -> None:
    code = callback_params(await authorize(client, "google"))["code"]

    response = await exchange(client, "google", code, redirect_uri="http://evil.test/cb")

    assert (response.status_code, response.json()["error"]) == (400, "invalid_grant")


async def test_code_of_one_provider_is_useless_at_the_other(
    client: httpx.AsyncClient, clients: dict[str, Any]
) -> None:
    code = callback_params(await authorize(client, "google"))["code"]

    response = await exchange(client, "facebook", code)

    assert (response.status_code, response.json()["error"]) == (400, "invalid_grant")


async def test_unknown_client_is_refused(client: httpx.AsyncClient, clients: dict[str, Any]) -> None:
    response = await authorize(client, "google", client_id="who")

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_client"


async def test_wrong_secret_is_invalid_client(client: httpx.AsyncClient, clients: dict[str, Any]) -> None:
    code = callback_params(await authorize(client, "google"))["code"]

    response = await exchange(client, "google", code, client_secret="nope")

    assert (response.status_code, response.json()["error"]) == (401, "invalid_client")


async def test_wrong_response_type_goes_back_to_the_client(
    client: httpx.AsyncClient, clients: dict[str, Any]
) -> None:
    params = callback_params(await authorize(client, "google", response_type="token"))

    assert params == {"error": "unsupported_response_type", "state": "st-123"}


async def test_current_user_can_be_chosen(client: httpx.AsyncClient, clients: dict[str, Any]) -> None:
    user = {"id": "fb-42", "email": "joao@example.com", "name": "João Teste"}
    assert (await client.post("/_sandbox/oauth/facebook/user", json=user)).status_code == 200

    code = callback_params(await authorize(client, "facebook"))["code"]
    token = (await exchange(client, "facebook", code)).json()["access_token"]
    me = await client.get("/oauth/facebook/me?fields=id,email,name", headers={"Authorization": f"Bearer {token}"})

    assert me.json() == {"id": "fb-42", "email": "joao@example.com", "name": "João Teste"}


async def test_unknown_provider_and_bad_tokens(client: httpx.AsyncClient, clients: dict[str, Any]) -> None:
    assert (await client.get("/oauth/twitter/authorize")).status_code == 404
    assert (await client.get("/oauth/google/userinfo", headers={"Authorization": "Bearer x"})).status_code == 401
    me = await client.get("/oauth/facebook/me", headers={"Authorization": "Bearer x"})
    assert (me.status_code, me.json()["error"]["code"]) == (401, 190)


async def test_openid_scope_yields_a_verifiable_id_token(client: httpx.AsyncClient, clients: dict[str, Any]) -> None:
    discovery = (await client.get("/oauth/google/.well-known/openid-configuration")).json()
    params = callback_params(await authorize(client, "google", scope="openid email profile", nonce="n-1"))

    body = (await exchange(client, "google", params["code"])).json()

    jwks = (await client.get(urlsplit(discovery["jwks_uri"]).path)).json()
    key = jwt.PyJWK(jwks["keys"][0]).key
    claims = jwt.decode(body["id_token"], key, algorithms=["RS256"], audience="google-client",
                        issuer=discovery["issuer"])
    assert (claims["sub"], claims["email"], claims["nonce"]) == ("sandbox-google-1", "maria@example.com", "n-1")
    assert discovery["token_endpoint"] == "http://sandbox.test/oauth/google/token"


async def test_pkce_s256(client: httpx.AsyncClient, clients: dict[str, Any]) -> None:
    verifier = "v" * 50
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    start = {"code_challenge": challenge, "code_challenge_method": "S256"}

    bad = await exchange(client, "google", callback_params(await authorize(client, "google", **start))["code"],
                         code_verifier="w" * 50)
    good = await exchange(client, "google", callback_params(await authorize(client, "google", **start))["code"],
                          code_verifier=verifier)

    assert (bad.status_code, good.status_code) == (400, 200)


async def test_clients_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    # The same client id at both providers, with different secrets, as one app may well have.
    monkeypatch.setenv("SANDBOX_OAUTH_CLIENTS", json.dumps([
        {"client_id": "env-c", "client_secret": "g-secret", "provider": "google"},
        {"client_id": "env-c", "client_secret": "f-secret", "provider": "facebook"},
    ]))
    app = create_app(SandboxSettings())
    transport = httpx.ASGITransport(app=app)
    tokens = {}
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox.test") as http:
        for provider, secret in (("google", "g-secret"), ("facebook", "f-secret")):
            redirect = await http.get(f"/oauth/{provider}/authorize", params={
                "response_type": "code", "client_id": "env-c", "redirect_uri": REDIRECT})
            form = {"grant_type": "authorization_code", "code": callback_params(redirect)["code"],
                    "redirect_uri": REDIRECT, "client_id": "env-c", "client_secret": secret}
            tokens[provider] = (await http.post(f"/oauth/{provider}/token", data=form)).status_code

    assert tokens == {"google": 200, "facebook": 200}


@pytest.mark.parametrize("auth_method", ["client_secret_basic", "client_secret_post"])
async def test_authlib_client_completes_the_flow(
    client: httpx.AsyncClient, clients: dict[str, Any], app: Any, auth_method: str
) -> None:
    authlib_httpx = pytest.importorskip("authlib.integrations.httpx_client")
    oauth = authlib_httpx.AsyncOAuth2Client(
        client_id="google-client", client_secret="google-secret", scope="openid email profile",
        redirect_uri=REDIRECT, token_endpoint_auth_method=auth_method,
        transport=httpx.ASGITransport(app=app), base_url="http://sandbox.test",
    )
    async with oauth:
        url, state = oauth.create_authorization_url("http://sandbox.test/oauth/google/authorize", nonce="n")
        redirect = await client.get(url)
        await oauth.fetch_token("http://sandbox.test/oauth/google/token",
                                authorization_response=redirect.headers["location"])
        info = (await oauth.get("http://sandbox.test/oauth/google/userinfo")).json()

    assert callback_params(redirect)["state"] == state
    assert info["email"] == "maria@example.com"
