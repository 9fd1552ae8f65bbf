"""The ASYE schedule: review points from the start date, pushed back by pauses; protected
development time due; and supervision weeks missed against the ASYE supervision policy.

Pure functions on plain values (no Flask, no database), tested on hand-made data. The
programme's rules (review points, protected time share, the supervision stages) are
arguments, because councils differ and the rules change in 2027 (DOMAIN.md section 3); the
defaults are the current child and family ASYE's.

**Review points.** Each review point is an offset in months from the start (the Social Work
England registration date): support and assessment agreement at 0, reviews at 3, 6, 9
(optional) and 12 months, the moderation panel at 13. A pause pushes back every point due
on or after the pause starts by the pause's length in days (pauses are counted in full
days, both ends inclusive); pauses must not overlap.

**Completion.** The programme must finish within 24 months of the start (pauses included):
``completion_deadline`` is the start plus 24 months, and ``past_deadline`` warns when the
final review's due date falls after it.

**Protected time.** 10% of contracted hours over the year, pro rata: the hours due by a day
are the share of the programme's (pause-adjusted) year elapsed by then times 10% of the
contracted weekly hours times 52.

**Supervision weeks.** Under the ASYE supervision policy (the supervision issue's: weekly
for 6 weeks, fortnightly to 26 weeks, then monthly), each interval is a window: a window is
*missed* when it has ended before the day and no supervision was held in it. Paused days do
not count: windows are laid out on the programme's own days, skipping pauses.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from workforce.metrics.supervision import ASYE as ASYE_SUPERVISION
from workforce.metrics.supervision import Stage, add_interval, add_months

#: The child and family ASYE review points: (code, label, months from the start, optional).
REVIEW_POINTS: tuple[tuple[str, str, int, bool], ...] = (
    ("agreement", "Support and assessment agreement", 0, False),
    ("review_3", "3-month review", 3, False),
    ("review_6", "6-month review", 6, False),
    ("review_9", "9-month review", 9, True),
    ("final", "Final review", 12, False),
    ("moderation", "Moderation panel", 13, False),
)
#: Protected development time as a share of contracted hours.
PROTECTED_SHARE = 0.10
WEEKS_IN_YEAR = 52
#: How long, in months from the start, the programme may take at most.
COMPLETION_MONTHS = 24


@dataclass(frozen=True)
class Pause:
    """A pause of the programme, both days inclusive."""

    start: date
    end: date

    @property
    def days(self) -> int:
        """How many days the pause lasts."""
        return (self.end - self.start).days + 1


def check_pauses(pauses: Sequence[Pause], start: date) -> list[str]:
    """Problems with a set of pauses: ending before starting, starting before the
    programme, or overlapping another. Empty when they are all right."""
    problems = []
    ordered = sorted(pauses, key=lambda p: p.start)
    for pause in ordered:
        if pause.end < pause.start:
            problems.append(f"The pause from {pause.start} ends before it starts")
        if pause.start < start:
            problems.append(f"The pause from {pause.start} starts before the programme")
    for earlier, later in zip(ordered, ordered[1:], strict=False):
        if later.start <= earlier.end:
            problems.append(f"The pauses from {earlier.start} and {later.start} overlap")
    return problems


def shift_for_pauses(due: date, pauses: Iterable[Pause]) -> date:
    """``due`` pushed back by every pause starting on or before it (in date order, so a
    pause reached only because of an earlier push counts too)."""
    for pause in sorted(pauses, key=lambda p: p.start):
        if pause.start <= due:
            due += timedelta(days=pause.days)
    return due


@dataclass(frozen=True)
class ScheduledReview:
    """A review point and the day it is due."""

    code: str
    label: str
    due: date
    optional: bool


def schedule(
    start: date,
    pauses: Sequence[Pause] = (),
    points: Sequence[tuple[str, str, int, bool]] = REVIEW_POINTS,
) -> list[ScheduledReview]:
    """Every review point's due date from the start, pushed back by the pauses."""
    return [
        ScheduledReview(code, label, shift_for_pauses(add_months(start, months), pauses), optional)
        for code, label, months, optional in points
    ]


def completion_deadline(start: date, months: int = COMPLETION_MONTHS) -> date:
    """The last day the programme may finish: ``months`` after the start."""
    return add_months(start, months)


def past_deadline(
    start: date, pauses: Sequence[Pause] = (), months: int = COMPLETION_MONTHS
) -> bool:
    """Whether the final review, pushed back by the pauses, falls after the deadline."""
    final = next(r for r in schedule(start, pauses) if r.code == "final")
    return final.due > completion_deadline(start, months)


