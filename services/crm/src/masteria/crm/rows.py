"""Typed access to query results: crm reads rows by column name, whatever their arity."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Result, Row


def all_rows(result: Result[Any]) -> list[Row[Any]]:
    """Every row of a result."""
    return cast(list[Row[Any]], list(result.all()))


def first_row(result: Result[Any]) -> Row[Any] | None:
    """The first row of a result, if any."""
    row: Row[Any] | None = result.first()
    return row
