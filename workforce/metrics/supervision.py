"""Supervision compliance: how often a person should be supervised, and whether they are.

Pure functions on plain values (no Flask, no database), tested on hand-made data.

**Policy.** A policy is a list of stages, each starting a number of weeks after an anchor
date (the start of the person's post) and asking for one session every N weeks or months;
the last stage runs on. The default is one stage, monthly from week 0. The ASYE policy is
weekly from week 0, fortnightly from week 6 and monthly from week 26 (six months). A
policy also sets a minimum duration (90 minutes by default, the Social Work Reform Board's
"at least 1.5 hours").

**Compliance on a day** (``on``), over the 12 months up to it (``window``, starting the day
after the same date a year earlier, or at the anchor if that is later):

- *expected*: the number of sessions the stages ask for in the window: for each stage, the
  part of the window it covers divided by its interval (weeks are 7 days; months are
  calendar months, a part month counted by its days), summed and rounded down;
- *sessions*: sessions held in the window; *full-length*: those lasting at least the
  minimum (a session with no recorded duration is not full-length);
- *days since last*: days from the last session held on or before ``on``;
- *longest gap*: the longest run of days in the window without a session held: between
  sessions, from the window's start to the first, and from the last to ``on`` inclusive;
- *next due*: one interval (of the stage in force the day after it) after the last session
  held, or one interval after the anchor when there has been none;
- *overdue*: next due is before ``on``;
- *within policy*: not overdue, and full-length sessions at least as many as expected.
"""

from __future__ import annotations

import calendar
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

DEFAULT_MIN_MINUTES = 90
WINDOW_MONTHS = 12


@dataclass(frozen=True)
class Stage:
    """From ``from_week`` weeks after the anchor: one session every ``every`` ``unit``s."""

    from_week: int
    every: int
    unit: str  # "week" or "month"

    def __post_init__(self) -> None:
        if self.unit not in ("week", "month"):
            raise ValueError(f"unknown unit {self.unit!r}")
        if self.every <= 0 or self.from_week < 0:
            raise ValueError("a stage needs a positive interval and a start at week 0 or later")


#: Monthly from the start: the default for everyone.
MONTHLY = (Stage(0, 1, "month"),)
#: The ASYE: weekly for 6 weeks, fortnightly to 6 months (26 weeks), then monthly.
ASYE = (Stage(0, 1, "week"), Stage(6, 2, "week"), Stage(26, 1, "month"))


def add_months(day: date, months: int) -> date:
    """The same day ``months`` calendar months later (or earlier), clamped to month end."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    if day.day <= 28:  # in every month
        return date(year, month, day.day)
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def add_interval(day: date, stage: Stage) -> date:
    """``day`` plus one interval of ``stage``."""
    if stage.unit == "week":
        return day + timedelta(weeks=stage.every)
    return add_months(day, stage.every)


def stage_on(stages: Sequence[Stage], anchor: date, day: date) -> Stage:
    """The stage in force on ``day`` (the first stage before the anchor)."""
    current = stages[0]
    for stage in stages:
        if day >= anchor + timedelta(weeks=stage.from_week):
            current = stage
    return current


def _months_between(start: date, end: date) -> float:
    """Calendar months from ``start`` to ``end`` (a part month counted by its days)."""
    if end <= start:
        return 0.0
    whole = (end.year - start.year) * 12 + end.month - start.month
    if add_months(start, whole) > end:
        whole -= 1
    reached = add_months(start, whole)
    following = add_months(start, whole + 1)
    return whole + (end - reached).days / (following - reached).days


def expected_sessions(stages: Sequence[Stage], anchor: date, start: date, end: date) -> int:
    """Sessions the policy asks for from ``start`` to ``end`` (both inclusive), none before
    the anchor."""
    start = max(start, anchor)
    if end < start:
        return 0
    stop = end + timedelta(days=1)
    total = 0.0
    for index, stage in enumerate(stages):
        begins = anchor + timedelta(weeks=stage.from_week)
        ends = (
            anchor + timedelta(weeks=stages[index + 1].from_week)
            if index + 1 < len(stages)
            else stop
        )
        lo, hi = max(begins, start), min(ends, stop)
        if hi <= lo:
            continue
        if stage.unit == "week":
            total += (hi - lo).days / (7 * stage.every)
        else:
            total += _months_between(lo, hi) / stage.every
    return math.floor(total + 1e-9)


def window_start(on: date, anchor: date | None = None) -> date:
    """The first day of the 12 months up to ``on`` (not before ``anchor``)."""
    start = add_months(on, -WINDOW_MONTHS) + timedelta(days=1)
    return max(start, anchor) if anchor else start


@dataclass(frozen=True)
class HeldSession:
    """A session that took place: its date and length in minutes (None if not recorded)."""

    held_on: date
    minutes: int | None = None


@dataclass(frozen=True)
class Compliance:
    """One person's supervision against their policy on a day."""

    expected: int
    sessions: int
    full_length: int
    last_held: date | None
    days_since_last: int | None
    longest_gap: int
    next_due: date
    overdue: bool

    @property
    def within_policy(self) -> bool:
        """Not overdue, and enough full-length sessions in the last 12 months."""
        return not self.overdue and self.full_length >= self.expected

    @property
    def status(self) -> str:
        """'overdue', 'short' (not overdue, too few full-length sessions) or 'within'."""
        if self.overdue:
            return "overdue"
        return "within" if self.within_policy else "short"


