"""Training measures on hand-made numbers: compliance, attendance, evaluations, cost."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from workforce.metrics.training import (
    Compliance,
    ComplianceStatus,
    attendance_rate,
    compliance,
    cost_per_attendee,
    did_not_attend_rate,
    expiry_date,
    good_or_better_rate,
    is_good_or_better,
    mean,
    rate,
    training_cost,
)

VALID = ComplianceStatus.VALID
EXPIRING = ComplianceStatus.EXPIRING
EXPIRED = ComplianceStatus.EXPIRED
MISSING = ComplianceStatus.MISSING


# --- expiry ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("completed", "months", "expires"),
    [
        (date(2024, 3, 15), 12, date(2025, 3, 15)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),  # leap year: end of February
        (date(2023, 1, 31), 1, date(2023, 2, 28)),
        (date(2024, 8, 31), 1, date(2024, 9, 30)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2024, 2, 29), 48, date(2028, 2, 29)),
        (date(2024, 11, 30), 3, date(2025, 2, 28)),  # across a year end and a month end
        (date(2024, 12, 31), 36, date(2027, 12, 31)),
    ],
)
def test_refresher_months_are_calendar_months_kept_within_the_month(completed, months, expires):
    assert expiry_date(completed, months) == expires


def test_no_refresher_interval_never_expires():
    assert expiry_date(date(2010, 5, 1), None) is None


@pytest.mark.parametrize("months", [0, -6])
def test_a_refresher_interval_must_be_positive(months):
    with pytest.raises(ValueError, match="positive"):
        expiry_date(date(2024, 1, 1), months)


# --- compliance status -----------------------------------------------------------------

COMPLETED = date(2024, 6, 10)  # 12-month refresher: expires 2025-06-10


@pytest.mark.parametrize(
    ("on", "status"),
    [
        (date(2024, 6, 10), VALID),  # the day of completion
        (date(2025, 4, 10), VALID),  # 61 days before expiry
        (date(2025, 4, 11), EXPIRING),  # exactly 60 days ahead: expiring
        (date(2025, 6, 9), EXPIRING),
        (date(2025, 6, 10), EXPIRING),  # the expiry date itself still counts
        (date(2025, 6, 11), EXPIRED),  # the day after
        (date(2030, 1, 1), EXPIRED),
    ],
)
def test_status_around_the_window_and_the_expiry_date(on, status):
    result = compliance(COMPLETED, 12, on, window_days=60)
    assert result.status is status
    assert result.completed_on == COMPLETED
    assert result.expires_on == date(2025, 6, 10)


def test_window_of_zero_days_only_warns_on_the_expiry_date():
    assert compliance(COMPLETED, 12, date(2025, 6, 9), 0).status is VALID
    assert compliance(COMPLETED, 12, date(2025, 6, 10), 0).status is EXPIRING
    assert compliance(COMPLETED, 12, date(2025, 6, 11), 0).status is EXPIRED


def test_window_length_is_configurable():
    on = date(2025, 5, 1)  # 40 days before expiry
    assert compliance(COMPLETED, 12, on, 30).status is VALID
    assert compliance(COMPLETED, 12, on, 40).status is EXPIRING
    assert compliance(COMPLETED, 12, on, 90).status is EXPIRING


def test_month_end_expiry_in_the_window():
    # Completed 31 January 2024 with a one-month refresher: last valid day 29 February.
    assert compliance(date(2024, 1, 31), 1, date(2024, 2, 29), 0).status is EXPIRING
    assert compliance(date(2024, 1, 31), 1, date(2024, 3, 1), 0).status is EXPIRED
    assert compliance(date(2024, 1, 31), 1, date(2024, 2, 28), 0).status is VALID


def test_missing_when_never_completed():
    result = compliance(None, 12, date(2025, 1, 1), 60)
    assert result == Compliance(MISSING, None, None)
    assert result.describe() == "Missing"


def test_a_course_without_refresher_stays_valid_forever():
    result = compliance(date(2001, 1, 1), None, date(2030, 1, 1), 60)
    assert result.status is VALID
    assert result.expires_on is None
    assert result.describe() == "Valid (does not expire)"


def test_descriptions_are_readable_without_colour():
    assert compliance(COMPLETED, 12, date(2024, 7, 1), 60).describe() == "Valid until 2025-06-10"
    assert compliance(COMPLETED, 12, date(2025, 6, 1), 60).describe() == "Expiring 2025-06-10"
    assert compliance(COMPLETED, 12, date(2025, 7, 1), 60).describe() == "Expired 2025-06-10"


def test_up_to_date_means_valid_or_expiring():
    assert [s.up_to_date for s in (VALID, EXPIRING, EXPIRED, MISSING)] == [True, True, False, False]
    assert [s.label for s in (VALID, EXPIRING, EXPIRED, MISSING)] == [
        "Valid",
        "Expiring",
        "Expired",
        "Missing",
    ]


def test_a_negative_window_is_refused():
    with pytest.raises(ValueError, match="negative"):
        compliance(COMPLETED, 12, date(2025, 1, 1), -1)


# --- rates -----------------------------------------------------------------------------


def test_rate_to_four_places_and_none_without_a_denominator():
    assert rate(1, 3) == Decimal("0.3333")
    assert rate(2, 3) == Decimal("0.6667")
    assert rate(0, 5) == Decimal("0")
    assert rate(0, 0) is None
    with pytest.raises(ValueError, match="negative"):
        rate(-1, 2)


def test_attendance_and_did_not_attend_rates_share_the_marked_places():
    # 6 attended, 2 partly, 2 did not attend: 8 of 10 came, 2 of 10 did not.
    assert attendance_rate(6, 2, 2) == Decimal("0.8")
    assert did_not_attend_rate(6, 2, 2) == Decimal("0.2")
    assert attendance_rate(6, 2, 2) + did_not_attend_rate(6, 2, 2) == 1
    assert attendance_rate(0, 0, 3) == Decimal("0")
    assert did_not_attend_rate(0, 0, 3) == Decimal("1")


def test_rates_with_nothing_marked_are_none_not_zero():
    assert attendance_rate(0, 0, 0) is None
    assert did_not_attend_rate(0, 0, 0) is None


@pytest.mark.parametrize(
    ("rating", "good"), [(1, False), (2, False), (3, False), (4, True), (5, True)]
)
def test_good_or_better_is_four_or_five(rating, good):
    assert is_good_or_better(rating) is good


@pytest.mark.parametrize("rating", [0, 6])
def test_ratings_outside_one_to_five_are_refused(rating):
    with pytest.raises(ValueError, match="1 to 5"):
        is_good_or_better(rating)


def test_good_or_better_rate():
    assert good_or_better_rate(7, 8) == Decimal("0.875")
    assert good_or_better_rate(0, 0) is None
    with pytest.raises(ValueError, match="more good"):
        good_or_better_rate(3, 2)


def test_mean_to_two_places():
    assert mean(11, 3) == Decimal("3.67")
    assert mean(-2, 3) == Decimal("-0.67")
    assert mean(0, 0) is None


# --- cost ------------------------------------------------------------------------------


def test_cost_is_cost_per_place_times_places_filled():
    assert training_cost(Decimal("125.50"), 3) == Decimal("376.50")
    assert training_cost(Decimal("0"), 12) == Decimal("0.00")


def test_cost_per_attendee_divides_the_cost_by_those_who_came():
    # Three places at £100 filled; two came: £150 each.
    assert cost_per_attendee(training_cost(Decimal("100"), 3), 2) == Decimal("150.00")
    assert cost_per_attendee(Decimal("100"), 3) == Decimal("33.33")
    assert cost_per_attendee(Decimal("100"), 0) is None


def test_negative_costs_are_refused():
    with pytest.raises(ValueError, match="negative"):
        training_cost(Decimal("-1"), 2)
    with pytest.raises(ValueError, match="negative"):
        cost_per_attendee(Decimal("10"), -1)
