"""The ``caseload`` report: caseload weighting per worker, per team, or as a trend.

**Which snapshot.** On the report date (``on``, default today) each worker's latest caseload
snapshot taken on or before it and no more than 45 days earlier (``WINDOW_DAYS``); a worker
with no snapshot in those 45 days is not in the report. Only workers in post on the report
date count (a spell in force that day), so a leaver's last snapshot drops out.

**Points, capacity, band** (``workforce.metrics.caseload``): the weighting scheme in force
on the snapshot's date (the latest effective date on or before it); the worker's FTE, ASYE
status and team from their employment spell in force on the snapshot's date (the latest
started, where two overlap). Weighted points = the scheme's stable element + cases x points
per case type and tier + extra responsibility points; capacity = the maximum (the ASYE
maximum in the ASYE) x FTE; utilisation = points / capacity; the band holding it (lower
bound inclusive, upper exclusive) gives the RAG colour and whether it is within the desired
level.

**Team figures.** % of social workers within the desired level: workers in a band within
the desired level over workers with a capacity (FTE above zero) under a scheme. Average
cases per case-holding FTE exactly as the DfE census defines caseload: cases / FTE of the
workers holding one or more cases. Over capacity: points above capacity.

**Trend.** For each calendar month of the last 12 up to the report date, the same
figures on the month's last day (the report date for its own month).

**Who sees whom.** Supervisors see the people they manage (not their own record); HR,
senior leaders, admins and the command line see everyone.

**At scale.** Everything comes from one set-based query per report (the latest snapshot per
worker and day, joined to the spell then in force, with the total cases and case points each
snapshot stores: ``CaseloadSnapshot.total_cases`` and ``case_points``, the sum of cases x
points per case under the scheme in force on its date, kept by
``workforce.services.caseloads`` whenever counts or schemes change, so the report never reads
the count rows); worker and team rows are judged in Python from that query's rows, the
trend's judgements are made in the database with the same rules. The caseloads page, which
shows each worker's latest snapshot of any age, finds the same rows on PostgreSQL by
looking each person up on the indexes (``latest_facts``).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    Date,
    Integer,
    Numeric,
    and_,
    case,
    exists,
    func,
    literal,
    null,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlalchemy.sql import Select
from sqlalchemy.sql.functions import FunctionElement

from workforce.extensions import db
from workforce.metrics import caseload as metrics
from workforce.models import (
    CaseloadSnapshot,
    EmploymentSpell,
    Staff,
    Team,
    UtilisationBand,
    WeightingScheme,
)
from workforce.models.people import fte_millionths, spell_in_force
from workforce.models.workforce_planning import RAG
from workforce.reports.base import Chart, Column, Parameters, Report, Table
from workforce.reports.capability import buckets, viewer_scope
from workforce.reports.registry import report
from workforce.reports.sql import as_date, as_decimal
from workforce.reports.training import no_later_spell
from workforce.security import SEE_ALL_STAFF

if TYPE_CHECKING:
    from workforce.models import User

#: Roles that run the caseload report (admin always may); supervisors see their people.
CASELOAD_REPORT_ROLES = ("hr", "senior_leader", "supervisor")
#: How old a worker's latest snapshot may be on the report date, in days.
WINDOW_DAYS = 45
GROUPINGS: tuple[tuple[str, str], ...] = (
    ("worker", "Worker"),
    ("team", "Team"),
    ("trend", "Trend over 12 months"),
)
#: Months in the trend. Earlier years come from running the report for an earlier date
#: (``--on``): a 36-month trend took 6.5 s at national scale, over the 2 s target.
TREND_MONTHS = {"trend": 12}
NO_SCHEME = "No weighting scheme in force"
EARLIEST = date(1900, 1, 1)
FTE_PLACES = Decimal("0.000001")


class one_year_after(FunctionElement[date]):  # noqa: N801  (reads as a SQL function)
    """The same date a year later (29 February becomes 28 February), as
    ``workforce.metrics.caseload.one_year_after``, on SQLite and PostgreSQL alike."""

    type = Date()
    inherit_cache = True


@compiles(one_year_after)
def _one_year_after_default(element: one_year_after, compiler: Any, **kw: Any) -> str:
    return f"CAST({compiler.process(element.clauses, **kw)} + INTERVAL '1 year' AS DATE)"


@compiles(one_year_after, "sqlite")
def _one_year_after_sqlite(element: one_year_after, compiler: Any, **kw: Any) -> str:
    day = compiler.process(element.clauses, **kw)
    return (
        f"CASE WHEN strftime('%m-%d', {day}) = '02-29' THEN date({day}, '+1 year', '-1 day') "
        f"ELSE date({day}, '+1 year') END"
    )


def _days_table(days: Sequence[tuple[int, date, date]]) -> Any:
    """A derived table (bucket, first_day, last_day) of literal rows."""
    selects = [
        select(
            literal(index, Integer).label("bucket"),
            literal(first, Date).label("first_day"),
            literal(last, Date).label("last_day"),
        )
        for index, first, last in days
    ]
    return (selects[0] if len(selects) == 1 else union_all(*selects)).subquery("days")


def scheme_expression(day: Any, schemes: Sequence[tuple[int, date]]) -> Any:
    """SQL: the id of the scheme in force on ``day``, from (id, effective from) pairs."""
    if not schemes:
        return null()
    ordered = sorted(schemes, key=lambda s: s[1], reverse=True)
    return case(*[(day >= effective, scheme_id) for scheme_id, effective in ordered], else_=null())


def scheme_dates() -> list[tuple[int, date]]:
    """(id, effective from) of every scheme."""
    return [
        (row[0], row[1])
        for row in db.session.execute(select(WeightingScheme.id, WeightingScheme.effective_from))
    ]


def _latest_snapshots(days: Sequence[tuple[int, date, date]], staff_id: int | None) -> Any:
    """SQL: (bucket, last_day, staff_id, taken_on, extra_points, total_cases, case_points)
    of each worker's latest snapshot from each day's first day to its last.

    Looking back without limit (one day from ``EARLIEST``: the caseloads page), the people
    in post each look up their latest snapshot on the (staff, date) index, rather than
    ranking every snapshot ever taken. Otherwise (the report's windows of 45 days) the
    snapshots in each window are ranked, latest first."""
    snap = CaseloadSnapshot
    if len(days) == 1 and days[0][1] <= EARLIEST:
        ((bucket, first, last),) = days
        spell = aliased(EmploymentSpell, name="in_post_spell")
        found = aliased(CaseloadSnapshot, name="found")
        latest_id = (
            select(found.id)
            .where(
                found.staff_id == spell.staff_id,
                found.taken_on >= first,
                found.taken_on <= last,
            )
            .order_by(found.taken_on.desc())
            .limit(1)
            .scalar_subquery()
        )
        # Grouped, so that each person's lookup is made once, before the join.
        people_query = (
            select(spell.staff_id, latest_id.label("snapshot_id"))
            .where(spell_in_force(spell, last))
            .group_by(spell.staff_id)
        )
        if staff_id is not None:
            people_query = people_query.where(spell.staff_id == staff_id)
        people = people_query.subquery("in_post")
        return (
            select(
                literal(bucket, Integer).label("bucket"),
                literal(last, Date).label("last_day"),
                snap.staff_id,
                snap.taken_on,
                snap.extra_points,
                snap.total_cases,
                snap.case_points,
            )
            .select_from(people)
            .join(snap, snap.id == people.c.snapshot_id)
            .subquery("latest")
        )
    table = _days_table(days)
    ranked_query = (
        select(
            table.c.bucket,
            table.c.last_day,
            snap.staff_id,
            snap.taken_on,
            snap.extra_points,
            snap.total_cases,
            snap.case_points,
            func.row_number()
            .over(partition_by=(table.c.bucket, snap.staff_id), order_by=snap.taken_on.desc())
            .label("rank"),
        )
        .select_from(snap)
        .join(table, and_(snap.taken_on >= table.c.first_day, snap.taken_on <= table.c.last_day))
    )
    if staff_id is not None:
        ranked_query = ranked_query.where(snap.staff_id == staff_id)
    ranked = ranked_query.subquery("ranked")
    return (
        select(*(column for column in ranked.c if column.key != "rank"))
        .where(ranked.c.rank == 1)
        .subquery("latest")
    )


def _asye(spell: Any, on: Any) -> Any:
    """SQL: the worker of ``spell`` is in their ASYE on ``on`` (``metrics.in_asye``)."""
    return or_(
        spell.cfkss_status == metrics.ASYE_KSS_STATUS,
        and_(spell.start_origin == metrics.NQSW_ORIGIN, on < one_year_after(spell.start_date)),
    )


def caseload_facts(
    days: Sequence[tuple[int, date, date]],
    *,
    scope: Any = None,
    team_id: int | None = None,
    staff_id: int | None = None,
    with_names: bool = False,
    schemes: Sequence[tuple[int, date]] | None = None,
) -> Any:
    """SQL, one row per day (bucket) and worker in post on its last day who has a snapshot
    from its first day to its last: the latest such snapshot, with the spell in force on the
    snapshot's date (team, FTE in millionths, ASYE), the scheme in force then, and the
    snapshot's stored total cases and case points under that scheme (kept by
    ``workforce.services.caseloads``, so no count rows are read). ``scope`` is a condition
    on ``Staff``. Columns, in order: bucket, staff_id, taken_on, extra_points, team_id,
    fte_millionths, asye, scheme_id, cases, case_points (and with ``with_names``
    staff_number, first_name, last_name, team). ``schemes``: (id, effective from) of every
    scheme, when the caller has them already (read otherwise)."""
    latest = _latest_snapshots(days, staff_id)
    spell = aliased(EmploymentSpell, name="spell_then")
    now = aliased(EmploymentSpell, name="spell_now")
    scheme_id = scheme_expression(latest.c.taken_on, scheme_dates() if schemes is None else schemes)
    asye = _asye(spell, latest.c.taken_on)
    # In post on the last day: the snapshot's own spell still in force then (most are), or
    # failing that any other spell (looked up only for those).
    in_post = or_(
        spell.end_date.is_(None),
        spell.end_date >= latest.c.last_day,
        exists().where(
            now.staff_id == latest.c.staff_id,
            now.start_date <= latest.c.last_day,
            or_(now.end_date.is_(None), now.end_date >= latest.c.last_day),
        ),
    )
    columns: list[Any] = [
        latest.c.bucket.label("bucket"),
        latest.c.staff_id.label("staff_id"),
        latest.c.taken_on.label("taken_on"),
        latest.c.extra_points.label("extra_points"),
        spell.team_id.label("team_id"),
        fte_millionths(spell).label("fte_millionths"),
        asye.label("asye"),
        scheme_id.label("scheme_id"),
        latest.c.total_cases.label("cases"),
        latest.c.case_points.label("case_points"),
    ]
    if with_names:
        columns += [Staff.staff_number, Staff.first_name, Staff.last_name, Team.name.label("team")]
    query = (
        select(*columns)
        .select_from(latest)
        .join(
            spell,
            and_(spell.staff_id == latest.c.staff_id, spell_in_force(spell, latest.c.taken_on)),
        )
        .where(no_later_spell(spell, latest.c.taken_on), in_post)
    )
    if with_names or scope is not None:
        query = query.join(Staff, Staff.id == latest.c.staff_id)
    if with_names:
        query = query.join(Team, Team.id == spell.team_id)
    if scope is not None:
        query = query.where(scope)
    if team_id is not None:
        query = query.where(spell.team_id == team_id)
    return query


# --- judging workers in Python ---------------------------------------------------------------


@dataclass(slots=True)
class Worker:
    """One worker's snapshot as the report judges it."""

    staff_id: int
    taken_on: date
    team_id: int
    fte: Decimal
    asye: bool
    cases: int
    points: Decimal | None
    capacity: Decimal | None
    utilisation_pct: Decimal | None
    band: metrics.Band | None
    names: tuple[str, str, str, str] | None = None
    #: Points above capacity (``metrics.over_capacity``); False without a scheme.
    over_capacity: bool = False

    @property
    def within_desired(self) -> bool:
        return self.band is not None and self.band.within_desired


