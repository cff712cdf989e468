"""What the gateway keeps for its lifetime besides the runtime's engines."""

from __future__ import annotations

from dataclasses import dataclass
from http.cookiejar import CookieJar, DefaultCookiePolicy

import httpx
import redis.asyncio as aioredis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import Request

from masteria.gateway.identity.housekeeping import SessionPurger
from masteria.gateway.identity.throttle import AuthThrottle
from masteria.gateway.oauth.state import OAuthStateStore
from masteria.gateway.proxy.docs import OpenApiAggregator
from masteria.gateway.settings import GatewaySettings
from masteria.security.internal_token import InternalTokenIssuer


def _no_cookies() -> CookieJar:
    """A jar that keeps nothing: the pooled client is shared by every user, so a cookie one
    service answer sets must never ride along on another user's request.

    A plain CookieJar, not ``httpx.Cookies``: httpx copies the latter into a default jar, losing the policy.
    """
    return CookieJar(policy=DefaultCookiePolicy(allowed_domains=[]))


@dataclass
class GatewayState:
    """Settings, the token issuer, the pooled upstream client, throttles, caches."""

    settings: GatewaySettings
    issuer: InternalTokenIssuer
    upstream: httpx.AsyncClient
    throttle: AuthThrottle
    oauth_states: OAuthStateStore
    openapi: OpenApiAggregator
    purger: SessionPurger

    @classmethod
    def open(
        cls,
        settings: GatewaySettings,
        redis: aioredis.Redis,
        sessions: async_sessionmaker[AsyncSession],
        private_key_pem: str,
    ) -> GatewayState:
        """Build everything that needs the running engines, and start the housekeeping."""
        upstream = httpx.AsyncClient(
            timeout=httpx.Timeout(settings.upstream_timeout_s, connect=settings.upstream_connect_timeout_s),
            limits=httpx.Limits(
                max_connections=settings.upstream_max_connections,
                max_keepalive_connections=settings.upstream_max_connections // 2,
            ),
            follow_redirects=False,  # a redirect is the client's to follow, through the gateway
            cookies=_no_cookies(),
        )
        purger = SessionPurger(sessions)
        purger.start()
        return cls(
            settings=settings,
            purger=purger,
            issuer=InternalTokenIssuer(private_key_pem, ttl_seconds=settings.internal_token_ttl_s),
            upstream=upstream,
            throttle=AuthThrottle(redis, settings),
            oauth_states=OAuthStateStore(redis, ttl_s=settings.oauth_state_ttl_s),
            openapi=OpenApiAggregator(
                upstream,
                settings.service_urls,
                timeout_s=settings.openapi_fetch_timeout_s,
                cache_s=settings.openapi_cache_s,
                session_cookie=settings.session_cookie,
            ),
        )

    async def close(self) -> None:
        """Stop housekeeping, close the pooled connections."""
        await self.purger.stop()
        await self.upstream.aclose()


def state_of(request: Request) -> GatewayState:
    """The gateway state behind a request."""
    state: GatewayState = request.app.state.gateway
    return state
