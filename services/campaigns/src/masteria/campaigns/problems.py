"""Domain errors of campaigns as problem+json answers: 404 not found, 409/422 refused, each with a reason."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from masteria.campaigns.errors import NotFoundError, RefusedError
from masteria.runtime.problems import Problem


def invalid(field: str, message: str, reason: str = "invalid") -> Problem:
    """422 naming the field, in the shape request validation uses."""
    return Problem(
        422, "Invalid request", f"{field}: {message}", reason=reason, errors=[{"field": field, "message": message}]
    )


@contextmanager
def domain_errors() -> Iterator[None]:
    """Turn the domain's exceptions into problems inside a route."""
    try:
        yield
    except NotFoundError as exc:
        raise Problem(404, "Not found", exc.detail, reason=exc.reason) from exc
    except RefusedError as exc:
        title = "Conflict" if exc.status == 409 else "Refused"
        raise Problem(exc.status, title, exc.detail, reason=exc.reason) from exc
