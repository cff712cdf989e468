"""Problems that need response headers (``Retry-After``, ``WWW-Authenticate``).

The runtime's :class:`Problem` handler answers the body only; this subclass gets its own handler,
which Starlette prefers because it looks handlers up along the exception's MRO.
"""

from __future__ import annotations

import math
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from masteria.runtime.problems import Problem, problem_response


class HeaderedProblem(Problem):
    """A problem answered with extra response headers."""

    def __init__(
        self, status: int, title: str, detail: str | None = None, *, headers: dict[str, str], **extra: Any
    ) -> None:
        super().__init__(status, title, detail, **extra)
        self.headers = headers


def too_many_requests(retry_after_s: float, detail: str) -> HeaderedProblem:
    """429 with ``Retry-After`` in whole seconds (at least one)."""
    seconds = max(1, math.ceil(retry_after_s))
    return HeaderedProblem(
        429, "Too many requests", detail, headers={"Retry-After": str(seconds)}, retry_after_s=seconds
    )


def install_headered_problems(app: FastAPI) -> None:
    """Register the handler on the gateway's app."""

    async def handler(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, HeaderedProblem)
        response = problem_response(exc.status, exc.title, exc.detail, request.url.path, **exc.extra)
        response.headers.update(exc.headers)
        return response

    app.add_exception_handler(HeaderedProblem, handler)
