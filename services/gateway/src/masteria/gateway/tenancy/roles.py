"""Role rules, pure: who may grant, change or remove which role."""

from __future__ import annotations

from typing import Literal, get_args

Role = Literal["owner", "admin", "agent", "viewer"]
ROLES: tuple[Role, ...] = get_args(Role)
_RANK: dict[str, int] = {"viewer": 1, "agent": 2, "admin": 3, "owner": 4}
MANAGERS: tuple[Role, ...] = ("owner", "admin")


def rank(role: str) -> int:
    """Higher is more powerful; unknown roles rank below every real one."""
    return _RANK.get(role, 0)


def can_write(role: str) -> bool:
    """Viewers only read."""
    return rank(role) >= rank("agent")


def can_manage_members(role: str) -> bool:
    """Owners and admins manage memberships and API keys."""
    return role in MANAGERS


def settings_denial(actor: str) -> str | None:
    """Why ``actor`` may not change the tenant's settings, or None."""
    return None if actor in MANAGERS else "only owners and admins change the tenant's settings"


def grant_denial(actor: str, granted: str) -> str | None:
    """Why ``actor`` may not hand out ``granted`` (a membership or an API key role), or None."""
    if not can_manage_members(actor):
        return "only owners and admins manage members and API keys"
    if granted == "owner" and actor != "owner":
        return "only an owner can grant the owner role"
    return None


def change_denial(actor: str, current: str, new: str) -> str | None:
    """Why ``actor`` may not move a member from ``current`` to ``new``, or None."""
    if current == "owner" and actor != "owner":
        return "only an owner can change another owner's role"
    return grant_denial(actor, new)


def removal_denial(actor: str, target: str, *, is_self: bool) -> str | None:
    """Why ``actor`` may not remove a member holding ``target``, or None; anyone may leave."""
    if is_self:
        return None
    if not can_manage_members(actor):
        return "only owners and admins remove members"
    if target == "owner" and actor != "owner":
        return "only an owner can remove another owner"
    return None