def _points(scheme: metrics.Scheme, case_points: Any, extra_points: Any) -> Decimal:
    """Weighted points of a snapshot under ``scheme``, from its stored case points."""
    return (
        scheme.stable_points
        + as_decimal(case_points).quantize(metrics.TWO_PLACES)
        + as_decimal(extra_points)
    )


def _scheme_of(row: Any, schemes: Mapping[int, metrics.Scheme]) -> metrics.Scheme | None:
    """The scheme a ``caseload_facts`` row falls under (None: none was in force)."""
    scheme_id = row[7]
    return schemes.get(scheme_id) if scheme_id is not None else None


def judge_rows(rows: Any, schemes: Mapping[int, metrics.Scheme]) -> list[Worker]:
    """Workers from ``caseload_facts`` rows (read by position, in its column order),
    judged with ``workforce.metrics.caseload``."""
    out: list[Worker] = []
    append = out.append
    for row in rows:
        (
            _,
            staff_id,
            taken_on,
            extra_points,
            team_id,
            millionths,
            asye,
            scheme_id,
            cases,
            case_points,
            *names,
        ) = row
        # Six places, as ``workforce.metrics.fte.fte`` gives it.
        worker_fte = Decimal(millionths).scaleb(-6)
        scheme = schemes.get(scheme_id) if scheme_id is not None else None
        asye = bool(asye)
        points = capacity = used = None
        band = None
        over = False
        if scheme is not None:
            points = _points(scheme, case_points, extra_points)
            capacity = metrics.capacity(metrics.maximum_for(scheme, asye), worker_fte)
            used = metrics.utilisation(points, capacity)
            band = metrics.band_for(scheme.bands, used)
            over = metrics.over_capacity(points, capacity)
        append(
            Worker(
                staff_id,
                as_date(taken_on),
                team_id,
                worker_fte,
                asye,
                int(cases or 0),
                points,
                capacity,
                used,
                band,
                tuple(names) if names else None,  # type: ignore[arg-type]
                over,
            )
        )
    return out


