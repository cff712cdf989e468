"""Scopes, roles and coarse authorization: the rules every request passes through."""

import uuid

import pytest

from masteria.gateway.access.authorize import authorization_problem
from masteria.gateway.access.principal import Principal
from masteria.gateway.access.scopes import grants, required_scope, scope_error
from masteria.gateway.proxy.families import ALL_FAMILIES
from masteria.gateway.tenancy.roles import can_write, change_denial, grant_denial, removal_denial

TENANT = uuid.uuid4()


def key(role: str, *scopes: str) -> Principal:
    return Principal(kind="api_key", user_id=None, tenant_id=TENANT, role=role, scopes=scopes)


def person(role: str | None, tenant: uuid.UUID | None = TENANT) -> Principal:
    return Principal(kind="session", user_id=uuid.uuid4(), tenant_id=tenant, role=role)


@pytest.mark.parametrize(
    ("method", "needed"),
    [("GET", "contacts:read"), ("HEAD", "contacts:read"), ("POST", "contacts:write"), ("DELETE", "contacts:write")],
)
def test_method_decides_read_or_write(method: str, needed: str) -> None:
    assert required_scope(method, "contacts") == needed


def test_scope_grants() -> None:
    assert grants(["*"], "campaigns:write")
    assert grants(["campaigns:read"], "campaigns:read")
    assert not grants(["campaigns:read"], "campaigns:write")
    assert grants(["campaigns:write"], "campaigns:read")  # write implies read of the same family
    assert not grants(["contacts:write"], "campaigns:read")
    assert not grants([], "campaigns:read")


@pytest.mark.parametrize(
    ("scope", "ok"),
    [
        ("*", True),
        ("contacts:read", True),
        ("api-keys:write", True),
        ("contacts:admin", False),
        ("nope:read", False),
        ("contacts", False),
        ("Contacts:read", False),
    ],
)
def test_scope_validation(scope: str, ok: bool) -> None:
    assert (scope_error(scope, ALL_FAMILIES) is None) is ok


def test_role_rules() -> None:
    assert not can_write("viewer")
    assert can_write("agent")
    assert grant_denial("admin", "admin") is None
    assert grant_denial("admin", "owner") is not None  # only an owner grants owner
    assert grant_denial("owner", "owner") is None
    assert grant_denial("agent", "viewer") is not None
    assert change_denial("admin", "owner", "agent") is not None  # an admin cannot demote an owner
    assert change_denial("owner", "owner", "agent") is None
    assert removal_denial("viewer", "viewer", is_self=True) is None  # anyone may leave
    assert removal_denial("admin", "owner", is_self=False) is not None
    assert removal_denial("agent", "viewer", is_self=False) is not None


def test_authorization_names_the_missing_scope() -> None:
    problem = authorization_problem(key("admin", "contacts:read"), "POST", "contacts")
    assert problem is not None
    assert problem.status == 403
    assert problem.extra["missing_scope"] == "contacts:write"
    assert authorization_problem(key("admin", "contacts:read"), "GET", "contacts") is None


def test_viewers_only_read() -> None:
    assert authorization_problem(person("viewer"), "GET", "campaigns") is None
    problem = authorization_problem(person("viewer"), "PATCH", "campaigns")
    assert problem is not None
    assert problem.status == 403
    assert authorization_problem(key("viewer", "*"), "POST", "campaigns") is not None


def test_no_tenant_is_refused() -> None:
    problem = authorization_problem(person(None, tenant=None), "GET", "contacts")
    assert problem is not None
    assert problem.status == 403


def test_internal_identity_of_a_key_carries_its_scopes() -> None:
    identity = key("agent", "contacts:read").identity()
    assert identity.tenant_id == TENANT
    assert identity.roles == ("agent",)
    assert identity.scopes == ("contacts:read",)
    with pytest.raises(ValueError, match="tenant"):
        person(None, tenant=None).identity()
