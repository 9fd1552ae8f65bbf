"""Reporting periods of a performance measure: what a period is for each frequency, how it
is written, and how periods follow one another.

A measure is reported monthly, quarterly, by financial year (1 April to 31 March), by
academic year (1 September to 31 August) or by calendar year. A period is identified by its
first day and written the way councils' scorecards write it:

=================  =============  ===========================================
frequency          written as     also read
=================  =============  ===========================================
``monthly``        ``2016-03``    ``March 2016``, ``Mar 2016``, ``03/2016``
``quarterly``      ``2019/20 Q1`` ``2019-20 Q1`` (financial quarters: Q1 is April to June)
``financial_year`` ``2019/20``    ``2019-20``, ``19/20``, ``2019/2020``
``academic_year``  ``2019/20``    as a financial year
``calendar_year``  ``2019``
=================  =============  ===========================================

Everything here is pure: no database, no Flask.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

#: Frequencies a measure may have, with the label shown to people.
FREQUENCIES: dict[str, str] = {
    "monthly": "Monthly",
    "quarterly": "Quarterly (financial quarters)",
    "financial_year": "Financial year (April to March)",
    "academic_year": "Academic year (September to August)",
    "calendar_year": "Calendar year",
}
#: The month each kind of year starts in.
_YEAR_START = {"financial_year": 4, "academic_year": 9, "calendar_year": 1}
_MONTHS = {name.lower(): number for number, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.lower(): number for number, name in enumerate(calendar.month_abbr) if name})
#: A sentence describing how to write a period, per frequency (for error messages).
EXAMPLES: dict[str, str] = {
    "monthly": "a month, like 2016-03 or March 2016",
    "quarterly": "a financial quarter, like 2019/20 Q1",
    "financial_year": "a financial year, like 2019/20",
    "academic_year": "an academic year, like 2019/20",
    "calendar_year": "a calendar year, like 2019",
}


class PeriodError(ValueError):
    """A period that is not one of the measure's frequency."""


@dataclass(frozen=True, order=True)
class Period:
    """One reporting period: its first and last day, and how it is written."""

    start: date
    end: date
    frequency: str

    @property
    def key(self) -> str:
        """The period as it is written (``2019/20``, ``2016-03``, ``2019/20 Q1``)."""
        return period_key(self.frequency, self.start)

    @property
    def label(self) -> str:
        """The period as a page shows it (``2019/20``, ``March 2016``, ``2019/20 Q1``)."""
        return period_label(self.frequency, self.start)


def _check_frequency(frequency: str) -> None:
    if frequency not in FREQUENCIES:
        raise ValueError(f"unknown frequency {frequency!r}")


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def months_in(frequency: str) -> int:
    """How many months one period of ``frequency`` lasts."""
    _check_frequency(frequency)
    return {"monthly": 1, "quarterly": 3}.get(frequency, 12)


def _first_month(frequency: str) -> int:
    return _YEAR_START.get(frequency, 4 if frequency == "quarterly" else 1)


def is_period_start(frequency: str, day: date) -> bool:
    """Whether ``day`` is the first day of a period of ``frequency``."""
    _check_frequency(frequency)
    if day.day != 1:
        return False
    if frequency == "monthly":
        return True
    if frequency == "quarterly":
        return (day.month - 4) % 3 == 0
    return day.month == _YEAR_START[frequency]


#: Periods are worked out over and over (a scorecard walks each measure's periods back and
#: forth for its columns, history and charts); these pure functions remember recent answers.
_REMEMBERED = 4096


@lru_cache(maxsize=_REMEMBERED)
def period_starting(frequency: str, start: date) -> Period:
    """The period of ``frequency`` that starts on ``start`` (raises ``PeriodError`` if
    none does)."""
    if not is_period_start(frequency, start):
        raise PeriodError(f"{start.isoformat()} does not start {EXAMPLES[frequency]}")
    end = _add_months(start, months_in(frequency))
    return Period(start, date.fromordinal(end.toordinal() - 1), frequency)


@lru_cache(maxsize=_REMEMBERED)
def period_containing(frequency: str, day: date) -> Period:
    """The period of ``frequency`` that ``day`` falls in."""
    _check_frequency(frequency)
    first = date(day.year, day.month, 1)
    length = months_in(frequency)
    offset = (first.month - _first_month(frequency)) % length
    return period_starting(frequency, _add_months(first, -offset))


@lru_cache(maxsize=_REMEMBERED)
def shift(period: Period, count: int) -> Period:
    """The period ``count`` periods after ``period`` (before it if ``count`` is negative)."""
    months = months_in(period.frequency) * count
    return period_starting(period.frequency, _add_months(period.start, months))


