"""Reporting periods of performance measures, on hand-picked dates."""

from __future__ import annotations

from datetime import date

import pytest

from workforce.metrics.periods import (
    PeriodError,
    is_period_start,
    parse_period,
    period_containing,
    periods_between,
    shift,
    span_label,
)


@pytest.mark.parametrize(
    ("frequency", "text", "start", "end", "key", "label"),
    [
        ("monthly", "2016-03", date(2016, 3, 1), date(2016, 3, 31), "2016-03", "March 2016"),
        ("monthly", "March 2016", date(2016, 3, 1), date(2016, 3, 31), "2016-03", "March 2016"),
        ("monthly", "mar 2016", date(2016, 3, 1), date(2016, 3, 31), "2016-03", "March 2016"),
        ("monthly", "2/2024", date(2024, 2, 1), date(2024, 2, 29), "2024-02", "February 2024"),
        (
            "quarterly",
            "2019/20 Q1",
            date(2019, 4, 1),
            date(2019, 6, 30),
            "2019/20 Q1",
            "2019/20 Q1",
        ),
        (
            "quarterly",
            "2019-20 q4",
            date(2020, 1, 1),
            date(2020, 3, 31),
            "2019/20 Q4",
            "2019/20 Q4",
        ),
        ("financial_year", "2019/20", date(2019, 4, 1), date(2020, 3, 31), "2019/20", "2019/20"),
        ("financial_year", "18/19", date(2018, 4, 1), date(2019, 3, 31), "2018/19", "2018/19"),
        ("financial_year", "2099/2100", date(2099, 4, 1), date(2100, 3, 31), "2099/00", "2099/00"),
        ("academic_year", "2016/17", date(2016, 9, 1), date(2017, 8, 31), "2016/17", "2016/17"),
        ("calendar_year", "2019", date(2019, 1, 1), date(2019, 12, 31), "2019", "2019"),
    ],
)
def test_periods_are_read_as_councils_write_them(frequency, text, start, end, key, label):
    period = parse_period(frequency, text)
    assert (period.start, period.end, period.key, period.label) == (start, end, key, label)
    assert parse_period(frequency, period.key) == period


@pytest.mark.parametrize(
    ("frequency", "text", "message"),
    [
        ("financial_year", "2019-05", "'2019-05' is not a financial year, like 2019/20"),
        ("financial_year", "2019/21", "'2019/21' is not a financial year, like 2019/20"),
        ("financial_year", "2019", "'2019' is not a financial year, like 2019/20"),
        ("monthly", "2019/20", "'2019/20' is not a month, like 2016-03 or March 2016"),
        ("monthly", "2019-13", "'2019-13' is not a month, like 2016-03 or March 2016"),
        ("monthly", "Smarch 2019", "'Smarch 2019' is not a month, like 2016-03 or March 2016"),
        ("quarterly", "2019/20 Q5", "'2019/20 Q5' is not a financial quarter, like 2019/20 Q1"),
        ("calendar_year", "19", "'19' is not a calendar year, like 2019"),
        ("academic_year", "", "Enter the period: an academic year, like 2019/20"),
    ],
)
def test_a_period_outside_the_frequency_is_refused_saying_how_to_write_one(
    frequency, text, message
):
    with pytest.raises(PeriodError) as caught:
        parse_period(frequency, text)
    assert str(caught.value) == message


def test_period_starts():
    assert is_period_start("financial_year", date(2020, 4, 1))
    assert not is_period_start("financial_year", date(2020, 1, 1))
    assert is_period_start("quarterly", date(2020, 1, 1))
    assert not is_period_start("quarterly", date(2020, 2, 1))
    assert is_period_start("academic_year", date(2020, 9, 1))
    assert not is_period_start("monthly", date(2020, 9, 2))


def test_containing_shifting_and_spans():
    quarter = period_containing("quarterly", date(2020, 2, 29))
    assert quarter.key == "2019/20 Q4"
    assert shift(quarter, 1).key == "2020/21 Q1"
    assert shift(quarter, -4).key == "2018/19 Q4"
    year = period_containing("financial_year", date(2020, 3, 31))
    assert year.key == "2019/20"
    assert shift(year, -3).key == "2016/17"
    months = periods_between("monthly", date(2021, 11, 15), date(2022, 2, 1))
    assert [m.key for m in months] == ["2021-11", "2021-12", "2022-01", "2022-02"]
    assert periods_between("monthly", date(2022, 2, 1), date(2021, 1, 1)) == []
    assert span_label("monthly", date(2021, 4, 1), date(2023, 3, 31)) == "April 2021 to March 2023"
    assert span_label("financial_year", date(2019, 4, 1), date(2020, 3, 31)) == "2019/20"


def test_an_unknown_frequency_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown frequency"):
        parse_period("weekly", "2019")


def test_a_whole_financial_year_of_months_or_quarters_is_labelled_as_the_year():
    assert span_label("quarterly", date(2025, 4, 1), date(2026, 3, 31)) == "2025/26"
    assert span_label("monthly", date(2025, 4, 1), date(2026, 3, 31)) == "2025/26"
    assert (
        span_label("monthly", date(2025, 1, 1), date(2025, 12, 31))
        == "January 2025 to December 2025"
    )
