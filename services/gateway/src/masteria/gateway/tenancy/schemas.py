"""Request and response shapes of ``/api/v1/tenants`` and ``/api/v1/members``."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, EmailStr, Field, StringConstraints, field_validator
from pydantic_core import PydanticCustomError

from masteria.gateway.tenancy.roles import Role
from masteria.gateway.tenancy.zones import zone_error

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class TenantIn(BaseModel):
    """A tenant to create."""

    name: Name


class TenantOut(BaseModel):
    """A tenant and the caller's role in it."""

    id: uuid.UUID
    name: str
    timezone: str = Field(description="IANA time zone name, e.g. America/Sao_Paulo.")
    role: Role
    created_at: datetime


class TenantSettingsIn(BaseModel):
    """The current tenant's settings to change (owners and admins)."""

    timezone: str = Field(description="IANA time zone name, e.g. America/Sao_Paulo.", examples=["America/Sao_Paulo"])

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        value = value.strip()
        if error := zone_error(value):
            raise PydanticCustomError("timezone", error)
        return value


class MemberIn(BaseModel):
    """An existing user to add, by email."""

    email: EmailStr = Field(max_length=320)
    role: Role

    @field_validator("email", mode="after")
    @classmethod
    def _lower(cls, value: str) -> str:
        return value.lower()


class RoleIn(BaseModel):
    """A member's new role."""

    role: Role


class MemberOut(BaseModel):
    """A member of the tenant."""

    user_id: uuid.UUID
    email: str
    name: str
    role: Role
    joined_at: datetime