def review_status(due: date, held_on: date | None, today: date, window_days: int = 14) -> str:
    """'held', 'overdue' (due before today and not held), 'upcoming' (due within the
    window) or 'later'."""
    if held_on is not None:
        return "held"
    if due < today:
        return "overdue"
    if (due - today).days <= window_days:
        return "upcoming"
    return "later"


def paused_days_until(day: date, pauses: Iterable[Pause]) -> int:
    """Days paused on or before ``day``."""
    total = 0
    for pause in pauses:
        if pause.start <= day:
            total += (min(pause.end, day) - pause.start).days + 1
    return total


def protected_hours_due(
    start: date,
    day: date,
    weekly_hours: float,
    pauses: Sequence[Pause] = (),
    share: float = PROTECTED_SHARE,
) -> float:
    """Protected development hours due by ``day``: the share of the (pause-adjusted)
    programme year elapsed, times ``share`` of a year's contracted hours."""
    if day < start:
        return 0.0
    year_end = shift_for_pauses(add_months(start, 12), pauses)
    length = (year_end - start).days - paused_days_until(year_end, pauses)
    elapsed = (min(day, year_end) - start).days - paused_days_until(min(day, year_end), pauses)
    fraction = max(0.0, min(1.0, elapsed / length)) if length > 0 else 1.0
    return round(fraction * share * weekly_hours * WEEKS_IN_YEAR, 1)


@dataclass(frozen=True)
class SupervisionWindow:
    """One interval of the ASYE supervision schedule and whether supervision was held."""

    starts: date
    ends: date
    held: bool


def _skip_pauses(day: date, ordered: Sequence[Pause]) -> date:
    """The calendar day of ``day`` counted in programme days from the start: pushed back
    by each pause (``ordered`` by start) that begins on or before it, so that paused days
    are skipped."""
    for pause in ordered:
        if pause.start <= day:
            day += timedelta(days=pause.days)
    return day


def supervision_windows(
    start: date,
    held: Iterable[date],
    today: date,
    pauses: Sequence[Pause] = (),
    stages: Sequence[Stage] = ASYE_SUPERVISION,
    weeks: int = 52,
) -> list[SupervisionWindow]:
    """The schedule's windows that have started by ``today`` in the first ``weeks`` weeks,
    each with whether a session was held in it. The stages are the supervision policy's
    (``workforce.metrics.supervision``); windows are laid out on the programme's own days
    (the start plus days not paused), then placed on the calendar."""
    return list(iter_supervision_windows(start, held, today, pauses, stages, weeks))


def iter_supervision_windows(
    start: date,
    held: Iterable[date],
    today: date,
    pauses: Sequence[Pause] = (),
    stages: Sequence[Stage] = ASYE_SUPERVISION,
    weeks: int = 52,
) -> Iterator[SupervisionWindow]:
    """``supervision_windows`` one at a time, in order, for a caller that may stop early
    (at the first missed, say)."""
    days_held = sorted(set(held))
    ordered = sorted(pauses, key=lambda p: p.start)
    horizon = start + timedelta(weeks=weeks)
    bounds = [start + timedelta(weeks=stage.from_week) for stage in stages] + [horizon]
    begin = start
    for index, stage in enumerate(stages):
        begin = max(begin, bounds[index])
        while begin < bounds[index + 1]:
            stop = min(add_interval(begin, stage), bounds[index + 1])
            first = _skip_pauses(begin, ordered)
            if first > today:
                return
            last = _skip_pauses(stop - timedelta(days=1), ordered)
            # The first session on or after the window's first day: held if it is in it.
            at = bisect_left(days_held, first)
            yield SupervisionWindow(first, last, at < len(days_held) and days_held[at] <= last)
            begin = stop


def missed_windows(windows: Sequence[SupervisionWindow], today: date) -> list[SupervisionWindow]:
    """Windows that have ended before ``today`` with no supervision held."""
    return [w for w in windows if w.ends < today and not w.held]


#: The evidence the child and family ASYE asks for: kind -> (label, how many).
EVIDENCE_REQUIREMENTS: dict[str, tuple[str, int]] = {
    "observation": ("Direct observations of practice", 3),
    "family_feedback": ("Feedback from children and families", 3),
    "professional_feedback": ("Feedback from other professionals", 3),
    "written_report": ("Assessed written reports", 3),
    "critical_reflection": ("Critical reflections (at 6 and 12 months)", 2),
    "kss_self_assessment": ("KSS self-assessments (start, middle and end)", 3),
}


def evidence_progress(
    counts: dict[str, int], requirements: dict[str, tuple[str, int]] = EVIDENCE_REQUIREMENTS
) -> list[tuple[str, str, int, int]]:
    """(kind, label, held, required) for each requirement, in order."""
    return [
        (kind, label, counts.get(kind, 0), required)
        for kind, (label, required) in requirements.items()
    ]
