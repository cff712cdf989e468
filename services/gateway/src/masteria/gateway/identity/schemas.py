"""Request and response shapes of ``/auth/*``."""

from __future__ import annotations

import uuid
from typing import Annotated

from pydantic import BaseModel, EmailStr, Field, StringConstraints, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from masteria.gateway.identity.passwords import MAX_LENGTH, policy_error

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class SignupIn(BaseModel):
    """A new person and the company account they open."""

    email: EmailStr = Field(max_length=320)
    password: str
    name: Name
    tenant_name: Name

    @field_validator("email", mode="after")
    @classmethod
    def _lower(cls, value: str) -> str:
        return value.lower()

    @field_validator("password")
    @classmethod
    def _policy(cls, value: str, info: ValidationInfo) -> str:
        error = policy_error(value, email=info.data.get("email"))
        if error:
            raise PydanticCustomError("password_policy", "password " + error)
        return value


class LoginIn(BaseModel):
    """Email and password; the format is not checked here so that every failure looks the same."""

    email: str = Field(min_length=1, max_length=320)
    password: str = Field(min_length=1, max_length=MAX_LENGTH)


class SwitchTenantIn(BaseModel):
    """The tenant the session should act for."""

    tenant_id: uuid.UUID


class UserOut(BaseModel):
    """The signed-in person."""

    id: uuid.UUID
    email: str
    name: str
    email_verified: bool


class TenantRef(BaseModel):
    """A tenant, as lists show it, with the settings the dashboard needs."""

    id: uuid.UUID
    name: str
    timezone: str = Field(description="IANA time zone name, e.g. America/Sao_Paulo.")


class MembershipOut(BaseModel):
    """One tenant the user belongs to and their role there."""

    tenant: TenantRef
    role: str


class MeOut(BaseModel):
    """Who is signed in, for which tenant, and what else they could switch to."""

    user: UserOut
    tenant: TenantRef | None
    role: str | None
    memberships: list[MembershipOut]
    csrf_token: str