def shown_points(row: Any, schemes: Mapping[int, metrics.Scheme]) -> Decimal | None:
    """The weighted points of a ``caseload_facts`` row exactly as its ``worker_row`` shows
    them (None without a scheme), without judging the rest: what sorting every worker by
    them needs, in a sixth of the time."""
    scheme = _scheme_of(row, schemes)
    if scheme is None:
        return None
    return metrics.round_points(_points(scheme, row[9], row[3]))


def shown_utilisation(row: Any, schemes: Mapping[int, metrics.Scheme]) -> Decimal | None:
    """The utilisation (a proportion) of a ``caseload_facts`` row exactly as its
    ``worker_row`` shows it (None without a scheme or a capacity), without judging the rest:
    what sorting every worker by it needs, in a third of the time."""
    scheme = _scheme_of(row, schemes)
    if scheme is None:
        return None
    # FTE to six places, as ``judge_rows`` reads it.
    worker_fte = Decimal(row[5]).scaleb(-6)
    capacity = metrics.capacity(metrics.maximum_for(scheme, bool(row[6])), worker_fte)
    return _share(metrics.utilisation(_points(scheme, row[9], row[3]), capacity))


def latest_facts(
    first: date,
    on: date,
    *,
    scope: Any = None,
    team_id: int | None = None,
    schemes: Sequence[tuple[int, date]] | None = None,
) -> Select[Any]:
    """SQL for PostgreSQL: the rows ``caseload_facts`` gives with names for the single day
    ``on`` looking back to ``first``, in the same columns, found person by person.

    Each person in post on ``on`` (and in ``scope``) looks up their latest snapshot from
    ``first`` to ``on`` on the (staff, date) index, and then the spell in force on its date
    (the latest started, the higher id where two start the same day, as ``no_later_spell``
    and ``Staff.spell_on``), each in a LATERAL subquery that reads one index entry. Being
    in post on ``on`` is where the people come from, so it needs no check of its own; their
    names come with them. ``schemes``: (id, effective from) of every scheme, when the
    caller has them already.

    Built on the tables rather than ORM aliases (each subquery reads its table alone, so
    none needs an alias): building the statement takes a few milliseconds less, which
    counts on a page."""
    spells, snapshots = EmploymentSpell.__table__, CaseloadSnapshot.__table__
    staff, team = Staff.__table__, Team.__table__
    in_post = (
        exists()
        .where(spells.c.staff_id == staff.c.id, spell_in_force(spells.c, on))
        .correlate(staff)
    )
    latest = (
        select(
            snapshots.c.staff_id,
            snapshots.c.taken_on,
            snapshots.c.extra_points,
            snapshots.c.total_cases,
            snapshots.c.case_points,
        )
        .where(
            snapshots.c.staff_id == staff.c.id,
            snapshots.c.taken_on >= first,
            snapshots.c.taken_on <= on,
        )
        .order_by(snapshots.c.taken_on.desc())
        .limit(1)
        .lateral("latest")
    )
    spell = (
        select(
            spells.c.team_id,
            spells.c.contracted_hours,
            spells.c.standard_hours,
            spells.c.cfkss_status,
            spells.c.start_origin,
            spells.c.start_date,
        )
        .where(spells.c.staff_id == latest.c.staff_id, spell_in_force(spells.c, latest.c.taken_on))
        .order_by(spells.c.start_date.desc(), spells.c.id.desc())
        .limit(1)
        .lateral("spell_then")
    )
    query = (
        select(
            literal(0, Integer).label("bucket"),
            latest.c.staff_id,
            latest.c.taken_on,
            latest.c.extra_points,
            spell.c.team_id,
            fte_millionths(spell.c).label("fte_millionths"),
            _asye(spell.c, latest.c.taken_on).label("asye"),
            scheme_expression(
                latest.c.taken_on, scheme_dates() if schemes is None else schemes
            ).label("scheme_id"),
            latest.c.total_cases.label("cases"),
            latest.c.case_points,
            staff.c.staff_number,
            staff.c.first_name,
            staff.c.last_name,
            team.c.name.label("team"),
        )
        .select_from(staff)
        .join(latest, true())
        .join(spell, true())
        .join(team, team.c.id == spell.c.team_id)
        .where(in_post)
    )
    if scope is not None:
        query = query.where(scope)
    if team_id is not None:
        query = query.where(spell.c.team_id == team_id)
    return query


