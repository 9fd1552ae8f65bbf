"""The ``turnover`` report: turnover and retention of child and family social workers as
the DfE children's social work workforce census defines them (DOMAIN.md section 4), for a
census year (1 October to 30 September, stock at 30 September; ``--year 2023`` is the year
ending 30 September 2023) or any period (stock on its last day), by team, organisational
role or census year (the five census years ending with the chosen one).

Every figure follows ``workforce.metrics.turnover``; this module only counts.

**Scope.** "Child and family social workers" are employment spells with a census
organisational role (``EmploymentSpell.org_role``); spells without one (business support,
say) are outside every figure. Agency spells (contract type "agency") are counted only as
agency workers, never in post, starting or leaving; agency records are never de-duplicated.

**In post** at the end: non-agency spells in force on the last day. FTE sums the FTE of
every post (census ``FTE30``); headcount counts people, each once, under their more senior
post (the lower organisational role code; then the later started; then the later
recorded), which also decides their team and role in the rows. Someone whose last day is
the last day of the period is a leaver and not in post (as in the census, where a leaver
with a role end date in the year is not in post at 30 September).

**Starters and leavers** are movements into and out of the authority's child and family
social work: a spell starting in the period is a start unless the same person held another
non-agency in-scope spell the day before; a spell ending in the period is a leave unless
the person holds another from the next day (or still holds one they held alongside it).
Moving team or role is neither. A leaver's FTE is the FTE of the role ended; headcounts
count people (the more senior spell decides team, role, reason and destination).

**Vacancies** per team: the funded establishment in force at the end (the latest record on
or before it) less the team's in-post FTE, never below 0; teams with no establishment
recorded have no vacancy figure, and totals add up the teams that have one. Vacancies are
per team, so there is no vacancy figure by role.

**Absence**: working days lost from absence records of people in a non-agency in-scope
spell when the absence began. An absence that runs over the start or end of the period
counts the share of its days that its calendar days in the period make up (an absence
still open runs to today). The published rate is sickness (census reason SIC) over in-post
FTE x 253; the rate for all reasons is shown beside it, and each reason in a section.

**Caseload**: each person in an in-scope spell (agency workers included) at the end, with
the cases of their latest caseload snapshot in the twelve months up to the end (an older
snapshot says nothing about the cases held at the end); case holders hold one or
more cases, and their FTE is the FTE of all their in-scope posts in force.

**Stability**: people in post a year before the end (non-agency, in scope) who are still
in post at the end, grouped by their post a year before. **ASYE cohorts**: people whose
in-scope non-agency spell began with census start origin 1 (newly qualified social
worker), grouped by the census year of that start, in post on the first and second
anniversaries of it; a person counts towards "after N years" once that anniversary is on
or before the end of the report.

**Speed.** Each measure is one set-based query over all the periods at once (the periods
are a small derived table), grouped by period, team and role in the database; Python only
rolls the groups up into rows. Leavers, whose length of service is needed, and ASYE
cohorts come back one row per person.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    BigInteger,
    Date,
    Integer,
    and_,
    case,
    cast,
    exists,
    func,
    literal,
    or_,
    select,
    text,
    union_all,
)
from sqlalchemy.orm import aliased

from workforce.extensions import db
from workforce.metrics import turnover as measures
from workforce.models import EmploymentSpell, Team
from workforce.models.people import fte_millionths, spell_in_force
from workforce.models.workforce_planning import (
    Absence,
    CaseloadCount,
    CaseloadSnapshot,
    TeamEstablishment,
)
from workforce.reports.base import CENSUS_YEAR, Chart, Column, Parameters, Report, Table
from workforce.reports.registry import report
from workforce.reports.sql import as_date, as_decimal, days_between, shift_days
from workforce.services.reference import labels

if TYPE_CHECKING:
    from workforce.models import User

#: Roles that run the turnover report (admin always may).
TURNOVER_REPORT_ROLES = ("hr", "senior_leader")
AGENCY = "agency"
SICKNESS = "SIC"
NQSW_ORIGIN = "1"
#: Census years in the report by year, ending with the chosen one.
YEARS_BY_YEAR = 5
NO_REASON = "Not recorded"
ZERO = Decimal(0)


def fte_of_millionths(value: Any) -> Decimal:
    """An FTE from a sum of ``fte_millionths`` (exact: six places, as the census has it)."""
    return Decimal(int(value or 0)).scaleb(-6)


# --- periods ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """One period the report measures: its name (the census year, or 0 for a range), first
    and last day, and the day a year before the last."""

    year: int
    start: date
    end: date

    @property
    def year_before(self) -> date:
        """The day a year before the end (stability's starting stock)."""
        return measures.add_years(self.end, -1)

    @property
    def label(self) -> str:
        """How a row names the period."""
        if self.year and (self.start, self.end) == CENSUS_YEAR.bounds(self.year):
            return f"{CENSUS_YEAR.label(self.year)} (year to 30 September {self.year})"
        return f"{self.start.isoformat()} to {self.end.isoformat()}"


def periods_table(periods: list[Period]) -> Any:
    """SQL: a small derived table of the periods (year, first, last, year_before)."""
    selects = [
        select(
            literal(p.year, Integer).label("year"),
            literal(p.start, Date).label("first"),
            literal(p.end, Date).label("last"),
            literal(p.year_before, Date).label("year_before"),
        )
        for p in periods
    ]
    query = selects[0] if len(selects) == 1 else union_all(*selects)
    return query.subquery("periods")


def _in_scope(spell: Any) -> Any:
    return and_(spell.org_role.is_not(None), spell.contract_type != AGENCY)


def _senior_order(spell: Any) -> tuple[Any, ...]:
    return (spell.org_role, spell.start_date.desc(), spell.id.desc())


def _has_predecessor(spell: Any) -> Any:
    """SQL: the person held another non-agency in-scope spell the day before ``spell``."""
    other = aliased(EmploymentSpell)
    return exists().where(
        other.staff_id == spell.staff_id,
        other.id != spell.id,
        _in_scope(other),
        other.start_date < spell.start_date,
        or_(other.end_date.is_(None), other.end_date >= shift_days(spell.start_date, -1)),
    )


def _has_successor(spell: Any) -> Any:
    """SQL: the person holds another non-agency in-scope spell after ``spell`` ends, from
    the next day or alongside it."""
    other = aliased(EmploymentSpell)
    return exists().where(
        other.staff_id == spell.staff_id,
        other.id != spell.id,
        _in_scope(other),
        other.start_date <= shift_days(spell.end_date, 1),
        or_(other.end_date.is_(None), other.end_date > spell.end_date),
    )


def in_stock(spell: Any, day: Any) -> Any:
    """SQL: ``spell`` counts in the stock on ``day``: in force that day, unless it is a
    non-agency spell ending that day with the person leaving (a leaver is not in post)."""
    return and_(
        spell_in_force(spell, day),
        or_(
            spell.end_date.is_(None),
            spell.end_date != day,
            spell.contract_type == AGENCY,
            _has_successor(spell),
        ),
    )


# --- figures per (period, team, role) -------------------------------------------------------


@dataclass
class Cell:
    """Additive figures for one period, team and role."""

    headcount: int = 0
    fte: Decimal = ZERO
    agency_headcount: int = 0
    agency_fte: Decimal = ZERO
    agency_cover_fte: Decimal = ZERO
    starters_headcount: int = 0
    starters_fte: Decimal = ZERO
    leavers_headcount: int = 0
    leavers_fte: Decimal = ZERO
    days_lost: dict[str, Decimal] = field(default_factory=lambda: defaultdict(lambda: ZERO))
    case_holders: int = 0
    case_holding_fte: Decimal = ZERO
    cases: int = 0
    year_before: int = 0
    still_in_post: int = 0

    def add(self, other: Cell) -> None:
        """Add ``other``'s figures to these."""
        self.headcount += other.headcount
        self.fte += other.fte
        self.agency_headcount += other.agency_headcount
        self.agency_fte += other.agency_fte
        self.agency_cover_fte += other.agency_cover_fte
        self.starters_headcount += other.starters_headcount
        self.starters_fte += other.starters_fte
        self.leavers_headcount += other.leavers_headcount
        self.leavers_fte += other.leavers_fte
        self.case_holders += other.case_holders
        self.case_holding_fte += other.case_holding_fte
        self.cases += other.cases
        self.year_before += other.year_before
        self.still_in_post += other.still_in_post
        for reason, days in other.days_lost.items():
            self.days_lost[reason] += days


@dataclass(frozen=True)
class Leaver:
    """One person leaving: when, from which team and role, why, where to, and when their
    unbroken service began."""

    year: int
    team_id: int
    org_role: str
    staff_id: int
    left: date
    joined: date
    reason: str | None
    destination: str | None


@dataclass
class Figures:
    """Everything counted: cells by (year, team id, role), funded FTE by (year, team id),
    leavers (one per person and leave, with their FTE in ``leaver_fte``) and the team
    names."""

    cells: dict[tuple[int, int, str], Cell] = field(default_factory=dict)
    funded: dict[tuple[int, int], Decimal] = field(default_factory=dict)
    leavers: list[Leaver] = field(default_factory=list)
    leaver_fte: dict[tuple[int, str | None, str | None], Decimal] = field(default_factory=dict)
    teams: dict[int, str] = field(default_factory=dict)

    def cell(self, year: int, team_id: int, role: str) -> Cell:
        """The cell for a period, team and role (created empty)."""
        key = (year, team_id, role)
        found = self.cells.get(key)
        if found is None:
            found = self.cells[key] = Cell()
        return found


def _cases_held(staff_id: Any, periods: Any) -> Any:
    """SQL, correlated with a person and a period: the cases of the person's latest caseload
    snapshot in the twelve months up to the period's end (NULL without one). One lookup on
    the (staff, date) index and one on the counts per person in post, rather than finding
    everyone's latest snapshot among a year of them."""
    snap = aliased(CaseloadSnapshot, name="latest_snapshot")
    latest = (
        select(snap.id)
        .where(
            snap.staff_id == staff_id,
            snap.taken_on <= periods.c.last,
            snap.taken_on > periods.c.year_before,
        )
        .order_by(snap.taken_on.desc())
        .limit(1)
        .correlate_except(snap)
        .scalar_subquery()
    )
    count = aliased(CaseloadCount, name="held_count")
    return (
        select(func.sum(count.cases))
        .where(count.snapshot_id == latest)
        .correlate_except(count)
        .scalar_subquery()
    )


def _stock(periods: Any, team_id: int | None, figures: Figures) -> None:
    """In post, agency and caseload at each period's end."""
    s = EmploymentSpell
    is_agency = case((s.contract_type == AGENCY, 1), else_=0)
    in_force = (
        select(
            periods.c.year,
            periods.c.last,
            s.staff_id,
            s.team_id,
            s.org_role,
            is_agency.label("agency"),
            s.covers_vacancy,
            fte_millionths(s).label("fte"),
            # The person's non-agency posts first, the more senior first: rank 1 is the
            # post their headcount (and caseload) goes under.
            func.row_number()
            .over(
                partition_by=(periods.c.year, s.staff_id),
                order_by=(is_agency, *_senior_order(s)),
            )
            .label("rank_any"),
            func.sum(fte_millionths(s))
            .over(partition_by=(periods.c.year, s.staff_id))
            .label("person_fte"),
            _cases_held(s.staff_id, periods).label("cases"),
        )
        .select_from(s)
        .join(periods, in_stock(s, periods.c.last))
        .where(s.org_role.is_not(None))
        .subquery("in_force")
    )
    c = in_force.c
    # Caseload goes under the person's rank-1 post.
    holds = and_(c.rank_any == 1, c.cases > 0)
    query = (
        select(
            c.year,
            c.team_id,
            c.org_role,
            func.sum(case((c.agency == 0, c.fte), else_=0)),
            func.sum(case((and_(c.agency == 0, c.rank_any == 1), 1), else_=0)),
            func.sum(c.agency),
            func.sum(case((c.agency == 1, c.fte), else_=0)),
            func.sum(case((and_(c.agency == 1, c.covers_vacancy.is_(True)), c.fte), else_=0)),
            func.sum(case((holds, 1), else_=0)),
            func.sum(case((holds, c.person_fte), else_=0)),
            func.sum(case((holds, c.cases), else_=0)),
        )
        .select_from(in_force)
        .group_by(c.year, c.team_id, c.org_role)
    )
    if team_id is not None:
        query = query.where(c.team_id == team_id)
    for (
        year,
        team,
        role,
        fte,
        heads,
        agency_heads,
        agency_fte,
        cover,
        holders,
        holding_fte,
        cases,
    ) in db.session.execute(query):
        cell = figures.cell(year, team, role)
        cell.fte += fte_of_millionths(fte)
        cell.headcount += int(heads or 0)
        cell.agency_headcount += int(agency_heads or 0)
        cell.agency_fte += fte_of_millionths(agency_fte)
        cell.agency_cover_fte += fte_of_millionths(cover)
        cell.case_holders += int(holders or 0)
        cell.case_holding_fte += fte_of_millionths(holding_fte)
        cell.cases += int(cases or 0)


def _starters(periods: Any, team_id: int | None, figures: Figures) -> None:
    s = EmploymentSpell
    rows = (
        select(
            periods.c.year,
            s.team_id,
            s.org_role,
            fte_millionths(s).label("fte"),
            func.row_number()
            .over(partition_by=(periods.c.year, s.staff_id), order_by=_senior_order(s))
            .label("rank"),
        )
        .select_from(s)
        .join(periods, s.start_date.between(periods.c.first, periods.c.last))
        .where(_in_scope(s), ~_has_predecessor(s))
    )
    if team_id is not None:
        rows = rows.where(s.team_id == team_id)
    started = rows.subquery("started")
    c = started.c
    for year, team, role, fte, heads in db.session.execute(
        select(
            c.year,
            c.team_id,
            c.org_role,
            func.sum(c.fte),
            func.sum(case((c.rank == 1, 1), else_=0)),
        ).group_by(c.year, c.team_id, c.org_role)
    ):
        cell = figures.cell(year, team, role)
        cell.starters_fte += fte_of_millionths(fte)
        cell.starters_headcount += int(heads or 0)


def _leavers(periods: Any, team_id: int | None, figures: Figures) -> None:
    s = EmploymentSpell
    joining = aliased(EmploymentSpell, name="joining")
    joined = (
        select(func.max(joining.start_date))
        .where(
            joining.staff_id == s.staff_id,
            _in_scope(joining),
            joining.start_date <= s.end_date,
            ~_has_predecessor(joining),
        )
        .correlate(s)
        .scalar_subquery()
    )
    rank = (
        func.row_number()
        .over(partition_by=(periods.c.year, s.staff_id), order_by=_senior_order(s))
        .label("rank")
    )
    query = (
        select(
            periods.c.year,
            s.team_id,
            s.org_role,
            s.staff_id,
            s.end_date,
            fte_millionths(s).label("fte"),
            s.leaving_reason,
            s.leaver_destination,
            joined.label("joined"),
            rank,
        )
        .select_from(s)
        .join(periods, s.end_date.between(periods.c.first, periods.c.last))
        .where(_in_scope(s), ~_has_successor(s))
    )
    if team_id is not None:
        query = query.where(s.team_id == team_id)
    ranked = query.subquery("left")
    c = ranked.c
    for (
        year,
        team,
        role,
        staff_id,
        left,
        fte,
        reason,
        destination,
        start,
        rank_,
    ) in db.session.connection().execute(select(*c)):
        fte = fte_of_millionths(fte)
        cell = figures.cell(year, team, role)
        cell.leavers_fte += fte
        key = (year, reason, destination)
        figures.leaver_fte[key] = figures.leaver_fte.get(key, ZERO) + fte
        if rank_ == 1:
            cell.leavers_headcount += 1
            left = as_date(left)
            figures.leavers.append(
                Leaver(
                    year,
                    team,
                    role,
                    staff_id,
                    left,
                    as_date(start) if start is not None else left,
                    reason,
                    destination,
                )
            )


def _absence(periods: Any, team_id: int | None, today: date, figures: Figures) -> None:
    """Working days lost by census reason: absences wholly in a period count in full; the
    rest count the share of their calendar days in the period."""
    s = EmploymentSpell
    a = Absence
    open_end = case((a.start_date > today, a.start_date), else_=literal(today, Date))
    ends = func.coalesce(a.end_date, open_end)
    rows = (
        select(
            periods.c.year,
            periods.c.first,
            periods.c.last,
            s.team_id,
            s.org_role,
            a.reason,
            a.working_days_lost.label("days"),
            a.start_date,
            ends.label("ends"),
            func.row_number()
            .over(partition_by=(periods.c.year, a.id), order_by=_senior_order(s))
            .label("rank"),
        )
        .select_from(a)
        .join(
            periods,
            and_(
                a.start_date <= periods.c.last,
                or_(a.end_date.is_(None), a.end_date >= periods.c.first),
                ends >= periods.c.first,
            ),
        )
        .join(s, and_(s.staff_id == a.staff_id, spell_in_force(s, a.start_date), _in_scope(s)))
        .subquery("absent")
    )
    c = rows.c
    within = and_(c.start_date >= c.first, c.ends <= c.last)
    inside_to = case((c.ends < c.last, c.ends), else_=c.last)
    inside_from = case((c.start_date > c.first, c.start_date), else_=c.first)
    # The share of an absence's days in the period is days in it over all its days (1 over
    # 1 for one wholly inside); working days lost are added up in tenths (the column holds
    # one place) per share, so that Python can add the shares exactly.
    inside = case((within, 1), else_=days_between(inside_to, inside_from) + 1).label("inside")
    whole = case((within, 1), else_=days_between(c.ends, c.start_date) + 1).label("whole")
    tenths = func.sum(cast(func.round(c.days * 10), BigInteger))
    query = (
        select(c.year, c.team_id, c.org_role, c.reason, inside, whole, tenths)
        .where(c.rank == 1)
        .group_by(c.year, c.team_id, c.org_role, c.reason, inside, whole)
    )
    if team_id is not None:
        query = query.where(c.team_id == team_id)
    # Absences wholly inside (most) add whole tenths; the few running over an end add
    # exact fractions.
    whole_tenths: dict[tuple[int, int, str, str], int] = defaultdict(int)
    shares: dict[tuple[int, int, str, str], Fraction] = defaultdict(Fraction)
    for year, team, role, reason, days_in, days_all, days_tenths in db.session.execute(query):
        key = (year, team, role, reason)
        if days_in == days_all:
            whole_tenths[key] += int(days_tenths)
        else:
            shares[key] += Fraction(int(days_tenths) * int(days_in), int(days_all))
    for key in whole_tenths.keys() | shares.keys():
        year, team, role, reason = key
        if key in shares:
            tenths = shares[key] + whole_tenths.get(key, 0)
            days = Decimal(tenths.numerator) / (10 * tenths.denominator)
        else:
            days = Decimal(whole_tenths[key]).scaleb(-1)
        figures.cell(year, team, role).days_lost[reason] += days


def _establishment(periods: Any, team_id: int | None, figures: Figures) -> None:
    e = TeamEstablishment
    later = aliased(TeamEstablishment)
    query = (
        select(periods.c.year, e.team_id, e.funded_fte)
        .select_from(e)
        .join(periods, e.effective_from <= periods.c.last)
        .where(
            ~exists().where(
                later.team_id == e.team_id,
                later.effective_from > e.effective_from,
                later.effective_from <= periods.c.last,
            )
        )
    )
    if team_id is not None:
        query = query.where(e.team_id == team_id)
    for year, team, funded in db.session.execute(query):
        figures.funded[(year, team)] = as_decimal(funded)


def _stability(periods: Any, team_id: int | None, figures: Figures) -> None:
    s = EmploymentSpell
    later = aliased(EmploymentSpell, name="still")
    still = exists().where(
        later.staff_id == s.staff_id, _in_scope(later), in_stock(later, periods.c.last)
    )
    ranked = (
        select(
            periods.c.year,
            s.team_id,
            s.org_role,
            case((still, 1), else_=0).label("still"),
            func.row_number()
            .over(partition_by=(periods.c.year, s.staff_id), order_by=_senior_order(s))
            .label("rank"),
        )
        .select_from(s)
        .join(periods, in_stock(s, periods.c.year_before))
        .where(_in_scope(s))
        .subquery("year_before")
    )
    c = ranked.c
    query = (
        select(c.year, c.team_id, c.org_role, func.count(), func.sum(c.still))
        .where(c.rank == 1)
        .group_by(c.year, c.team_id, c.org_role)
    )
    if team_id is not None:
        query = query.where(c.team_id == team_id)
    for year, team, role, count, kept in db.session.execute(query):
        cell = figures.cell(year, team, role)
        cell.year_before += int(count)
        cell.still_in_post += int(kept or 0)


def count_figures(
    period_list: list[Period], team_id: int | None = None, today: date | None = None
) -> Figures:
    """Every additive figure of the report for ``period_list``, by period, team and role."""
    figures = Figures()
    if db.session.get_bind().dialect.name == "postgresql":
        # The planner's cost estimates for the range joins on the periods table are far
        # above the work done (about 0.1 s a query), which switches on JIT compilation: 0.7 s
        # of compiling per query, on a 50,000-person authority. For this transaction only.
        db.session.execute(text("SET LOCAL jit = off"))
    periods = periods_table(period_list)
    _stock(periods, team_id, figures)
    _starters(periods, team_id, figures)
    _leavers(periods, team_id, figures)
    _absence(periods, team_id, today or date.today(), figures)
    _establishment(periods, team_id, figures)
    _stability(periods, team_id, figures)
    team_ids = {key[1] for key in figures.cells} | {key[1] for key in figures.funded}
    if team_ids:
        figures.teams = dict(
            db.session.execute(select(Team.id, Team.name).where(Team.id.in_(team_ids))).all()
        )
    return figures


# --- ASYE cohorts ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Cohort:
    """Newly qualified starters of one census year and how many stayed."""

    year: int
    started: int
    eligible_1: int
    retained_1: int
    eligible_2: int
    retained_2: int


def asye_cohorts(years: list[int], as_at: date, team_id: int | None = None) -> list[Cohort]:
    """Retention after one and two years of each census year's newly qualified starters
    (start origin 1), judged on ``as_at``: two queries (the starters, then their spells)."""
    first, _ = CENSUS_YEAR.bounds(min(years))
    _, last = CENSUS_YEAR.bounds(max(years))
    s = EmploymentSpell
    started = select(s.staff_id, func.min(s.start_date).label("started")).where(
        _in_scope(s),
        s.start_origin == NQSW_ORIGIN,
        s.start_date.between(first, min(last, as_at)),
    )
    if team_id is not None:
        started = started.where(s.team_id == team_id)
    starters = started.group_by(s.staff_id).subquery("cohort")
    begun = {
        staff_id: as_date(day)
        for staff_id, day in db.session.execute(select(starters.c.staff_id, starters.c.started))
    }
    stints: dict[int, list[measures.Stint]] = defaultdict(list)
    for staff_id, start, end in db.session.execute(
        select(s.staff_id, s.start_date, s.end_date)
        .join(starters, starters.c.staff_id == s.staff_id)
        .where(_in_scope(s))
    ):
        stints[staff_id].append(
            measures.Stint(as_date(start), as_date(end) if end is not None else None)
        )
    tallies = {year: [0, 0, 0, 0, 0] for year in years}
    for staff_id, day in begun.items():
        tally = tallies.get(CENSUS_YEAR.year_of(day))
        if tally is None:
            continue
        tally[0] += 1
        for index, after in ((1, 1), (3, 2)):
            if measures.add_years(day, after) <= as_at:
                tally[index] += 1
                tally[index + 1] += measures.retained_after(stints[staff_id], day, after)
    return [Cohort(year, *tallies[year]) for year in years]


# --- the report ---------------------------------------------------------------------------------


GROUP_LABELS = {"team": "Team", "role": "Organisational role", "year": "Census year"}


def _columns(by: str) -> list[Column]:
    return [
        Column("group", GROUP_LABELS[by]),
        Column("headcount", "Headcount in post", "integer", "People in post at the end."),
        Column("fte", "FTE in post", "decimal", "FTE of non-agency posts in force at the end."),
        Column("starters_headcount", "Starters", "integer"),
        Column("starters_fte", "Starters FTE", "decimal"),
        Column("leavers_headcount", "Leavers", "integer"),
        Column("leavers_fte", "Leavers FTE", "decimal", "FTE of the roles ended."),
        Column(
            "turnover_rate", "Turnover rate", "percent", "Leavers FTE over FTE in post at the end."
        ),
        Column(
            "turnover_rate_headcount",
            "Turnover rate (headcount)",
            "percent",
            "Leavers over headcount in post at the end.",
        ),
        Column(
            "funded_fte",
            "Funded establishment FTE",
            "decimal",
            "In force at the end of the period.",
        ),
        Column(
            "vacancies_fte", "Vacancies FTE", "decimal", "Funded FTE less FTE in post, not below 0."
        ),
        Column(
            "vacancy_rate",
            "Vacancy rate",
            "percent",
            "Vacancies FTE over vacancies FTE plus FTE in post.",
        ),
        Column("agency_headcount", "Agency workers", "integer", "In post at the end."),
        Column("agency_fte", "Agency FTE", "decimal"),
        Column(
            "agency_rate", "Agency rate", "percent", "Agency FTE over agency FTE plus FTE in post."
        ),
        Column("agency_cover_fte", "Agency FTE covering vacancies", "decimal"),
        Column(
            "agency_cover_rate",
            "Agency cover rate",
            "percent",
            "Agency FTE covering vacancies over agency FTE.",
        ),
        Column("days_lost_sickness", "Working days lost to sickness", "decimal"),
        Column(
            "absence_rate",
            "Sickness absence rate",
            "percent",
            "Working days lost to sickness over FTE in post x 253 (as the DfE publishes).",
        ),
        Column("days_lost", "Working days lost (all reasons)", "decimal"),
        Column(
            "absence_rate_all",
            "Absence rate (all reasons)",
            "percent",
            "Working days lost for any census reason over FTE in post x 253.",
        ),
        Column("case_holders", "Case holders", "integer", "Holding one or more cases at the end."),
        Column("case_holding_fte", "Case-holding FTE", "decimal", "Agency workers included."),
        Column("cases", "Cases", "integer"),
        Column("caseload", "Caseload", "decimal", "Cases over case-holding FTE."),
    ]


def measure_row(cell: Cell, funded: Decimal | None, vacancies: Decimal | None) -> dict[str, Any]:
    """The published measures for one row's additive figures."""
    sickness = cell.days_lost.get(SICKNESS, ZERO)
    all_days = sum(cell.days_lost.values(), ZERO)
    fte = measures.published_fte
    return {
        "headcount": cell.headcount,
        "fte": fte(cell.fte),
        "starters_headcount": cell.starters_headcount,
        "starters_fte": fte(cell.starters_fte),
        "leavers_headcount": cell.leavers_headcount,
        "leavers_fte": fte(cell.leavers_fte),
        "turnover_rate": measures.turnover_rate(cell.leavers_fte, cell.fte),
        "turnover_rate_headcount": measures.turnover_rate(cell.leavers_headcount, cell.headcount),
        "funded_fte": None if funded is None else fte(funded),
        "vacancies_fte": None if vacancies is None else fte(vacancies),
        "vacancy_rate": None if vacancies is None else measures.vacancy_rate(vacancies, cell.fte),
        "agency_headcount": cell.agency_headcount,
        "agency_fte": fte(cell.agency_fte),
        "agency_rate": measures.agency_rate(cell.agency_fte, cell.fte),
        "agency_cover_fte": fte(cell.agency_cover_fte),
        "agency_cover_rate": measures.agency_cover_rate(cell.agency_cover_fte, cell.agency_fte),
        "days_lost_sickness": fte(sickness),
        "absence_rate": measures.absence_rate(sickness, cell.fte),
        "days_lost": fte(all_days),
        "absence_rate_all": measures.absence_rate(all_days, cell.fte),
        "case_holders": cell.case_holders,
        "case_holding_fte": fte(cell.case_holding_fte),
        "cases": cell.cases,
        "caseload": measures.caseload(cell.cases, cell.case_holding_fte),
    }


@dataclass
class Group:
    """A row being rolled up: its figures and establishment."""

    cell: Cell = field(default_factory=Cell)
    funded: Decimal | None = None
    vacancies: Decimal | None = None

    def add_establishment(self, funded: Decimal, in_post: Decimal) -> None:
        """Add one team's establishment and its vacancies."""
        self.funded = (self.funded or ZERO) + funded
        self.vacancies = (self.vacancies or ZERO) + measures.vacancies_fte(funded, in_post)


def roll_up(figures: Figures, years: list[int], by: str) -> dict[Any, Group]:
    """Groups keyed by team id, role code or year, for the periods ``years``."""
    groups: dict[Any, Group] = defaultdict(Group)
    team_fte: dict[tuple[int, int], Decimal] = defaultdict(lambda: ZERO)
    wanted = set(years)
    for (year, team, role), cell in figures.cells.items():
        if year not in wanted:
            continue
        key = {"team": team, "role": role, "year": year}[by]
        groups[key].cell.add(cell)
        team_fte[(year, team)] += cell.fte
    if by != "role":
        for (year, team), funded in figures.funded.items():
            if year in wanted:
                key = team if by == "team" else year
                groups[key].add_establishment(funded, team_fte[(year, team)])
    return groups


def _period_list(params: Parameters, by: str) -> tuple[list[Period], Period]:
    start = params.start or CENSUS_YEAR.bounds(CENSUS_YEAR.default_year(date.today()))[0]
    end = params.end or CENSUS_YEAR.bounds(CENSUS_YEAR.default_year(date.today()))[1]
    if by == "year":
        last_year = params.year or CENSUS_YEAR.year_of(end)
        years = range(last_year - YEARS_BY_YEAR + 1, last_year + 1)
        periods = [Period(y, *CENSUS_YEAR.bounds(y)) for y in years]
        return periods, periods[-1]
    main = Period(params.year or 0, start, end)
    return [main], main


def _share(part: Any, whole: Any) -> Decimal | None:
    return measures.published_rate(part, whole) if whole else None


@report(
    "turnover",
    title="Turnover and retention",
    description=(
        "Child and family social workers in post, starters, leavers, turnover, vacancies, "
        "agency workers, absence and caseload as the DfE census defines them, by team, "
        "organisational role or census year; leavers by reason, destination and length of "
        "service; stability; retention of each ASYE cohort."
    ),
    roles=TURNOVER_REPORT_ROLES,
    accepts=("period", "team", "by"),
    by_choices=(
        ("team", "Team"),
        ("role", "Organisational role"),
        ("year", "Census year (the last five)"),
    ),
    year=CENSUS_YEAR,
)
def build_turnover(params: Parameters, viewer: User | None) -> Report:
    """The turnover and retention report."""
    by = params.by or "team"
    periods, main = _period_list(params, by)
    figures = count_figures(periods, params.team_id)
    role_labels = labels("org_role")
    groups = roll_up(figures, [p.year for p in periods], by)
    by_year = {p.year: p for p in periods}

    def label(key: Any) -> str:
        if by == "team":
            return figures.teams.get(key, str(key))
        if by == "role":
            return role_labels.get(key, key)
        return by_year[key].label

    def order(key: Any) -> Any:
        return label(key).casefold() if by == "team" else key

    rows = []
    for key in sorted(groups, key=order):
        group = groups[key]
        rows.append({"group": label(key), **measure_row(group.cell, group.funded, group.vacancies)})

    # The summary: the whole report period (for by year, the latest year).
    summary_groups = roll_up(figures, [main.year], "year")
    whole = summary_groups.get(main.year, Group())
    summary = measure_row(whole.cell, whole.funded, whole.vacancies)
    summary["stability_rate"] = _share(whole.cell.still_in_post, whole.cell.year_before)
    summary["vacancy_agency_cover_rate"] = (
        measures.vacancy_agency_cover_rate(whole.cell.agency_cover_fte, whole.vacancies)
        if whole.vacancies
        else None
    )
    columns = _columns(by)
    figures_columns = [Column(c.key, c.label, c.kind, c.description) for c in columns[1:]]
    figures_columns += [
        Column(
            "stability_rate",
            "Stability",
            "percent",
            "People in post a year before the end still in post at the end.",
        ),
        Column(
            "vacancy_agency_cover_rate",
            "Vacancies covered by agency workers",
            "percent",
            "Agency FTE covering vacancies over vacancies FTE.",
        ),
    ]
    sections = _sections(figures, groups, main, by, label, order, params.team_id)
    period_text = (
        f"the five census years to 30 September {main.year}"
        if by == "year"
        else f"{main.start.isoformat()} to {main.end.isoformat()}"
    )
    return Report(
        name="turnover",
        title="Turnover and retention",
        parameters={},
        columns=columns,
        rows=rows,
        summary=summary,
        figures=figures_columns,
        sections=sections,
        chart=Chart(
            title="Turnover, vacancy and agency rates",
            label="group",
            series=("turnover_rate", "vacancy_rate", "agency_rate"),
        ),
        notes=[
            f"Period: {period_text}; stock figures (in post, agency, vacancies, caseload) on "
            "the last day. The summary and the leaver, length-of-service and stability "
            "sections describe "
            + (f"the census year to 30 September {main.year}." if by == "year" else "the period."),
            "Scope: child and family social workers, meaning posts with a census "
            "organisational role. Agency workers count only in the agency figures and "
            "caseload; they are never starters or leavers.",
            "Headcount counts people, each under their more senior post (lower "
            "organisational role code); FTE is contracted over standard hours, at most 1, "
            "summed over posts. Moving team or role is neither a start nor a leave.",
            "Turnover rate: leavers FTE (the FTE of the role ended) over FTE in post at the "
            "end. Agency rate: agency FTE over agency plus in-post FTE. Vacancy rate: "
            "vacancies FTE (the funded establishment in force at the end less FTE in post, "
            "per team, not below 0) over vacancies plus in-post FTE; teams with no "
            "establishment recorded have no vacancy figure. Agency cover rate: agency FTE "
            "covering vacancies over agency FTE.",
            "Absence rate: working days lost over FTE in post x 253 working days; the DfE "
            "publishes sickness absence (reason SIC). An absence running over the start or "
            "end of the period counts the share of its calendar days in the period.",
            "Caseload: cases in each person's latest caseload snapshot in the twelve months up "
            "to the end, "
            "over the FTE of case holders (people holding at least one case, agency workers "
            "included).",
            "Rates are shown to one decimal place of a percentage and FTE to one decimal "
            "place, as the DfE publishes them; rates are worked out before rounding.",
        ],
    )


LEAVER_COLUMNS = [
    Column("label", "Reason"),
    Column("leavers_headcount", "Leavers", "integer"),
    Column("leavers_fte", "Leavers FTE", "decimal"),
    Column("share", "Share of leavers", "percent", "Of the headcount of leavers."),
]


def _sections(
    figures: Figures,
    groups: dict[Any, Group],
    main: Period,
    by: str,
    label: Any,
    order: Any,
    team_id: int | None,
) -> list[Table]:
    leavers = [leaver for leaver in figures.leavers if leaver.year == main.year]
    total_leavers = len(leavers)

    def tally(kind: str, list_name: str, title: str, key: str) -> Table:
        code_labels = labels(list_name)
        heads: dict[str | None, int] = defaultdict(int)
        ftes: dict[str | None, Decimal] = defaultdict(lambda: ZERO)
        for leaver in leavers:
            heads[getattr(leaver, kind)] += 1
        for (year, reason, destination), fte in figures.leaver_fte.items():
            if year == main.year:
                ftes[reason if kind == "reason" else destination] += fte
        codes = [code for code in code_labels if code in heads or code in ftes]
        if None in heads or None in ftes:
            codes.append(None)  # type: ignore[arg-type]
        rows = [
            {
                "label": code_labels.get(code, code) if code is not None else NO_REASON,
                "leavers_headcount": heads.get(code, 0),
                "leavers_fte": measures.published_fte(ftes.get(code, ZERO)),
                "share": _share(heads.get(code, 0), total_leavers),
            }
            for code in codes
        ]
        columns = [Column("label", title), *LEAVER_COLUMNS[1:]]
        return Table(key, f"Leavers by {title.lower()}", columns, rows)

    service: dict[str, int] = defaultdict(int)
    for leaver in leavers:
        service[measures.length_of_service_band(leaver.joined, leaver.left)] += 1
    service_rows = [
        {
            "band": band,
            "leavers_headcount": service.get(band, 0),
            "share": _share(service.get(band, 0), total_leavers),
        }
        for _, band in measures.LENGTH_OF_SERVICE_BANDS
    ]

    stability_rows = []
    for key in sorted(groups, key=order):
        cell = groups[key].cell
        if not cell.year_before and by != "year":
            continue
        stability_rows.append(
            {
                "group": label(key),
                "year_before": cell.year_before,
                "still_in_post": cell.still_in_post,
                "stability_rate": measures.stability_rate(cell.year_before, cell.still_in_post),
            }
        )

    years = (
        list(range(main.year - YEARS_BY_YEAR + 1, main.year + 1))
        if main.year
        else [CENSUS_YEAR.year_of(main.end) - i for i in range(YEARS_BY_YEAR - 1, -1, -1)]
    )
    cohort_rows = [
        {
            "cohort": CENSUS_YEAR.label(c.year),
            "started": c.started,
            "eligible_1": c.eligible_1,
            "retained_1": c.retained_1,
            "retention_1": measures.retention_rate(c.eligible_1, c.retained_1),
            "eligible_2": c.eligible_2,
            "retained_2": c.retained_2,
            "retention_2": measures.retention_rate(c.eligible_2, c.retained_2),
        }
        for c in asye_cohorts(years, main.end, team_id)
    ]
    return [
        tally("reason", "leaving_reason", "Reason", "leavers_by_reason"),
        tally("destination", "leaver_destination", "Destination", "leavers_by_destination"),
        Table(
            "length_of_service",
            "Length of service at leaving",
            [
                Column("band", "Length of unbroken service"),
                Column("leavers_headcount", "Leavers", "integer"),
                Column("share", "Share of leavers", "percent"),
            ],
            service_rows,
        ),
        Table(
            "stability",
            "Stability",
            [
                Column("group", GROUP_LABELS[by]),
                Column("year_before", "In post a year before the end", "integer"),
                Column("still_in_post", "Still in post at the end", "integer"),
                Column("stability_rate", "Stability", "percent"),
            ],
            stability_rows,
        ),
        Table(
            "asye_cohorts",
            "Retention of ASYE cohorts",
            [
                Column("cohort", "Started in census year"),
                Column("started", "Newly qualified starters", "integer"),
                Column("eligible_1", "A year on by the end", "integer"),
                Column("retained_1", "In post after one year", "integer"),
                Column("retention_1", "Retained after one year", "percent"),
                Column("eligible_2", "Two years on by the end", "integer"),
                Column("retained_2", "In post after two years", "integer"),
                Column("retention_2", "Retained after two years", "percent"),
            ],
            cohort_rows,
        ),
        _absence_section(figures, main),
    ]


def _absence_section(figures: Figures, main: Period) -> Table:
    days: dict[str, Decimal] = defaultdict(lambda: ZERO)
    in_post = ZERO
    for (year, _, _), cell in figures.cells.items():
        if year == main.year:
            in_post += cell.fte
            for reason, lost in cell.days_lost.items():
                days[reason] += lost
    reason_labels = labels("absence_reason")
    rows = [
        {
            "reason": f"{code}: {text}",
            "days_lost": measures.published_fte(days.get(code, ZERO)),
            "absence_rate": measures.absence_rate(days.get(code, ZERO), in_post),
        }
        for code, text in reason_labels.items()
    ]
    return Table(
        "absence_by_reason",
        "Working days lost by census absence reason",
        [
            Column("reason", "Reason"),
            Column("days_lost", "Working days lost", "decimal"),
            Column("absence_rate", "Absence rate", "percent", "Over FTE in post x 253."),
        ],
        rows,
    )


__all__ = [
    "TURNOVER_REPORT_ROLES",
    "Period",
    "asye_cohorts",
    "build_turnover",
    "count_figures",
]
