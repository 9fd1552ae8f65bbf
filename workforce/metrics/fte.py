"""Full-time equivalence, as the DfE census defines it."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

SIX_PLACES = Decimal("0.000001")


def fte(contracted_hours: Decimal | float, standard_hours: Decimal | float) -> Decimal:
    """Return contracted hours / standard hours for the grade, capped at 1, to six places.

    The census records FTE between 0 and 1 with six decimal places; someone contracted
    for more than the standard week still counts as one FTE.
    """
    contracted = Decimal(str(contracted_hours))
    standard = Decimal(str(standard_hours))
    if standard <= 0:
        raise ValueError("standard hours must be more than zero")
    if contracted < 0:
        raise ValueError("contracted hours cannot be negative")
    return min(contracted / standard, Decimal(1)).quantize(SIX_PLACES, rounding=ROUND_HALF_UP)
