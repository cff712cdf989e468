"""Throttling of sign-in attempts: GCRA per client IP, and per (IP, email) against password guessing."""

from __future__ import annotations

import hashlib

import redis.asyncio as aioredis

from masteria.gateway.errors import too_many_requests
from masteria.gateway.settings import GatewaySettings
from masteria.ratelimit.gcra import Decision, RateLimiter


def _key(*parts: str) -> str:
    # Emails are hashed so that Redis keys hold no personal data.
    return "gateway:rl:" + ":".join(parts)


class AuthThrottle:
    """Rate limits for ``/auth/login``, ``/auth/signup`` and the OAuth callback."""

    def __init__(self, redis: aioredis.Redis, settings: GatewaySettings) -> None:
        self.by_ip = RateLimiter(redis, rate=settings.auth_rate_ip_per_min, period_s=60, burst=settings.auth_burst_ip)
        self.by_email = RateLimiter(
            redis, rate=settings.auth_rate_email_per_min, period_s=60, burst=settings.auth_burst_email
        )

    async def check(self, action: str, ip: str, email: str | None = None) -> None:
        """Raise a 429 problem with ``Retry-After`` when ``ip`` (or ``ip`` with ``email``) went too fast."""
        decisions: list[Decision] = [await self.by_ip.hit(_key(action, "ip", ip))]
        if email:
            hashed = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]
            decisions.append(await self.by_email.hit(_key(action, "email", ip, hashed)))
        denied = [d for d in decisions if not d.allowed]
        if denied:
            wait = max(d.retry_after_s for d in denied)
            raise too_many_requests(wait, f"too many {action} attempts; retry later")
