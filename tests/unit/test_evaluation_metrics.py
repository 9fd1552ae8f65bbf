"""Ratings that count as good or better, evaluation summaries and follow-up due dates."""

from datetime import date
from decimal import Decimal

import pytest

from workforce.metrics.evaluation import (
    Ratings,
    add_months,
    follow_up_due_on,
    is_good_or_better,
    is_valid_rating,
    summarise,
)


@pytest.mark.parametrize(("rating", "good"), [(1, False), (3, False), (4, True), (5, True)])
def test_four_and_five_are_good_or_better(rating, good):
    assert is_good_or_better(rating) is good


@pytest.mark.parametrize(
    ("value", "valid"),
    [(1, True), (5, True), (0, False), (6, False), ("3", False), (True, False), (None, False)],
)
def test_only_whole_numbers_from_1_to_5_are_ratings(value, valid):
    assert is_valid_rating(value) is valid


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2025, 3, 14), 3, date(2025, 6, 14)),
        (date(2025, 11, 30), 3, date(2026, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2025, 10, 31), 2, date(2025, 12, 31)),
        (date(2025, 12, 15), 12, date(2026, 12, 15)),
        (date(2025, 5, 5), 0, date(2025, 5, 5)),
    ],
)
def test_add_months_keeps_within_the_target_month(day, months, expected):
    assert add_months(day, months) == expected


def test_follow_up_is_due_the_given_months_after_the_session():
    assert follow_up_due_on(date(2025, 1, 31), 3) == date(2025, 4, 30)
    with pytest.raises(ValueError, match="at least one month"):
        follow_up_due_on(date(2025, 1, 31), 0)
    with pytest.raises(ValueError, match="negative"):
        add_months(date(2025, 1, 31), -1)


def test_summary_counts_good_or_better_and_averages():
    summary = summarise(
        [
            Ratings(overall=5, relevance=4, confidence_before=2, confidence_after=4),
            Ratings(overall=4, relevance=5, confidence_before=3, confidence_after=4),
            Ratings(overall=2, relevance=2, confidence_before=3, confidence_after=3),
        ]
    )
    assert summary.count == 3 and summary.good_or_better == 2
    assert summary.good_or_better_percent == Decimal("66.7")
    assert summary.mean_overall == Decimal("3.7")
    assert summary.mean_relevance == Decimal("3.7")
    assert summary.mean_confidence_change == Decimal("1.0")


def test_an_empty_summary_has_no_percentages():
    summary = summarise([])
    assert summary.count == 0
    assert summary.good_or_better_percent is None and summary.mean_overall is None
