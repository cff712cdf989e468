"""Every error is problem+json with a reason; cursors round-trip; production refuses missing keys."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI
from pydantic import BaseModel

from masteria.runtime.pagination import decode_cursor, encode_cursor
from masteria.runtime.problems import Problem, install_problem_handlers
from masteria.runtime.settings import ServiceSettings


class Body(BaseModel):
    email: str
    age: int


def app() -> FastAPI:
    application = FastAPI()
    install_problem_handlers(application)

    @application.post("/things")
    async def create(body: Body) -> Body:
        return body

    @application.get("/conflict")
    async def conflict() -> None:
        raise Problem(409, "Already registered", "this phone_number_id is already connected")

    @application.get("/boom")
    async def boom() -> None:
        raise RuntimeError("secret internals")

    return application


async def call(method: str, path: str, **kwargs: object) -> httpx.Response:
    transport = httpx.ASGITransport(app=app(), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        return await client.request(method, path, **kwargs)  # type: ignore[arg-type]


async def test_validation_errors_name_each_field() -> None:
    response = await call("POST", "/things", json={"email": "a@b.c", "age": "old"})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["errors"] == [{"field": "age", "message": body["errors"][0]["message"]}]
    assert "age" in body["detail"]


async def test_domain_problems_keep_status_title_and_reason() -> None:
    response = await call("GET", "/conflict")
    assert response.status_code == 409
    assert response.json() == {
        "type": "about:blank", "title": "Already registered", "status": 409, "instance": "/conflict",
        "detail": "this phone_number_id is already connected",
    }


async def test_unknown_routes_and_crashes_are_problems_that_leak_nothing() -> None:
    missing = await call("GET", "/nope")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    crash = await call("GET", "/boom")
    assert crash.status_code == 500
    assert "secret internals" not in crash.text


def test_cursors_round_trip_and_garbage_is_a_400() -> None:
    assert decode_cursor(encode_cursor(["2026-11-27T12:00:00+00:00", "id-1"])) == ["2026-11-27T12:00:00+00:00", "id-1"]
    for garbage in ("%%%", "bm90IGpzb24", encode_cursor({"a": 1})):  # type: ignore[arg-type]
        with pytest.raises(Problem) as caught:
            decode_cursor(garbage)
        assert caught.value.status == 400


def test_production_refuses_missing_keys_and_the_dev_database_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MASTERIA_ENV", "production")
    with pytest.raises(ValueError, match="MASTERIA_SECRET_KEYS"):
        ServiceSettings()
    monkeypatch.setenv("MASTERIA_SECRET_KEYS", "k1:AAAA")
    monkeypatch.setenv("MASTERIA_INTERNAL_TOKEN_PUBLIC_KEY", "pem")
    with pytest.raises(ValueError, match="development database password"):
        ServiceSettings()
    monkeypatch.setenv("DATABASE_URL", "postgresql+asyncpg://svc:s3cret@db/masteria")
    assert ServiceSettings().environment == "production"