def compliance(
    sessions: Iterable[HeldSession],
    *,
    stages: Sequence[Stage] = MONTHLY,
    anchor: date,
    on: date,
    min_minutes: int = DEFAULT_MIN_MINUTES,
) -> Compliance:
    """A person's compliance on ``on`` from the sessions they attended (any dates)."""
    if not stages:
        raise ValueError("a policy needs at least one stage")
    # Two sessions on one day count once; the longer decides whether it was full-length.
    longest: dict[date, int | None] = {}
    for session in sessions:
        if session.held_on <= on:
            known = longest.get(session.held_on)
            if known is None or (session.minutes or 0) > known:
                longest[session.held_on] = session.minutes
    days = sorted(longest)
    start = window_start(on, anchor)
    in_window = [day for day in days if start <= day]
    full = sum(1 for day in in_window if (longest[day] or 0) >= min_minutes)
    last = days[-1] if days else None
    gap_points = [start - timedelta(days=1), *in_window, on + timedelta(days=1)]
    longest_gap = max((b - a).days - 1 for a, b in zip(gap_points, gap_points[1:], strict=False))
    if last is None:
        next_due = add_interval(anchor, stage_on(stages, anchor, anchor))
    else:
        next_due = add_interval(last, stage_on(stages, anchor, last + timedelta(days=1)))
    return Compliance(
        expected=expected_sessions(stages, anchor, start, on),
        sessions=len(in_window),
        full_length=full,
        last_held=last,
        days_since_last=(on - last).days if last else None,
        longest_gap=max(longest_gap, 0),
        next_due=next_due,
        overdue=next_due < on,
    )


def share_within(items: Iterable[Compliance]) -> float | None:
    """The proportion within policy (None for nobody)."""
    items = list(items)
    if not items:
        return None
    return sum(c.within_policy for c in items) / len(items)


def sessions_per_person_per_year(sessions: int, person_years: float) -> float | None:
    """Sessions held divided by person-years in post (None when nobody was in post)."""
    return sessions / person_years if person_years > 0 else None


#: Grades that count as "good or better".
GOOD_OR_BETTER = frozenset({"outstanding", "good"})


def suggested_grade(checks: Sequence[bool]) -> str:
    """A starting grade from the checklist: all five met is outstanding, four good, two or
    three requires improvement, fewer inadequate. The auditor may choose another."""
    met = sum(bool(c) for c in checks)
    if met >= 5:
        return "outstanding"
    if met == 4:
        return "good"
    if met >= 2:
        return "requires_improvement"
    return "inadequate"


def share_good_or_better(grades: Iterable[str]) -> float | None:
    """The proportion of audits graded good or outstanding (None for no audits)."""
    grades = list(grades)
    if not grades:
        return None
    return sum(g in GOOD_OR_BETTER for g in grades) / len(grades)
