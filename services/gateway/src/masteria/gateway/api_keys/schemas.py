"""Request and response shapes of ``/api/v1/api-keys``."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints, field_validator
from pydantic_core import PydanticCustomError

from masteria.gateway.access.scopes import scope_error
from masteria.gateway.proxy.families import ALL_FAMILIES
from masteria.gateway.tenancy.roles import Role

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class ApiKeyIn(BaseModel):
    """A key to issue: what it may touch (scopes) and with which role."""

    name: Name
    scopes: list[str] = Field(min_length=1, max_length=64)
    role: Role

    @field_validator("scopes")
    @classmethod
    def _known(cls, value: list[str]) -> list[str]:
        for scope in value:
            if error := scope_error(scope, ALL_FAMILIES):
                raise PydanticCustomError("scope", "invalid scope: {error}", {"error": error})
        return sorted(set(value))


class ApiKeyOut(BaseModel):
    """A key as lists show it: never the secret."""

    id: uuid.UUID
    name: str
    prefix: str
    scopes: list[str]
    role: str
    created_by: uuid.UUID | None
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class ApiKeyCreated(ApiKeyOut):
    """The answer to creation, the only time the key is shown."""

    key: str
