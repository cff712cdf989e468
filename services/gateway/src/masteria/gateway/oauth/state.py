"""OAuth ``state`` kept server-side in Redis, single use, bound to the browser by a cookie."""

from __future__ import annotations

import json
from dataclasses import dataclass

import redis.asyncio as aioredis

from masteria.gateway.identity.tokens import digest, new_token


@dataclass(frozen=True)
class PendingLogin:
    """What the login step remembered for the callback."""

    provider: str
    next_path: str


class OAuthStateStore:
    """Random states with a short life; taking one deletes it, so a callback cannot be replayed."""

    def __init__(self, redis: aioredis.Redis, *, ttl_s: int) -> None:
        self.redis, self.ttl_s = redis, ttl_s

    @staticmethod
    def _key(state: str) -> str:
        return f"gateway:oauth:state:{digest(state)}"

    async def create(self, provider: str, next_path: str) -> str:
        """Remember a login attempt and return its state."""
        state = new_token()
        value = json.dumps({"provider": provider, "next": next_path})
        await self.redis.set(self._key(state), value, ex=self.ttl_s)
        return state

    async def take(self, state: str) -> PendingLogin | None:
        """The pending login for ``state``, consumed; None when unknown, used or expired."""
        raw = await self.redis.getdel(self._key(state))
        if raw is None:
            return None
        data = json.loads(raw)
        return PendingLogin(provider=str(data["provider"]), next_path=str(data["next"]))