def worker_facts(
    on: date,
    *,
    window_days: int | None = WINDOW_DAYS,
    scope: Any = None,
    team_id: int | None = None,
    schemes: Mapping[int, metrics.Scheme] | None = None,
) -> list[Any]:
    """The ``caseload_facts`` rows (with names) of every worker in post on ``on`` with their
    latest snapshot on or before it (no more than ``window_days`` earlier; None: any age),
    not yet judged, in no particular order. ``schemes``: every scheme by id, when the
    caller has read them already (to judge the rows), so their dates are not read again.

    Looking back without limit (the caseloads page) on PostgreSQL, ``latest_facts`` finds
    them person by person, in three fifths of the time ``caseload_facts`` takes for it at
    county scale (PostgreSQL joins each person's latest snapshot id found there to the
    snapshots by hashing every snapshot). For the report's 45-day window, ranking the few
    snapshots in it is quicker, as it is on SQLite, which has no LATERAL."""
    first = on - timedelta(days=window_days) if window_days is not None else EARLIEST
    dates = None if schemes is None else [(k, s.effective_from) for k, s in schemes.items()]
    if window_days is None and db.session.get_bind().dialect.name == "postgresql":
        query = latest_facts(first, on, scope=scope, team_id=team_id, schemes=dates)
    else:
        query = caseload_facts(
            [(0, first, on)], scope=scope, team_id=team_id, with_names=True, schemes=dates
        )
    return list(db.session.execute(query).all())