def periods_between(frequency: str, first: date, last: date) -> list[Period]:
    """Every period of ``frequency`` that overlaps ``first`` to ``last``, in order."""
    if last < first:
        return []
    periods = [period_containing(frequency, first)]
    while periods[-1].end < last:
        periods.append(shift(periods[-1], 1))
    return periods


def _year_pair(first_year: int) -> str:
    return f"{first_year}/{(first_year + 1) % 100:02d}"


@lru_cache(maxsize=_REMEMBERED)
def period_key(frequency: str, start: date) -> str:
    """How the period of ``frequency`` starting on ``start`` is written."""
    period_starting(frequency, start)  # checks it is a period start
    if frequency == "monthly":
        return f"{start.year}-{start.month:02d}"
    if frequency == "calendar_year":
        return str(start.year)
    if frequency == "quarterly":
        first_year = start.year if start.month >= 4 else start.year - 1
        quarter = (start.month - 4) % 12 // 3 + 1
        return f"{_year_pair(first_year)} Q{quarter}"
    return _year_pair(start.year)


@lru_cache(maxsize=_REMEMBERED)
def period_label(frequency: str, start: date) -> str:
    """How a page shows the period: months by name, the rest as written."""
    if frequency == "monthly":
        return f"{calendar.month_name[start.month]} {start.year}"
    return period_key(frequency, start)


_YEAR_PAIR = re.compile(r"^(\d{2}|\d{4})\s*[/-]\s*(\d{2}|\d{4})$")


def _parse_year_pair(text: str) -> int | None:
    """The first year of ``2019/20``, ``2019-20``, ``19/20`` or ``2019/2020``, or None."""
    match = _YEAR_PAIR.match(text)
    if not match:
        return None
    first, second = match.groups()
    first_year = int(first) if len(first) == 4 else 2000 + int(first)
    second_year = int(second) if len(second) == 4 else (first_year // 100) * 100 + int(second)
    if second_year < first_year:
        second_year += 100
    if second_year != first_year + 1:
        return None
    return first_year


def parse_period(frequency: str, text: str) -> Period:
    """The period of ``frequency`` written as ``text`` (raises ``PeriodError`` saying how
    to write one)."""
    _check_frequency(frequency)
    cleaned = " ".join(str(text).split())
    problem = PeriodError(f"{cleaned!r} is not {EXAMPLES[frequency]}")
    if not cleaned:
        raise PeriodError(f"Enter the period: {EXAMPLES[frequency]}")
    if frequency == "monthly":
        match = re.fullmatch(r"(\d{4})-(\d{1,2})", cleaned) or re.fullmatch(
            r"(\d{1,2})/(\d{4})", cleaned
        )
        if match:
            a, b = match.groups()
            year, month = (int(a), int(b)) if len(a) == 4 else (int(b), int(a))
        else:
            named = re.fullmatch(r"([A-Za-z]+)\.?\s+(\d{4})", cleaned)
            if not named or named.group(1).lower() not in _MONTHS:
                raise problem
            year, month = int(named.group(2)), _MONTHS[named.group(1).lower()]
        if not 1 <= month <= 12 or not 1900 <= year <= 2200:
            raise problem
        return period_starting(frequency, date(year, month, 1))
    if frequency == "calendar_year":
        if not re.fullmatch(r"\d{4}", cleaned) or not 1900 <= int(cleaned) <= 2200:
            raise problem
        return period_starting(frequency, date(int(cleaned), 1, 1))
    if frequency == "quarterly":
        match = re.fullmatch(r"(.+?)\s*Q([1-4])", cleaned, flags=re.IGNORECASE)
        first_year = _parse_year_pair(match.group(1)) if match else None
        if match is None or first_year is None or not 1900 <= first_year <= 2200:
            raise problem
        return period_starting(
            frequency, _add_months(date(first_year, 4, 1), 3 * (int(match.group(2)) - 1))
        )
    first_year = _parse_year_pair(cleaned)
    if first_year is None or not 1900 <= first_year <= 2200:
        raise problem
    return period_starting(frequency, date(first_year, _YEAR_START[frequency], 1))


def span_label(frequency: str, start: date, end: date) -> str:
    """A run of whole periods as a page shows it: one period's label, a financial year's
    ("2025/26") for its twelve months or four quarters, or "first to last"."""
    first = period_containing(frequency, start)
    last = period_containing(frequency, end)
    if first == last:
        return first.label
    if frequency in ("monthly", "quarterly"):
        year = period_containing("financial_year", first.start)
        if (year.start, year.end) == (first.start, last.end):
            return year.label
    return f"{first.label} to {last.label}"
