"""Small SQL and value helpers the report builders share, working alike on SQLite and
PostgreSQL."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Date, Integer, case, func
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


def count_when(condition: Any) -> Any:
    """SQL: how many rows meet ``condition`` (0, never NULL, when none do)."""
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def as_date(value: Any) -> Any:
    """A date from a query result (SQLite without type information returns text)."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def plain_rows(result: Any) -> list[tuple[Any, ...]]:
    """Every row of ``result`` as the database driver returns it, a plain tuple, without
    SQLAlchemy's row objects or its conversion of values (SQLite's dates stay text: read
    them with ``as_date``). For results of hundreds of thousands of rows, where making the
    row objects takes longer than the query."""
    try:
        return list(result.cursor.fetchall())
    finally:
        result.close()


def as_decimal(value: Any) -> Decimal:
    """A Decimal from a query result (0 for NULL)."""
    if value is None:
        return Decimal(0)
    return value if isinstance(value, Decimal) else Decimal(str(value))


class days_between(FunctionElement[int]):  # noqa: N801  (reads as a SQL function)
    """Whole days from the second date to the first."""

    type = Integer()
    inherit_cache = True


@compiles(days_between)
def _days_between_default(element: days_between, compiler: Any, **kw: Any) -> str:
    later, earlier = list(element.clauses)
    return f"({compiler.process(later, **kw)} - {compiler.process(earlier, **kw)})"


@compiles(days_between, "sqlite")
def _days_between_sqlite(element: days_between, compiler: Any, **kw: Any) -> str:
    later, earlier = list(element.clauses)
    return (
        f"CAST(julianday({compiler.process(later, **kw)}) - "
        f"julianday({compiler.process(earlier, **kw)}) AS INTEGER)"
    )


class shift_days(FunctionElement[Any]):  # noqa: N801  (reads as a SQL function)
    """A date moved by a whole number of days."""

    type = Date()
    inherit_cache = True


@compiles(shift_days)
def _shift_days_default(element: shift_days, compiler: Any, **kw: Any) -> str:
    day, days = list(element.clauses)
    return f"({compiler.process(day, **kw)} + {compiler.process(days, **kw)})"


@compiles(shift_days, "sqlite")
def _shift_days_sqlite(element: shift_days, compiler: Any, **kw: Any) -> str:
    day, days = list(element.clauses)
    return (
        f"date({compiler.process(day, **kw)}, printf('%+d days', {compiler.process(days, **kw)}))"
    )