def workers_on(
    on: date,
    *,
    window_days: int | None = WINDOW_DAYS,
    scope: Any = None,
    team_id: int | None = None,
    schemes: Mapping[int, metrics.Scheme] | None = None,
) -> list[Worker]:
    """Every worker in post on ``on`` with their latest snapshot on or before it (no more
    than ``window_days`` earlier; None: any age), judged, with names. ``schemes``: every
    scheme by id (``judging_schemes``), when the caller has them already."""
    from workforce.services.caseloads import judging_schemes

    schemes = judging_schemes() if schemes is None else schemes
    rows = worker_facts(on, window_days=window_days, scope=scope, team_id=team_id, schemes=schemes)
    return judge_rows(rows, schemes)


def _share(value: Decimal | None) -> Decimal | None:
    """A percentage as a proportion to four places."""
    if value is None:
        return None
    return (value / metrics.HUNDRED).quantize(metrics.RATE_PLACES, ROUND_HALF_UP)


def tally(workers: Sequence[Worker]) -> dict[str, Any]:
    """The team figures of some workers."""
    judged = [w for w in workers if w.utilisation_pct is not None]
    within = sum(1 for w in judged if w.within_desired)
    cases = sum(w.cases for w in workers)
    holder_fte = sum((w.fte for w in workers if w.cases >= 1), Decimal(0))
    return {
        "workers": len(workers),
        "within": within,
        "within_rate": metrics.rate(within, len(judged)),
        "over_capacity": sum(1 for w in workers if w.over_capacity),
        "cases": cases,
        "case_holder_fte": holder_fte.quantize(Decimal("0.01"), ROUND_HALF_UP),
        "average_caseload": metrics.caseload_ratio(cases, holder_fte),
    }


