"""Turnover and retention, exactly as the DfE children's social work workforce census
publishes them (DOMAIN.md section 4, "How the published rates come from the return's
items").

Definitions, for a census year (1 October to 30 September; stock figures at 30 September)
or any period, with the stock taken on its last day:

- **in-post FTE**: the FTE (contracted hours / standard hours for the grade, at most 1) of
  every non-agency post in force on the last day (census ``FTE30``), summed over posts;
  **headcount** counts people, not posts;
- **turnover rate** = leavers FTE in the period / in-post FTE at the end, where a leaver's
  FTE is the FTE of the role they ended (census ``FTE``);
- **agency rate** = agency FTE / (agency FTE + in-post FTE), agency FTE being ``FTE30`` of
  agency workers in post at the end;
- **vacancy rate** = vacancies FTE / (vacancies FTE + in-post FTE);
- **agency cover rate** = agency FTE covering vacancies / agency FTE; the published
  "vacancies covered by agency workers" is agency FTE covering vacancies / vacancies FTE;
- **caseload** = cases at the end / FTE of case holders (anyone holding one or more cases,
  agency workers included);
- **absence rate** = working days lost / (in-post FTE x 253). The DfE does not publish the
  number of working days; 253 is the only figure that reproduces the published England
  2023, North East 2023 and England 2025 rates;
- **stability** = people in post a year before the end who are still in post at the end,
  over people in post a year before the end;
- **retention of a cohort after N years** = people of the cohort in post on the N-th
  anniversary of their start, over people of the cohort whose N-th anniversary has come.

Rates are proportions between 0 and 1 rounded to the published precision (one decimal
place of a percentage: 0.159 is 15.9%); FTE to one decimal place; caseload to one decimal
place. ``None`` means "no denominator", never zero. Round half up, from unrounded sums.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

__all__ = [
    "LENGTH_OF_SERVICE_BANDS",
    "WORKING_DAYS_IN_YEAR",
    "Stint",
    "absence_rate",
    "add_years",
    "agency_cover_rate",
    "agency_rate",
    "caseload",
    "continuous_start",
    "in_post_on",
    "length_of_service_band",
    "published_fte",
    "published_rate",
    "retained_after",
    "retention_rate",
    "stability_rate",
    "turnover_rate",
    "vacancies_fte",
    "vacancy_agency_cover_rate",
    "vacancy_rate",
    "years_of_service",
]

#: Working days in a year behind the published absence rate.
WORKING_DAYS_IN_YEAR = 253
#: Published precision: a rate to one decimal place of a percentage.
RATE_PLACES = Decimal("0.001")
#: Published precision of FTE and caseload.
ONE_PLACE = Decimal("0.1")

#: Length of service bands (lower bound in whole years inclusive, label), as the DfE
#: publishes length of service in the local authority.
LENGTH_OF_SERVICE_BANDS: tuple[tuple[int, str], ...] = (
    (0, "Less than 2 years"),
    (2, "2 to less than 5 years"),
    (5, "5 to less than 10 years"),
    (10, "10 to less than 20 years"),
    (20, "20 to less than 30 years"),
    (30, "30 years or more"),
)

Number = int | Decimal


def _check(*values: Number) -> None:
    for value in values:
        if value < 0:
            raise ValueError("counts and FTE cannot be negative")


def published_rate(numerator: Number, denominator: Number) -> Decimal | None:
    """``numerator / denominator`` as a proportion rounded to one decimal place of a
    percentage (0.159 is 15.9%); None when the denominator is zero."""
    _check(numerator, denominator)
    if not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(RATE_PLACES, ROUND_HALF_UP)


def published_fte(value: Number) -> Decimal:
    """An FTE (or caseload) to one decimal place, as published."""
    return Decimal(value).quantize(ONE_PLACE, ROUND_HALF_UP)


def turnover_rate(leavers_fte: Number, in_post_fte: Number) -> Decimal | None:
    """Leavers FTE in the year over in-post FTE at the end (also used with headcounts)."""
    return published_rate(leavers_fte, in_post_fte)


def agency_rate(agency_fte: Number, in_post_fte: Number) -> Decimal | None:
    """Agency FTE over agency FTE plus in-post (non-agency) FTE."""
    _check(agency_fte, in_post_fte)
    return published_rate(agency_fte, Decimal(agency_fte) + Decimal(in_post_fte))


def vacancies_fte(funded_fte: Number, in_post_fte: Number) -> Decimal:
    """Vacancies FTE: the funded establishment less the FTE in post, never below 0."""
    _check(funded_fte, in_post_fte)
    return max(Decimal(funded_fte) - Decimal(in_post_fte), Decimal(0))


def vacancy_rate(vacancies: Number, in_post_fte: Number) -> Decimal | None:
    """Vacancies FTE over vacancies FTE plus in-post FTE."""
    _check(vacancies, in_post_fte)
    return published_rate(vacancies, Decimal(vacancies) + Decimal(in_post_fte))


def agency_cover_rate(covering_fte: Number, agency_fte: Number) -> Decimal | None:
    """Agency FTE covering vacancies over all agency FTE."""
    if covering_fte > agency_fte:
        raise ValueError("agency FTE covering vacancies cannot exceed agency FTE")
    return published_rate(covering_fte, agency_fte)


def vacancy_agency_cover_rate(covering_fte: Number, vacancies: Number) -> Decimal | None:
    """Agency FTE covering vacancies over vacancies FTE (may exceed 100%)."""
    return published_rate(covering_fte, vacancies)


def caseload(cases: Number, case_holding_fte: Number) -> Decimal | None:
    """Cases at the end over the FTE of case holders, to one decimal place."""
    _check(cases, case_holding_fte)
    if not case_holding_fte:
        return None
    return published_fte(Decimal(cases) / Decimal(case_holding_fte))


def absence_rate(
    days_lost: Number, in_post_fte: Number, working_days: int = WORKING_DAYS_IN_YEAR
) -> Decimal | None:
    """Working days lost over (in-post FTE x working days in the year)."""
    _check(days_lost, in_post_fte)
    if working_days <= 0:
        raise ValueError("working days must be more than zero")
    return published_rate(days_lost, Decimal(in_post_fte) * working_days)


def stability_rate(in_post_year_before: int, still_in_post: int) -> Decimal | None:
    """People in post a year before the end still in post at the end, over those in post a
    year before."""
    if still_in_post > in_post_year_before:
        raise ValueError("more people still in post than were in post")
    return published_rate(still_in_post, in_post_year_before)


def retention_rate(eligible: int, retained: int) -> Decimal | None:
    """People of a cohort retained, over those whose anniversary has come."""
    if retained > eligible:
        raise ValueError("more people retained than in the cohort")
    return published_rate(retained, eligible)


# --- spells ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Stint:
    """One post held from ``start`` to ``end`` (inclusive; None while it continues)."""

    start: date
    end: date | None = None

    def in_force(self, day: date) -> bool:
        """Whether the post is held on ``day``."""
        return self.start <= day and (self.end is None or self.end >= day)


def add_years(day: date, years: int) -> date:
    """The ``years``-th anniversary of ``day`` (29 February falls on 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def in_post_on(stints: Iterable[Stint], day: date) -> bool:
    """Whether any of ``stints`` is in force on ``day``."""
    return any(stint.in_force(day) for stint in stints)


def continuous_start(stints: Sequence[Stint], day: date) -> date | None:
    """The start of the unbroken run of posts that covers ``day`` (posts that overlap or
    follow one another the next day join up); None when no post is in force on ``day``."""
    if not in_post_on(stints, day):
        return None
    runs: list[list[date | None]] = []
    for stint in sorted(stints, key=lambda s: s.start):
        if runs:
            last_end = runs[-1][1]
            if last_end is None or stint.start.toordinal() <= last_end.toordinal() + 1:
                runs[-1][1] = (
                    None if last_end is None or stint.end is None else max(last_end, stint.end)
                )
                continue
        runs.append([stint.start, stint.end])
    for run_start, run_end in runs:
        assert run_start is not None
        if run_start <= day and (run_end is None or run_end >= day):
            return run_start
    return None


def years_of_service(joined: date, left: date) -> int:
    """Whole years from ``joined`` to ``left`` (both inclusive: a post held from 1 October
    2020 to 30 September 2021 is one year)."""
    if left < joined:
        raise ValueError("left before joining")
    years = left.year - joined.year
    if add_years(joined, years) > date.fromordinal(left.toordinal() + 1):
        years -= 1
    return years


def length_of_service_band(joined: date, left: date) -> str:
    """The published length-of-service band for service from ``joined`` to ``left``."""
    years = years_of_service(joined, left)
    label = LENGTH_OF_SERVICE_BANDS[0][1]
    for lower, band in LENGTH_OF_SERVICE_BANDS:
        if years >= lower:
            label = band
    return label


def retained_after(stints: Iterable[Stint], started: date, years: int) -> bool:
    """Whether someone who started on ``started`` is in post on the ``years``-th
    anniversary of that day."""
    return in_post_on(stints, add_years(started, years))
