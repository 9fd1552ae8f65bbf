"""The named calculations behind computed performance measures.

A computed measure names one of these (``Measure.calculation``) and, when the calculation
takes one, an argument (``Measure.calculation_argument``: which practice model, say). A
calculation turns a period (its first and last day) into one figure from the app's own
data, or None when the data holds nothing to compute it from. Figures are in the measure's
unit: a percentage is 0 to 100 (73.5 is 73.5%), as scorecards print them.

Each calculation reuses the report that publishes the same figure, run for the whole
authority (no viewer), so a scorecard and the report it summarises always agree.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal


class CalculationError(ValueError):
    """A calculation that cannot run as configured (an unknown practice model, say)."""


@dataclass(frozen=True)
class Calculation:
    """A named way of computing a measure's figure for a period."""

    name: str
    label: str
    description: str
    #: The unit the figure is in (one of ``workforce.models.performance.UNITS``).
    unit: str
    compute: Callable[[date, date, str | None], Decimal | None]
    #: What the argument is, for calculations that take one ("practice model"); None
    #: when it takes none.
    argument: str | None = None
    #: The argument's allowed values as (value, label), for the form; None for no list.
    choices: Callable[[], list[tuple[str, str]]] | None = None


CALCULATIONS: dict[str, Calculation] = {}


def calculation(
    name: str,
    *,
    label: str,
    description: str,
    unit: str,
    argument: str | None = None,
    choices: Callable[[], list[tuple[str, str]]] | None = None,
) -> Callable[
    [Callable[[date, date, str | None], Decimal | None]],
    Callable[[date, date, str | None], Decimal | None],
]:
    """Register the decorated function as calculation ``name``."""

    def decorator(
        compute: Callable[[date, date, str | None], Decimal | None],
    ) -> Callable[[date, date, str | None], Decimal | None]:
        if name in CALCULATIONS:
            raise ValueError(f"a calculation named {name!r} is registered already")
        CALCULATIONS[name] = Calculation(name, label, description, unit, compute, argument, choices)
        return compute

    return decorator


def compute(name: str, start: date, end: date, argument: str | None = None) -> Decimal | None:
    """The figure calculation ``name`` gives for ``start`` to ``end``."""
    found = CALCULATIONS.get(name)
    if found is None:
        raise CalculationError(f"There is no calculation called {name!r}")
    if found.argument and not argument:
        raise CalculationError(f"The calculation {found.label!r} needs a {found.argument}")
    return found.compute(start, end, argument)


def _percent(share: object) -> Decimal | None:
    """A report's proportion (0.735) as a percentage (73.5)."""
    if share is None:
        return None
    return Decimal(str(share)) * 100


def _decimal(value: object) -> Decimal | None:
    return None if value is None else Decimal(str(value))