def worker_row(worker: Worker) -> dict[str, Any]:
    """A worker as a row of the report and of the caseloads page."""
    staff_number, first, last, team = worker.names or ("", "", "", "")
    band = worker.band
    return {
        "_staff_id": worker.staff_id,
        "_rag": band.rag if band else "",
        "team": team,
        "worker": f"{last}, {first}",
        "staff_number": staff_number,
        "taken_on": worker.taken_on,
        "fte": worker.fte.quantize(Decimal("0.01"), ROUND_HALF_UP),
        "asye": "Yes" if worker.asye else "No",
        "cases": worker.cases,
        "points": metrics.round_points(worker.points) if worker.points is not None else None,
        "capacity": metrics.round_points(worker.capacity) if worker.capacity is not None else None,
        "utilisation": _share(worker.utilisation_pct),
        "band": band.name if band else (NO_SCHEME if worker.points is None else ""),
        "rag": RAG.get(band.rag, "") if band else "",
        "within_desired": "Yes" if worker.within_desired else "No",
        "over_capacity": "Yes" if worker.over_capacity else "No",
    }


# --- the trend, judged in the database -------------------------------------------------------


def trend_figures(
    days: Sequence[tuple[int, date, date]], *, scope: Any = None, team_id: int | None = None
) -> dict[int, dict[str, Any]]:
    """Per bucket: workers, workers with a capacity, within the desired level, over
    capacity, cases and case-holding FTE, each worker judged in SQL by the same rules as
    ``judge_rows``."""
    facts = caseload_facts(days, scope=scope, team_id=team_id).subquery("facts")
    scheme = aliased(WeightingScheme, name="scheme")
    band = aliased(UtilisationBand, name="band")
    worker_fte = facts.c.fte_millionths * literal(Decimal("0.000001"), Numeric(8, 6))
    maximum = case((facts.c.asye, scheme.asye_max), else_=scheme.full_time_max)
    points = scheme.stable_points + facts.c.case_points + facts.c.extra_points
    capacity = maximum * worker_fte
    scaled = points * 100
    within = exists().where(
        band.scheme_id == facts.c.scheme_id,
        band.within_desired.is_(True),
        scaled >= band.lower_pct * capacity,
        or_(band.upper_pct.is_(None), scaled < band.upper_pct * capacity),
    )
    judged = and_(scheme.id.is_not(None), capacity > 0)

    def count_when(condition: Any) -> Any:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    query = (
        select(
            facts.c.bucket,
            func.count().label("workers"),
            count_when(judged).label("judged"),
            count_when(and_(judged, within)).label("within"),
            count_when(and_(scheme.id.is_not(None), points > capacity)).label("over"),
            func.coalesce(func.sum(facts.c.cases), 0).label("cases"),
            func.coalesce(func.sum(case((facts.c.cases >= 1, worker_fte), else_=None)), 0).label(
                "holder_fte"
            ),
        )
        .select_from(facts)
        .outerjoin(scheme, scheme.id == facts.c.scheme_id)
        .group_by(facts.c.bucket)
    )
    out: dict[int, dict[str, Any]] = {}
    for row in db.session.execute(query):
        holder_fte = as_decimal(row.holder_fte).quantize(FTE_PLACES, ROUND_HALF_UP)
        cases = int(row.cases)
        out[int(row.bucket)] = {
            "workers": int(row.workers),
            "within": int(row.within),
            "within_rate": metrics.rate(int(row.within), int(row.judged)),
            "over_capacity": int(row.over),
            "cases": cases,
            "case_holder_fte": holder_fte.quantize(Decimal("0.01"), ROUND_HALF_UP),
            "average_caseload": metrics.caseload_ratio(cases, holder_fte),
        }
    return out


