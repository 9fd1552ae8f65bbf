"""The Social Work England registration year and its CPD rule, and CPD hours by year."""

from datetime import date
from decimal import Decimal

import pytest

from workforce.metrics.cpd import (
    CpdItem,
    RegistrationYear,
    attended_cpd_hours,
    check_registration_year,
    check_registration_years,
    cpd_hours_by_registration_year,
    registration_year_of,
    registration_years_between,
)

YEAR_2025 = RegistrationYear(2025)


@pytest.mark.parametrize(
    ("day", "end_year"),
    [
        (date(2024, 11, 30), 2024),
        (date(2024, 12, 1), 2025),
        (date(2024, 12, 31), 2025),
        (date(2025, 1, 1), 2025),
        (date(2025, 11, 30), 2025),
        (date(2025, 12, 1), 2026),
    ],
)
def test_registration_year_runs_1_december_to_30_november(day, end_year):
    assert registration_year_of(day) == RegistrationYear(end_year)


def test_registration_year_bounds_and_label():
    assert YEAR_2025.starts_on == date(2024, 12, 1)
    assert YEAR_2025.ends_on == date(2025, 11, 30)
    assert YEAR_2025.label == "1 December 2024 to 30 November 2025"
    assert YEAR_2025.contains(date(2024, 12, 1)) and YEAR_2025.contains(date(2025, 11, 30))
    assert not YEAR_2025.contains(date(2024, 11, 30))
    assert not YEAR_2025.contains(date(2025, 12, 1))


def test_years_between_cover_both_ends_in_order():
    years = registration_years_between(date(2023, 12, 1), date(2025, 11, 30))
    assert years == [RegistrationYear(2024), RegistrationYear(2025)]
    assert registration_years_between(date(2025, 6, 1), date(2023, 1, 1)) == [
        RegistrationYear(2023),
        RegistrationYear(2024),
        RegistrationYear(2025),
    ]


def test_two_entries_one_with_peer_reflection_meets_the_rule():
    result = check_registration_year(
        [CpdItem(date(2024, 12, 1), peer_reflection=True), CpdItem(date(2025, 11, 30))],
        YEAR_2025,
    )
    assert result.met
    assert (result.entries, result.peer_reflections, result.reasons) == (2, 1, [])


def test_entries_on_the_wrong_side_of_the_boundaries_do_not_count():
    entries = [
        CpdItem(date(2024, 11, 30), peer_reflection=True),  # last day of the 2024 year
        CpdItem(date(2025, 12, 1), peer_reflection=True),  # first day of the 2026 year
        CpdItem(date(2025, 6, 1)),
    ]
    result = check_registration_year(entries, YEAR_2025)
    assert not result.met
    assert result.entries == 1 and result.peer_reflections == 0
    assert result.reasons == [
        "1 CPD entry recorded; at least 2 are needed (1 more)",
        "No entry records peer reflection; at least one must",
    ]
    assert check_registration_year(entries, RegistrationYear(2024)).entries == 1
    assert check_registration_year(entries, RegistrationYear(2026)).peer_reflections == 1


def test_enough_entries_without_peer_reflection_is_not_met():
    result = check_registration_year(
        [CpdItem(date(2025, 1, 10)), CpdItem(date(2025, 2, 10)), CpdItem(date(2025, 3, 10))],
        YEAR_2025,
    )
    assert not result.met
    assert result.reasons == ["No entry records peer reflection; at least one must"]


def test_one_entry_with_peer_reflection_is_not_enough():
    result = check_registration_year([CpdItem(date(2025, 1, 10), True)], YEAR_2025)
    assert not result.met
    assert result.reasons == ["1 CPD entry recorded; at least 2 are needed (1 more)"]


def test_an_empty_year_explains_both_shortfalls():
    result = check_registration_year([], YEAR_2025)
    assert result.reasons == [
        "0 CPD entries recorded; at least 2 are needed (2 more)",
        "No entry records peer reflection; at least one must",
    ]


def test_each_year_is_checked_latest_first():
    entries = [CpdItem(date(2024, 3, 1), True), CpdItem(date(2024, 11, 30))]
    results = check_registration_years(entries, [RegistrationYear(2024), RegistrationYear(2025)])
    assert [(r.year.end_year, r.met) for r in results] == [(2025, False), (2024, True)]


@pytest.mark.parametrize(
    ("attendance", "expected"),
    [("attended", "6"), ("partial", "3"), ("did_not_attend", "0"), (None, "0")],
)
def test_attended_hours_count_partial_attendance_as_half(attendance, expected):
    assert attended_cpd_hours(Decimal("6"), attendance) == Decimal(expected)


def test_hours_are_grouped_by_registration_year():
    totals = cpd_hours_by_registration_year(
        [
            (date(2024, 11, 30), Decimal("3"), "attended"),
            (date(2024, 12, 1), Decimal("6"), "attended"),
            (date(2025, 5, 1), Decimal("7"), "partial"),
            (date(2025, 6, 1), Decimal("10"), "did_not_attend"),
        ]
    )
    assert totals == {RegistrationYear(2024): Decimal("3"), RegistrationYear(2025): Decimal("9.5")}
