"""A small client of Meta's Graph API; the sandbox serves the same paths in development."""

from __future__ import annotations

from typing import Any

import httpx


class GraphError(Exception):
    """Graph answered with an error object."""

    def __init__(self, status: int, error: dict[str, Any]) -> None:
        super().__init__(error.get("message", f"Graph error {status}"))
        self.status, self.code = status, error.get("code")


class GraphClient:
    """Calls ``{graph_url}/{version}/...`` with a number's bearer token."""

    def __init__(self, http: httpx.AsyncClient, graph_url: str, version: str) -> None:
        self.http, self.base = http, f"{graph_url.rstrip('/')}/{version}"

    async def phone_number(self, phone_number_id: str, token: str) -> dict[str, Any]:
        """The number's profile; proves the token really serves this number."""
        response = await self.http.get(
            f"{self.base}/{phone_number_id}",
            params={"fields": "display_phone_number,verified_name,quality_rating"},
            headers={"Authorization": f"Bearer {token}"},
        )
        body: dict[str, Any] = response.json()
        if response.status_code >= 400:
            raise GraphError(response.status_code, body.get("error", {}))
        return body
