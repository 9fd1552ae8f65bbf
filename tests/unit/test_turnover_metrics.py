"""Turnover and retention measures (``workforce.metrics.turnover``), checked against the
published England 2023 figures (DfE, Children's social work workforce, reporting year 2023,
national row of the "Indicators" data set) and against hand-made spells.

England 2023: in-post FTE 33,119.1 (headcount 35,199); leavers FTE 5,254.6 (headcount
5,640); agency FTE 7,173.5 (headcount 7,429), 5,744.2 of it covering vacancies; vacancies
FTE 7,722.7; case holders' FTE 21,111.4 holding 337,055 cases; 270,751 working days lost.
Published: turnover 15.9% (16.0% by headcount), agency rate 17.8% (17.4% by headcount),
agency cover 80.1%, vacancy rate 18.9%, vacancies covered by agency 74.4%, caseload 16.0,
absence rate 3.2%. North East 2023: 19,673 days over 2,159.9 FTE is 3.6%; England 2025:
322,786.3 days over 36,186.3 FTE is 3.5%.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from workforce.metrics import turnover as m

D = Decimal


def test_england_2023_turnover():
    assert m.turnover_rate(D("5254.6"), D("33119.1")) == D("0.159")
    assert m.turnover_rate(5640, 35199) == D("0.160")


def test_england_2023_agency_rate():
    assert m.agency_rate(D("7173.5"), D("33119.1")) == D("0.178")
    assert m.agency_rate(7429, 35199) == D("0.174")


def test_england_2023_agency_cover_and_vacancies():
    assert m.agency_cover_rate(D("5744.2"), D("7173.5")) == D("0.801")
    assert m.vacancy_rate(D("7722.7"), D("33119.1")) == D("0.189")
    assert m.vacancy_agency_cover_rate(D("5744.2"), D("7722.7")) == D("0.744")


def test_england_2023_caseload():
    assert m.caseload(337055, D("21111.4")) == D("16.0")


def test_absence_rate_uses_253_working_days():
    assert m.WORKING_DAYS_IN_YEAR == 253
    assert m.absence_rate(270751, D("33119.1")) == D("0.032")
    assert m.absence_rate(19673, D("2159.9")) == D("0.036")
    assert m.absence_rate(D("322786.3"), D("36186.3")) == D("0.035")
    # 260 working days would not reproduce the North East figure (3.5%).
    assert m.absence_rate(19673, D("2159.9"), working_days=260) == D("0.035")


def test_rates_round_half_up_and_none_without_denominator():
    assert m.published_rate(1, 8) == D("0.125")
    assert m.published_rate(1, 16) == D("0.063")  # 0.0625 rounds up
    assert m.published_rate(3, 0) is None
    assert m.caseload(5, 0) is None
    assert m.published_fte(D("0.25")) == D("0.3")
    with pytest.raises(ValueError, match="cannot be negative"):
        m.turnover_rate(-1, 5)
    with pytest.raises(ValueError, match="cannot exceed agency FTE"):
        m.agency_cover_rate(3, 2)


def test_vacancies_never_below_zero():
    assert m.vacancies_fte(D("6"), D("3.8")) == D("2.2")
    assert m.vacancies_fte(D("3"), D("4")) == D("0")


def test_stability_and_retention():
    assert m.stability_rate(9, 5) == D("0.556")
    assert m.stability_rate(0, 0) is None
    assert m.retention_rate(4, 3) == D("0.750")
    with pytest.raises(ValueError, match="more people still in post"):
        m.stability_rate(2, 3)


def test_anniversaries():
    assert m.add_years(date(2023, 10, 2), 1) == date(2024, 10, 2)
    assert m.add_years(date(2024, 2, 29), 1) == date(2025, 2, 28)
    assert m.add_years(date(2024, 9, 30), -1) == date(2023, 9, 30)


def test_years_of_service_counts_both_ends():
    assert m.years_of_service(date(2020, 10, 1), date(2021, 9, 30)) == 1
    assert m.years_of_service(date(2020, 10, 1), date(2021, 9, 29)) == 0
    assert m.years_of_service(date(2019, 3, 1), date(2024, 6, 30)) == 5
    with pytest.raises(ValueError, match="left before joining"):
        m.years_of_service(date(2024, 1, 2), date(2024, 1, 1))


@pytest.mark.parametrize(
    ("joined", "left", "band"),
    [
        (date(2023, 5, 1), date(2024, 9, 30), "Less than 2 years"),
        (date(2022, 10, 1), date(2024, 9, 30), "2 to less than 5 years"),
        (date(2020, 1, 6), date(2024, 3, 31), "2 to less than 5 years"),
        (date(2019, 3, 1), date(2024, 6, 30), "5 to less than 10 years"),
        (date(2010, 1, 1), date(2024, 1, 1), "10 to less than 20 years"),
        (date(2000, 1, 1), date(2024, 1, 1), "20 to less than 30 years"),
        (date(1990, 1, 1), date(2024, 1, 1), "30 years or more"),
    ],
)
def test_length_of_service_bands(joined, left, band):
    assert m.length_of_service_band(joined, left) == band


def test_continuous_start_joins_posts_that_follow_or_overlap():
    stints = [
        m.Stint(date(2015, 1, 1), date(2018, 12, 31)),
        m.Stint(date(2020, 1, 6), date(2022, 2, 28)),
        m.Stint(date(2022, 3, 1), date(2023, 5, 31)),  # the next day: joins up
        m.Stint(date(2023, 1, 1), None),  # overlaps
    ]
    assert m.continuous_start(stints, date(2024, 6, 30)) == date(2020, 1, 6)
    assert m.continuous_start(stints, date(2016, 6, 30)) == date(2015, 1, 1)
    assert m.continuous_start(stints, date(2019, 6, 30)) is None


def test_retained_after():
    stints = [m.Stint(date(2022, 11, 1), date(2023, 12, 31))]
    assert m.retained_after(stints, date(2022, 11, 1), 1)
    assert not m.retained_after(stints, date(2022, 11, 1), 2)
    assert m.in_post_on(stints, date(2023, 12, 31))
    assert not m.in_post_on(stints, date(2024, 1, 1))
