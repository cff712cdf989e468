"""``/api/v1/api-keys``: issue (shown once), list, revoke."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends, Request, Response, status

from masteria.gateway.access.dependencies import family_access
from masteria.gateway.access.principal import Principal
from masteria.gateway.api_keys import service
from masteria.gateway.api_keys.schemas import ApiKeyCreated, ApiKeyIn, ApiKeyOut
from masteria.gateway.tenancy.roles import can_manage_members
from masteria.persistence.tenancy import tenant_session
from masteria.runtime.problems import Problem
from masteria.runtime.service import service_of

router = APIRouter(prefix="/api/v1/api-keys", tags=["api-keys"])
access = family_access("api-keys")


def _manager_tenant(principal: Principal) -> uuid.UUID:
    """API keys are credentials: only owners and admins see or change them."""
    if principal.tenant_id is None or not can_manage_members(principal.role or ""):
        raise Problem(403, "Forbidden", "only owners and admins manage API keys")
    return principal.tenant_id


@router.post("", status_code=status.HTTP_201_CREATED, response_model=ApiKeyCreated)
async def create_key(data: ApiKeyIn, request: Request, principal: Principal = Depends(access)) -> ApiKeyCreated:
    """Issue a key; the answer is the only time its secret is shown."""
    tenant_id = _manager_tenant(principal)
    async with tenant_session(service_of(request).sessions, tenant_id) as db:
        return await service.issue(db, tenant_id, principal, data)


@router.get("", response_model=list[ApiKeyOut])
async def list_keys(request: Request, principal: Principal = Depends(access)) -> list[ApiKeyOut]:
    """The tenant's keys, revoked ones included, without secrets."""
    tenant_id = _manager_tenant(principal)
    async with tenant_session(service_of(request).sessions, tenant_id) as db:
        return await service.list_keys(db, tenant_id)


@router.delete("/{key_id}", status_code=status.HTTP_204_NO_CONTENT)
async def revoke_key(key_id: uuid.UUID, request: Request, principal: Principal = Depends(access)) -> Response:
    """Revoke a key; it stops working at once."""
    tenant_id = _manager_tenant(principal)
    async with tenant_session(service_of(request).sessions, tenant_id) as db:
        await service.revoke(db, tenant_id, key_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
