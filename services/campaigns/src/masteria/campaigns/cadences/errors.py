"""Domain errors of cadences and their problem+json answers (404 not found, 409 refused, 422 invalid field)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from masteria.runtime.problems import Problem


class CadenceNotFoundError(LookupError):
    """No such cadence (or enrolment) in the caller's tenant; another tenant's id is simply not found."""


class CadenceRefusedError(Exception):
    """Understood but not allowed in the cadence's current state; ``reason`` is machine-readable."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason, self.detail = reason, detail


class CadenceFieldError(ValueError):
    """A field the request validation could not judge alone (it needs settings or the database)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field, self.message = field, message


@contextmanager
def domain_errors(not_found: str = "no such cadence") -> Iterator[None]:
    """Turn the domain's exceptions into problems inside a route."""
    try:
        yield
    except CadenceFieldError as exc:
        raise Problem(422, "Invalid request", f"{exc.field}: {exc.message}",
                      errors=[{"field": exc.field, "message": exc.message}]) from exc
    except CadenceRefusedError as exc:
        raise Problem(409, "Not allowed now", exc.detail, reason=exc.reason) from exc
    except CadenceNotFoundError as exc:
        raise Problem(404, "Not found", str(exc) or not_found) from exc
