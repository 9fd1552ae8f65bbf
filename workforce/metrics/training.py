"""Training measures: mandatory-training compliance, attendance, evaluations and cost.

Definitions (the training reports publish these figures):

- **Compliance** with a mandatory course on a date: *missing* with no attended completion;
  otherwise the completion expires ``refresher_months`` calendar months after the date it
  was completed (never, when the course has no refresher interval). It is *expired* after
  the expiry date, *expiring* from ``window_days`` days before the expiry date up to and
  including the expiry date itself, and *valid* before that.
- **Attendance rate**: people who attended in full or in part, over the places whose
  register is marked (attended, partly attended or did not attend). **Did-not-attend
  rate**: did not attend over the same places. The two add up to 100%. Places whose
  register is not marked are left out of both.
- **Good or better**: overall ratings of 4 or 5 on the 1 to 5 scale, over evaluations
  returned.
- **Cost**: cost per place times places filled; **cost per attendee**: that cost over the
  people who attended in full or in part.

Rates are returned as proportions between 0 and 1 (0.75 is 75%), rounded to four places;
means of ratings and money to two places. ``None`` means "no denominator", never zero.
"""

from __future__ import annotations

from calendar import monthrange
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from workforce.metrics.evaluation import GOOD_OR_BETTER

__all__ = [
    "GOOD_OR_BETTER",
    "Compliance",
    "ComplianceStatus",
    "attendance_rate",
    "compliance",
    "cost_per_attendee",
    "did_not_attend_rate",
    "expiry_date",
    "good_or_better_rate",
    "is_good_or_better",
    "mean",
    "rate",
    "training_cost",
]

RATE_PLACES = Decimal("0.0001")
TWO_PLACES = Decimal("0.01")


class ComplianceStatus(StrEnum):
    """Where a person stands with one mandatory course."""

    VALID = "valid"
    EXPIRING = "expiring"
    EXPIRED = "expired"
    MISSING = "missing"

    @property
    def label(self) -> str:
        """The status in words."""
        return STATUS_LABELS[self]

    @property
    def up_to_date(self) -> bool:
        """Whether the person holds a completion in force (valid or expiring)."""
        return self in (ComplianceStatus.VALID, ComplianceStatus.EXPIRING)


STATUS_LABELS: dict[ComplianceStatus, str] = {
    ComplianceStatus.VALID: "Valid",
    ComplianceStatus.EXPIRING: "Expiring",
    ComplianceStatus.EXPIRED: "Expired",
    ComplianceStatus.MISSING: "Missing",
}


@dataclass(frozen=True)
class Compliance:
    """One person's standing with one mandatory course on a date."""

    status: ComplianceStatus
    completed_on: date | None
    #: The last day the completion counts; None when it never expires or is missing.
    expires_on: date | None

    def describe(self) -> str:
        """The cell text for a matrix, readable without colour: "Expiring 2026-03-14"."""
        if self.status is ComplianceStatus.MISSING:
            return "Missing"
        if self.expires_on is None:
            return "Valid (does not expire)"
        if self.status is ComplianceStatus.VALID:
            return f"Valid until {self.expires_on.isoformat()}"
        return f"{self.status.label} {self.expires_on.isoformat()}"


def expiry_date(completed_on: date, refresher_months: int | None) -> date | None:
    """The last day a completion counts: ``refresher_months`` calendar months after it.

    Months are added as on a calendar, so 31 January plus one month is the last day of
    February. ``None`` (no refresher interval) never expires.
    """
    if refresher_months is None:
        return None
    if refresher_months <= 0:
        raise ValueError("a refresher interval is a positive number of months")
    # The same as adding dateutil's relativedelta(months=n), a few times faster: a matrix
    # of many thousand people computes this for every completion.
    years, month_index = divmod(completed_on.month - 1 + refresher_months, 12)
    year, month = completed_on.year + years, month_index + 1
    return date(year, month, min(completed_on.day, monthrange(year, month)[1]))


def compliance(
    completed_on: date | None,
    refresher_months: int | None,
    on: date,
    window_days: int,
) -> Compliance:
    """Whether a person's latest completion of a course is valid, expiring, expired or missing
    on ``on``, warning ``window_days`` days ahead of expiry (inclusive)."""
    if window_days < 0:
        raise ValueError("the warning window cannot be negative")
    if completed_on is None:
        return Compliance(ComplianceStatus.MISSING, None, None)
    expires_on = expiry_date(completed_on, refresher_months)
    if expires_on is None:
        return Compliance(ComplianceStatus.VALID, completed_on, None)
    days_left = (expires_on - on).days
    if days_left < 0:
        status = ComplianceStatus.EXPIRED
    elif days_left <= window_days:
        status = ComplianceStatus.EXPIRING
    else:
        status = ComplianceStatus.VALID
    return Compliance(status, completed_on, expires_on)


def rate(numerator: int | Decimal, denominator: int | Decimal) -> Decimal | None:
    """``numerator / denominator`` to four places; None when the denominator is zero."""
    if numerator < 0 or denominator < 0:
        raise ValueError("counts cannot be negative")
    if not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(RATE_PLACES, ROUND_HALF_UP)


def attendance_rate(attended: int, partly_attended: int, did_not_attend: int) -> Decimal | None:
    """Attended in full or in part, over places with a marked register."""
    return rate(attended + partly_attended, attended + partly_attended + did_not_attend)


def did_not_attend_rate(attended: int, partly_attended: int, did_not_attend: int) -> Decimal | None:
    """Did not attend, over places with a marked register."""
    return rate(did_not_attend, attended + partly_attended + did_not_attend)


def is_good_or_better(rating: int) -> bool:
    """Whether an overall rating (1 to 5) is good or better: 4 or 5."""
    if not 1 <= rating <= 5:
        raise ValueError("ratings run from 1 to 5")
    return rating >= GOOD_OR_BETTER


def good_or_better_rate(good_or_better: int, evaluations: int) -> Decimal | None:
    """Share of evaluations rating the training good or better."""
    if good_or_better > evaluations:
        raise ValueError("more good ratings than evaluations")
    return rate(good_or_better, evaluations)


def mean(total: int | Decimal, count: int) -> Decimal | None:
    """``total / count`` to two places; None when there is nothing to average."""
    if not count:
        return None
    return (Decimal(total) / count).quantize(TWO_PLACES, ROUND_HALF_UP)


def training_cost(cost_per_place: Decimal, places_filled: int) -> Decimal:
    """The cost of the places filled: cost per place times places."""
    if cost_per_place < 0 or places_filled < 0:
        raise ValueError("cost and places cannot be negative")
    return (Decimal(cost_per_place) * places_filled).quantize(TWO_PLACES, ROUND_HALF_UP)


def cost_per_attendee(total_cost: Decimal, attendees: int) -> Decimal | None:
    """Total cost over the people who attended (in full or in part), to the penny."""
    if total_cost < 0 or attendees < 0:
        raise ValueError("cost and attendees cannot be negative")
    if not attendees:
        return None
    return (Decimal(total_cost) / attendees).quantize(TWO_PLACES, ROUND_HALF_UP)