def trend_days(on: date, months: int) -> list[tuple[int, date, date, str]]:
    """(index, first day of the window, day, month label) for the ``months`` calendar months
    up to ``on``: each month's last day, ``on`` for its own month."""
    year, month = on.year, on.month - (months - 1)
    while month < 1:
        year, month = year - 1, month + 12
    found = buckets(date(year, month, 1), on, "month")
    return [(b.index, b.end - timedelta(days=WINDOW_DAYS), b.end, b.label) for b in found]


# --- the report ----------------------------------------------------------------------------

TALLY_COLUMNS = [
    Column("workers", "Workers", "integer", "Workers in post with a snapshot in the window."),
    Column(
        "within",
        "Within the desired level",
        "integer",
        "Workers whose utilisation falls in a band within the desired level.",
    ),
    Column(
        "within_rate",
        "Within the desired level (%)",
        "percent",
        "Workers within the desired level over workers with a capacity under a scheme.",
    ),
    Column("over_capacity", "Over capacity", "integer", "Workers whose points exceed capacity."),
    Column("cases", "Cases", "integer", "Cases held."),
    Column(
        "case_holder_fte",
        "Case-holding FTE",
        "decimal",
        "FTE of the workers holding one or more cases.",
    ),
    Column(
        "average_caseload",
        "Average cases per case-holding FTE",
        "decimal",
        "Cases over case-holding FTE (the DfE census caseload).",
    ),
]
WORKER_COLUMNS = [
    Column("team", "Team", description="The worker's team on the snapshot date."),
    Column("worker", "Worker"),
    Column("staff_number", "Staff number"),
    Column("taken_on", "Snapshot date", "date"),
    Column("fte", "FTE", "decimal", "From the spell in force on the snapshot date."),
    Column("asye", "In ASYE"),
    Column("cases", "Cases", "integer"),
    Column(
        "points",
        "Weighted points",
        "decimal",
        "Stable element + cases x points per case type and tier + extra responsibility points.",
    ),
    Column("capacity", "Capacity", "decimal", "The scheme's maximum (ASYE maximum) x FTE."),
    Column("utilisation", "Utilisation (%)", "percent", "Weighted points over capacity."),
    Column("band", "Band"),
    Column("rag", "RAG"),
    Column("within_desired", "Within the desired level"),
    Column("over_capacity", "Over capacity"),
]
BAND_COLUMNS = [
    Column("band", "Band"),
    Column("rag", "RAG"),
    Column("within_desired", "Within the desired level"),
    Column("workers", "Workers", "integer"),
    Column("share", "Share of workers (%)", "percent"),
]


def _scope(viewer: User | None) -> Any:
    if viewer is None or viewer.has_role(*SEE_ALL_STAFF):
        return None
    return viewer_scope(viewer)


def _team_rows(workers: Sequence[Worker]) -> list[dict[str, Any]]:
    teams: dict[str, list[Worker]] = defaultdict(list)
    for worker in workers:
        teams[worker.names[3] if worker.names else ""].append(worker)
    return [
        {"team": team, **tally(members)}
        for team, members in sorted(teams.items(), key=lambda pair: pair[0].casefold())
    ]


def _band_rows(
    workers: Sequence[Worker], schemes: Sequence[metrics.Scheme]
) -> list[dict[str, Any]]:
    """Workers per band name (bands of every scheme the workers fall under, in order)."""
    counts = Counter(w.band.name for w in workers if w.band is not None)
    seen: dict[str, metrics.Band] = {}
    for scheme in schemes:
        for band in scheme.bands:
            seen.setdefault(band.name, band)
    for worker in workers:
        if worker.band is not None:
            seen.setdefault(worker.band.name, worker.band)
    judged = sum(counts.values())
    return [
        {
            "band": name,
            "rag": RAG.get(band.rag, band.rag),
            "within_desired": "Yes" if band.within_desired else "No",
            "workers": counts[name],
            "share": metrics.rate(counts[name], judged),
        }
        for name, band in sorted(seen.items(), key=lambda pair: pair[1].lower_pct)
    ]


