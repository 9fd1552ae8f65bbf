"""Continuing professional development: Social Work England registration years, the
registration-year CPD rule, and CPD hours from attended training.

Social Work England's registration year runs from 1 December to 30 November; a social
worker renews by 30 November. Its CPD requirement for a registration year, as this
service checks it: at least two CPD entries dated within the year, at least one of them
discussed with a peer (peer reflection).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Protocol

#: Entries a registration year needs.
MINIMUM_ENTRIES = 2
#: Entries with peer reflection a registration year needs.
MINIMUM_PEER_REFLECTIONS = 1

_HALF = Decimal("0.5")


@dataclass(frozen=True, order=True)
class RegistrationYear:
    """A Social Work England registration year, named by the year it ends in.

    ``RegistrationYear(2025)`` runs from 1 December 2024 to 30 November 2025.
    """

    end_year: int

    @property
    def starts_on(self) -> date:
        """1 December of the year before ``end_year``."""
        return date(self.end_year - 1, 12, 1)

    @property
    def ends_on(self) -> date:
        """30 November of ``end_year``."""
        return date(self.end_year, 11, 30)

    @property
    def label(self) -> str:
        """'1 December 2024 to 30 November 2025'."""
        return f"1 December {self.end_year - 1} to 30 November {self.end_year}"

    def contains(self, day: date) -> bool:
        """Whether ``day`` falls in this registration year."""
        return self.starts_on <= day <= self.ends_on


def registration_year_of(day: date) -> RegistrationYear:
    """The registration year ``day`` falls in: December counts towards the next year."""
    return RegistrationYear(day.year + 1 if day.month == 12 else day.year)


def registration_years_between(first: date, last: date) -> list[RegistrationYear]:
    """Every registration year from the one holding ``first`` to the one holding ``last``."""
    start, end = registration_year_of(first), registration_year_of(last)
    if end < start:
        start, end = end, start
    return [RegistrationYear(year) for year in range(start.end_year, end.end_year + 1)]


class CpdRecord(Protocol):
    """What the rule needs to know of a CPD entry."""

    @property
    def activity_date(self) -> date: ...

    @property
    def peer_reflection(self) -> bool: ...


@dataclass(frozen=True)
class CpdItem:
    """A CPD entry reduced to what the rule needs (handy for tests and callers)."""

    activity_date: date
    peer_reflection: bool = False


@dataclass
class RuleResult:
    """Whether a registration year meets the CPD rule, and why not when it does not."""

    year: RegistrationYear
    entries: int
    peer_reflections: int
    reasons: list[str] = field(default_factory=list)

    @property
    def met(self) -> bool:
        """True when nothing is missing."""
        return not self.reasons


def check_registration_year(entries: Iterable[CpdRecord], year: RegistrationYear) -> RuleResult:
    """Apply the rule to the entries dated within ``year`` (other entries are ignored).

    Met when there are at least two entries in the year and at least one of them has peer
    reflection; otherwise ``reasons`` says what is missing, one sentence per shortfall.
    """
    in_year = [entry for entry in entries if year.contains(entry.activity_date)]
    count = len(in_year)
    peers = sum(1 for entry in in_year if entry.peer_reflection)
    reasons: list[str] = []
    if count < MINIMUM_ENTRIES:
        missing = MINIMUM_ENTRIES - count
        reasons.append(
            f"{count} CPD {'entry' if count == 1 else 'entries'} recorded; "
            f"at least {MINIMUM_ENTRIES} are needed ({missing} more)"
        )
    if peers < MINIMUM_PEER_REFLECTIONS:
        reasons.append("No entry records peer reflection; at least one must")
    return RuleResult(year=year, entries=count, peer_reflections=peers, reasons=reasons)


def check_registration_years(
    entries: Iterable[CpdRecord], years: Iterable[RegistrationYear]
) -> list[RuleResult]:
    """The rule for each of ``years``, latest first."""
    items = list(entries)
    return [check_registration_year(items, year) for year in sorted(set(years), reverse=True)]


def attended_cpd_hours(course_hours: Decimal, attendance: str | None) -> Decimal:
    """CPD hours a booking earns: all of them when attended, half when partly attended,
    none otherwise (did not attend, or no register yet)."""
    if attendance == "attended":
        return Decimal(course_hours)
    if attendance == "partial":
        return Decimal(course_hours) * _HALF
    return Decimal("0")


def cpd_hours_by_registration_year(
    sessions: Iterable[tuple[date, Decimal, str | None]],
) -> dict[RegistrationYear, Decimal]:
    """Sum CPD hours by registration year from (session date, course CPD hours, attendance).

    Attended sessions count in full and partly attended ones count half; a year with no
    hours earned is left out.
    """
    totals: dict[RegistrationYear, Decimal] = {}
    for day, hours, attendance in sessions:
        earned = attended_cpd_hours(hours, attendance)
        if earned:
            year = registration_year_of(day)
            totals[year] = totals.get(year, Decimal("0")) + earned
    return totals
