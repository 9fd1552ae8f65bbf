"""Supervision compliance on hand-made sessions."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from workforce.metrics.supervision import (
    ASYE,
    MONTHLY,
    HeldSession,
    Stage,
    add_months,
    compliance,
    expected_sessions,
    share_good_or_better,
    stage_on,
    suggested_grade,
    window_start,
)

ON = date(2026, 11, 22)


def monthly_from(first: date, count: int, minutes: int = 90) -> list[HeldSession]:
    return [HeldSession(add_months(first, n), minutes) for n in range(count)]


def test_monthly_for_a_year_is_within_policy() -> None:
    sessions = monthly_from(date(2025, 12, 10), 12)
    result = compliance(sessions, anchor=date(2015, 1, 5), on=ON)
    assert result.expected == 12
    assert result.sessions == 12
    assert result.full_length == 12
    assert result.last_held == date(2026, 11, 10)
    assert result.days_since_last == 12
    assert result.next_due == date(2026, 12, 10)
    assert not result.overdue
    assert result.within_policy and result.status == "within"


def test_a_missed_month_is_overdue_with_the_gap_counted() -> None:
    sessions = monthly_from(date(2025, 11, 25), 11)  # last on 25 September 2026
    result = compliance(sessions, anchor=date(2015, 1, 5), on=ON)
    assert result.next_due == date(2026, 10, 25)
    assert result.overdue and result.status == "overdue"
    assert result.longest_gap == (ON - date(2026, 9, 25)).days


def test_short_sessions_do_not_count_as_full_length() -> None:
    sessions = monthly_from(date(2025, 12, 10), 12, minutes=60)
    result = compliance(sessions, anchor=date(2015, 1, 5), on=ON)
    assert result.sessions == 12 and result.full_length == 0
    assert not result.overdue and result.status == "short"
    assert compliance(sessions, anchor=date(2015, 1, 5), on=ON, min_minutes=60).within_policy


def test_no_sessions_ever_is_due_one_interval_after_the_anchor() -> None:
    result = compliance([], anchor=date(2026, 10, 1), on=ON)
    assert result.next_due == date(2026, 11, 1)
    assert result.overdue
    assert result.expected == 1
    assert result.days_since_last is None
    assert result.longest_gap == (ON - date(2026, 10, 1)).days + 1


def test_a_new_starter_is_not_expected_before_they_joined() -> None:
    assert compliance([], anchor=ON - timedelta(days=10), on=ON).expected == 0
    assert not compliance([], anchor=ON - timedelta(days=10), on=ON).overdue


def test_two_sessions_on_one_day_count_once() -> None:
    day = ON - timedelta(days=3)
    result = compliance(
        [HeldSession(day, 30), HeldSession(day, 120)], anchor=date(2020, 1, 1), on=ON
    )
    assert result.sessions == 1 and result.full_length == 1


def test_sessions_after_the_day_are_ignored() -> None:
    result = compliance([HeldSession(ON + timedelta(days=1), 90)], anchor=date(2020, 1, 1), on=ON)
    assert result.sessions == 0 and result.last_held is None


def test_the_asye_schedule() -> None:
    anchor = date(2026, 1, 5)
    assert stage_on(ASYE, anchor, anchor) == Stage(0, 1, "week")
    assert stage_on(ASYE, anchor, anchor + timedelta(weeks=6)) == Stage(6, 2, "week")
    assert stage_on(ASYE, anchor, anchor + timedelta(weeks=26)) == Stage(26, 1, "month")
    # 6 weekly + 10 fortnightly in the first 26 weeks.
    assert expected_sessions(ASYE, anchor, anchor, anchor + timedelta(weeks=26, days=-1)) == 16
    # A whole first year: 16, then monthly for the rest of it (about 6).
    year_end = add_months(anchor, 12) - timedelta(days=1)
    assert expected_sessions(ASYE, anchor, anchor, year_end) == 21
    weekly = [HeldSession(anchor + timedelta(weeks=n), 90) for n in range(5)]
    result = compliance(weekly, stages=ASYE, anchor=anchor, on=anchor + timedelta(weeks=4, days=3))
    assert result.next_due == anchor + timedelta(weeks=5)
    assert not result.overdue
    late = compliance(weekly, stages=ASYE, anchor=anchor, on=anchor + timedelta(weeks=5, days=1))
    assert late.overdue


def test_the_fortnightly_stage_applies_after_week_six() -> None:
    anchor = date(2026, 1, 5)
    last = anchor + timedelta(weeks=8)
    result = compliance([HeldSession(last, 90)], stages=ASYE, anchor=anchor, on=last)
    assert result.next_due == last + timedelta(weeks=2)


def test_expected_monthly_over_a_year_and_a_part() -> None:
    assert expected_sessions(MONTHLY, date(2000, 1, 1), date(2025, 11, 23), ON) == 12
    assert (
        expected_sessions(MONTHLY, date(2026, 5, 22), window_start(ON, date(2026, 5, 22)), ON) == 6
    )


def test_window_start() -> None:
    assert window_start(ON) == date(2025, 11, 23)
    assert window_start(ON, date(2026, 3, 1)) == date(2026, 3, 1)


@pytest.mark.parametrize(
    ("checks", "grade"),
    [
        ((True,) * 5, "outstanding"),
        ((True, True, True, True, False), "good"),
        ((True, True, False, False, False), "requires_improvement"),
        ((True, False, False, False, False), "inadequate"),
    ],
)
def test_suggested_grade(checks: tuple[bool, ...], grade: str) -> None:
    assert suggested_grade(checks) == grade


def test_share_good_or_better() -> None:
    assert (
        share_good_or_better(["good", "outstanding", "inadequate", "requires_improvement"]) == 0.5
    )
    assert share_good_or_better([]) is None


def test_a_bad_stage_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown unit"):
        Stage(0, 1, "day")
    with pytest.raises(ValueError, match="positive interval"):
        Stage(0, 0, "week")