NOTES = [
    f"Each worker in post on the report date with their latest caseload snapshot taken on or "
    f"before it and no more than {WINDOW_DAYS} days earlier; workers without one are not "
    "listed.",
    "Points and bands follow the weighting scheme in force on the snapshot's date. Weighted "
    "points = the stable element + for each case type and tier, cases x points per case + "
    "extra responsibility points. Capacity = the full-time maximum (the ASYE maximum for a "
    "worker in their ASYE: census KSS status ASYE, or a post begun as a newly qualified social "
    "worker less than a year before) x FTE, from the spell in force on the snapshot date. "
    "Utilisation = points / capacity; bands run from their lower limit (inclusive) to their "
    "upper limit (exclusive).",
    "% within the desired level: workers whose band is within the desired level, over workers "
    "with a capacity (FTE above zero) under a scheme. Over capacity: points above capacity.",
    "Average cases per case-holding FTE, as the DfE children's social work workforce census "
    "defines caseload: cases held / FTE of the workers holding one or more cases.",
    "Percentages are shown as percentages on the page and in the spreadsheet, as proportions "
    "between 0 and 1 in CSV and JSON.",
]


@report(
    "caseload",
    title="Caseload weighting",
    description=(
        "Each worker's latest caseload: cases, weighted points, capacity, utilisation, band "
        "and RAG; or by team: % of social workers within the desired level, average cases "
        "per case-holding FTE (the DfE definition) and workers over capacity; or the trend "
        "month by month."
    ),
    roles=CASELOAD_REPORT_ROLES,
    accepts=("on", "team", "by"),
    by_choices=GROUPINGS,
)
def build_caseload(params: Parameters, viewer: User | None) -> Report:
    """The caseload report (one row per worker, per team, or per month)."""
    from workforce.services.caseloads import judging_schemes

    on = params.on or date.today()
    by = params.by or "worker"
    scope = _scope(viewer)
    sections: list[Table] = []
    if by in TREND_MONTHS:
        days = trend_days(on, TREND_MONTHS[by])
        figures = trend_figures(
            [(i, first, last) for i, first, last, _ in days], scope=scope, team_id=params.team_id
        )
        # A month with nobody in it: the figures of no workers, as the worker and team
        # views show them (no cases on 0.00 case-holding FTE).
        empty = tally([])
        rows: list[dict[str, Any]] = [
            {"month": label, "on": last, **figures.get(i, empty)} for i, _, last, label in days
        ]
        summary = {k: rows[-1][k] for k in (c.key for c in TALLY_COLUMNS)}
        columns = [
            Column("month", "Month"),
            Column("on", "Standing on", "date", "The month's last day (the report date)."),
            *TALLY_COLUMNS,
        ]
        chart = Chart(
            title="Workers within the desired level, month by month",
            label="month",
            series=("within_rate",),
            horizontal=False,
        )
    else:
        every_scheme = judging_schemes()
        workers = workers_on(on, scope=scope, team_id=params.team_id, schemes=every_scheme)
        schemes = every_scheme if workers else {}
        summary = tally(workers)
        if by == "team":
            rows = _team_rows(workers)
            columns = [Column("team", "Team"), *TALLY_COLUMNS]
            chart = Chart(
                title="Workers within the desired level by team",
                label="team",
                series=("within_rate",),
            )
        else:
            rows = sorted(
                (worker_row(w) for w in workers),
                key=lambda r: (r["team"].casefold(), r["worker"].casefold()),
            )
            columns = WORKER_COLUMNS
            sections.append(
                Table(
                    "by_band",
                    "Workers by band",
                    BAND_COLUMNS,
                    _band_rows(workers, list(schemes.values())),
                )
            )
            chart = Chart(
                title="Workers by utilisation band",
                label="band",
                series=("workers",),
                table="by_band",
            )
    return Report(
        name="caseload",
        title="Caseload weighting",
        parameters={},
        columns=columns,
        rows=rows,
        summary=summary,
        figures=TALLY_COLUMNS,
        sections=sections,
        chart=chart,
        notes=[f"Standing on {on.isoformat()}.", *NOTES],
    )
