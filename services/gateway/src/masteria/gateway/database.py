"""The gateway's declarative base: every table lives in the ``gateway`` schema."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy.orm import DeclarativeBase

from masteria.persistence.base import make_base

SCHEMA = "gateway"

if TYPE_CHECKING:
    # make_base returns a class object that mypy cannot use as a base; this stub has the same shape.
    class Base(DeclarativeBase):
        """Typed stand-in for the base built by ``make_base``."""

else:
    Base = make_base(SCHEMA)


def load_models() -> None:
    """Import every model module so that ``Base.metadata`` knows all tables (Alembic, tests)."""
    from masteria.gateway.api_keys import models as _api_keys
    from masteria.gateway.identity import models as _identity
    from masteria.gateway.oauth import models as _oauth
    from masteria.gateway.tenancy import models as _tenancy

    del _api_keys, _identity, _oauth, _tenancy
