"""Training evaluation: ratings that count as good or better, summaries of a set of
evaluations, and when the follow-up question on impact falls due."""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

#: Ratings run from 1 (poor) to 5 (excellent).
RATING_MIN = 1
RATING_MAX = 5
#: Ratings of 4 and 5 are "good or better" (North East Lincolnshire's measure, seed 000).
GOOD_OR_BETTER = 4

RATING_LABELS: dict[int, str] = {
    1: "1 – Poor",
    2: "2 – Fair",
    3: "3 – Satisfactory",
    4: "4 – Good",
    5: "5 – Excellent",
}

_ONE_PLACE = Decimal("0.1")


def is_valid_rating(value: object) -> bool:
    """Whether ``value`` is a whole number from 1 to 5 (booleans are not ratings)."""
    return (
        isinstance(value, int) and not isinstance(value, bool) and RATING_MIN <= value <= RATING_MAX
    )


def is_good_or_better(rating: int) -> bool:
    """Whether an overall rating counts as good or better (4 or 5)."""
    return rating >= GOOD_OR_BETTER


def add_months(day: date, months: int) -> date:
    """``day`` moved on by ``months`` calendar months, kept within the target month.

    31 January plus one month is the last day of February.
    """
    if months < 0:
        raise ValueError("months cannot be negative")
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def follow_up_due_on(session_ended_on: date, months: int) -> date:
    """When the supervisor is asked whether practice changed: ``months`` after the session
    ended."""
    if months < 1:
        raise ValueError("a follow-up comes at least one month after the session")
    return add_months(session_ended_on, months)


@dataclass(frozen=True)
class Ratings:
    """One evaluation's ratings."""

    overall: int
    relevance: int
    confidence_before: int
    confidence_after: int


@dataclass(frozen=True)
class EvaluationSummary:
    """What a set of evaluations says, for a course or a session."""

    count: int
    good_or_better: int
    mean_overall: Decimal | None
    mean_relevance: Decimal | None
    mean_confidence_change: Decimal | None

    @property
    def good_or_better_percent(self) -> Decimal | None:
        """Share of overall ratings of 4 or 5, as a percentage to one place; None when empty."""
        if not self.count:
            return None
        return (Decimal(100 * self.good_or_better) / self.count).quantize(
            _ONE_PLACE, rounding=ROUND_HALF_UP
        )


def _mean(values: list[int]) -> Decimal | None:
    if not values:
        return None
    return (Decimal(sum(values)) / len(values)).quantize(_ONE_PLACE, rounding=ROUND_HALF_UP)


def summarise(evaluations: Iterable[Ratings]) -> EvaluationSummary:
    """Count, good-or-better count, and means (to one place) of ratings and of the change in
    confidence (after minus before)."""
    items = list(evaluations)
    return EvaluationSummary(
        count=len(items),
        good_or_better=sum(1 for e in items if is_good_or_better(e.overall)),
        mean_overall=_mean([e.overall for e in items]),
        mean_relevance=_mean([e.relevance for e in items]),
        mean_confidence_change=_mean([e.confidence_after - e.confidence_before for e in items]),
    )
