"""``/api/v1/tenants`` and ``/api/v1/members``."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends, Query, Request, Response, status

from masteria.gateway.access.authorize import authorization_problem
from masteria.gateway.access.dependencies import authenticated, family_access, signed_in
from masteria.gateway.access.principal import Principal
from masteria.gateway.tenancy import repository as repo
from masteria.gateway.tenancy import service
from masteria.gateway.tenancy.schemas import MemberIn, MemberOut, RoleIn, TenantIn, TenantOut, TenantSettingsIn
from masteria.persistence.tenancy import system_session, tenant_session
from masteria.runtime.pagination import Page
from masteria.runtime.problems import Problem
from masteria.runtime.service import service_of

router = APIRouter(prefix="/api/v1", tags=["tenants"])


def _tenant(principal: Principal) -> uuid.UUID:
    assert principal.tenant_id is not None  # family_access admits only callers with a tenant
    return principal.tenant_id


def _role(principal: Principal) -> str:
    assert principal.role is not None
    return principal.role


@router.get("/tenants", response_model=list[TenantOut])
async def list_tenants(request: Request, principal: Principal = Depends(authenticated)) -> list[TenantOut]:
    """The caller's tenants (an API key sees only its own); a person without any gets an empty list."""
    sessions = service_of(request).sessions
    if principal.kind == "api_key":
        if problem := authorization_problem(principal, request.method, "tenants"):
            raise problem
        async with tenant_session(sessions, _tenant(principal)) as db:
            tenant = await repo.tenant_by_id(db, _tenant(principal))
        if tenant is None:
            raise Problem(404, "Tenant not found", "the API key's tenant no longer exists")
        return [service.tenant_out(tenant, _role(principal))]
    assert principal.user_id is not None  # a session always has its user
    async with system_session(sessions) as db:
        return await service.tenants_of(db, principal.user_id)


@router.post("/tenants", status_code=status.HTTP_201_CREATED, response_model=TenantOut)
async def create_tenant(data: TenantIn, request: Request, principal: Principal = Depends(signed_in)) -> TenantOut:
    """Open another tenant; the caller becomes its owner (switch to it with /auth/switch-tenant)."""
    assert principal.user_id is not None
    async with system_session(service_of(request).sessions) as db:
        tenant = await service.create_tenant(db, principal.user_id, data.name)
    return service.tenant_out(tenant, "owner")


@router.patch("/tenants/current", response_model=TenantOut)
async def change_tenant_settings(
    data: TenantSettingsIn, request: Request, principal: Principal = Depends(family_access("tenants"))
) -> TenantOut:
    """Change the current tenant's settings, such as its time zone (owners and admins)."""
    async with tenant_session(service_of(request).sessions, _tenant(principal)) as db:
        return await service.change_settings(db, _tenant(principal), _role(principal), data)


@router.get("/members", response_model=Page[MemberOut], tags=["members"])
async def list_members(
    request: Request,
    cursor: str | None = Query(None, description="next_cursor of the previous page"),
    limit: int = Query(50, ge=1, le=200),
    principal: Principal = Depends(family_access("members")),
) -> Page[MemberOut]:
    """Members of the current tenant, by email."""
    async with tenant_session(service_of(request).sessions, _tenant(principal)) as db:
        return await service.list_members(db, _tenant(principal), cursor, limit)


@router.post("/members", status_code=status.HTTP_201_CREATED, response_model=MemberOut, tags=["members"])
async def add_member(
    data: MemberIn, request: Request, principal: Principal = Depends(family_access("members"))
) -> MemberOut:
    """Add an existing user (owners and admins; only an owner grants owner)."""
    async with tenant_session(service_of(request).sessions, _tenant(principal)) as db:
        return await service.add_member(db, _tenant(principal), _role(principal), data.email, data.role)


@router.patch("/members/{user_id}", response_model=MemberOut, tags=["members"])
async def change_role(
    user_id: uuid.UUID, data: RoleIn, request: Request, principal: Principal = Depends(family_access("members"))
) -> MemberOut:
    """Change a member's role; the last owner cannot be demoted."""
    async with tenant_session(service_of(request).sessions, _tenant(principal)) as db:
        return await service.change_role(db, _tenant(principal), _role(principal), user_id, data.role)


@router.delete("/members/{user_id}", status_code=status.HTTP_204_NO_CONTENT, tags=["members"])
async def remove_member(
    user_id: uuid.UUID, request: Request, principal: Principal = Depends(family_access("members"))
) -> Response:
    """Remove a member (or leave); the last owner cannot be removed."""
    async with tenant_session(service_of(request).sessions, _tenant(principal)) as db:
        await service.remove_member(db, _tenant(principal), principal.user_id, _role(principal), user_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
