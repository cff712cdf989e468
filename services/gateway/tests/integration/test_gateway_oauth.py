"""Sign-in with Google and Facebook against the sandbox playing the providers."""

import uuid
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from masteria.gateway.testing import ClientFactory, sign_up, unique_email

pytestmark = pytest.mark.integration


@pytest.fixture
def provider_url(sandbox: str | None) -> str:
    if sandbox is None:
        pytest.skip("masteria.sandbox is not installed: no OAuth provider stand-in to sign in against")
    return sandbox


async def _as_provider_user(sandbox: str, provider: str, email: str, *, verified: bool = True) -> str:
    subject = f"{provider}-{uuid.uuid4().hex[:8]}"
    user = {"id": subject, "email": email, "name": "Maria Sandbox", "email_verified": verified}
    async with httpx.AsyncClient() as control:
        (await control.post(f"{sandbox}/_sandbox/oauth/{provider}/user", json=user)).raise_for_status()
    return subject


async def _sign_in(client: httpx.AsyncClient, provider: str, next_path: str = "/inbox") -> httpx.Response:
    """Gateway login -> provider consent (a real HTTP hop to the sandbox) -> gateway callback."""
    login = await client.get(f"/auth/oauth/{provider}/login", params={"next": next_path})
    assert login.status_code == 302, login.text
    async with httpx.AsyncClient() as browser:
        consent = await browser.get(login.headers["location"])
    assert consent.status_code == 302, consent.text
    back = urlsplit(consent.headers["location"])
    assert back.path == f"/auth/oauth/{provider}/callback"
    return await client.get(back.path, params=parse_qs(back.query))


@pytest.mark.parametrize("provider", ["google", "facebook"])
async def test_new_user_gets_a_personal_tenant(new_client: ClientFactory, provider_url: str, provider: str) -> None:
    email = unique_email(provider)
    await _as_provider_user(provider_url, provider, email)
    client = await new_client()
    callback = await _sign_in(client, provider, "/inbox?tab=mine")
    assert callback.status_code == 302
    assert callback.headers["location"] == "/inbox?tab=mine"
    me = (await client.get("/auth/me")).json()
    assert me["user"]["email"] == email
    assert me["user"]["email_verified"] is True
    assert me["role"] == "owner"
    assert me["tenant"]["name"] == "Empresa de Maria Sandbox"

    again = await new_client()
    assert (await _sign_in(again, provider)).status_code == 302
    second = (await again.get("/auth/me")).json()
    assert second["user"]["id"] == me["user"]["id"]
    assert len(second["memberships"]) == 1  # no second personal tenant


async def test_verified_email_links_to_the_existing_account(new_client: ClientFactory, provider_url: str) -> None:
    existing = await sign_up(await new_client(), "linked")
    await _as_provider_user(provider_url, "google", existing["user"]["email"])
    client = await new_client()
    assert (await _sign_in(client, "google")).status_code == 302
    assert (await client.get("/auth/me")).json()["user"]["id"] == existing["user"]["id"]


async def test_unverified_email_does_not_take_over_an_account(new_client: ClientFactory, provider_url: str) -> None:
    existing = await sign_up(await new_client(), "victim")
    await _as_provider_user(provider_url, "google", existing["user"]["email"], verified=False)
    refused = await _sign_in(await new_client(), "google")
    assert refused.status_code == 409


async def test_next_cannot_leave_the_site(new_client: ClientFactory, provider_url: str) -> None:
    await _as_provider_user(provider_url, "google", unique_email())
    callback = await _sign_in(await new_client(), "google", "https://evil.example/steal")
    assert callback.headers["location"] == "/"


async def test_state_is_checked(new_client: ClientFactory, provider_url: str) -> None:
    await _as_provider_user(provider_url, "google", unique_email())
    client = await new_client()
    login = await client.get("/auth/oauth/google/login")
    async with httpx.AsyncClient() as browser:
        back = urlsplit((await browser.get(login.headers["location"])).headers["location"])
    params = parse_qs(back.query)

    stranger = await new_client()  # the victim's browser never started this login
    planted = await stranger.get(back.path, params=params)
    assert planted.status_code == 400
    assert planted.headers["content-type"] == "application/problem+json"
    assert (await client.get(back.path, params={**params, "state": "wrong"})).status_code == 400
    assert (await client.get(back.path, params={"code": params["code"]})).status_code == 400
    assert (await client.get(back.path, params=params)).status_code == 302
    assert (await client.get(back.path, params=params)).status_code == 400  # a state is used once


async def test_unconfigured_provider_is_not_found(new_client: ClientFactory) -> None:
    assert (await (await new_client()).get("/auth/oauth/github/login")).status_code == 404
