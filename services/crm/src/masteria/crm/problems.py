"""Domain errors of crm as problem+json answers: 404 not found, 409 duplicate, 422 naming the field or reason."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from masteria.crm.contacts.fields import FieldError
from masteria.crm.errors import DuplicatePhoneError, NotFoundError, RefusedError
from masteria.runtime.problems import Problem


def invalid(field: str, message: str) -> Problem:
    """422 naming the field, in the shape request validation uses."""
    return Problem(422, "Invalid request", f"{field}: {message}", errors=[{"field": field, "message": message}])


@contextmanager
def domain_errors(not_found: str = "no such resource") -> Iterator[None]:
    """Turn the domain's exceptions into problems inside a route."""
    try:
        yield
    except FieldError as exc:
        raise invalid(exc.field, exc.message) from exc
    except DuplicatePhoneError as exc:
        raise Problem(
            409, "Duplicate phone", f"a contact with {exc.phone} already exists", contact_id=str(exc.existing_id)
        ) from exc
    except RefusedError as exc:
        raise Problem(422, "Message refused", exc.detail, reason=exc.reason) from exc
    except NotFoundError as exc:
        raise Problem(404, "Not found", not_found) from exc
