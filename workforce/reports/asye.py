"""The ASYE cohort dashboard as report ``asye-cohort``: every current newly qualified social
worker with a RAG status, the next review, evidence, protected time, supervision and
caseload against the cap; cohort outcomes; retention one and two years after passing; and
workshop attendance per PCF domain.

Every figure comes from a fixed handful of set-based queries of plain columns, never one per
enrolment and never an ORM object per row: the current enrolments with their team, then
their pauses, reviews held, evidence counts, protected hours, supervision dates and latest
caseload snapshots, each selected through the same conditions in SQL rather than a list of
ids; outcomes per cohort, retention and workshop attendance are counted by the database.
Only the current enrolments (a small share of every enrolment ever started) come back as
rows. The schedule, protected time due and missed supervision windows are
``workforce.metrics.asye``'s.

**Current.** An enrolment started on or before the date with no outcome, or an outcome
recorded after the date.

**Status (RAG).** Red: a required review overdue (an optional review point never counts as
overdue), the latest judgement "not on track", or past the completion deadline (the date is
after the start plus the programme's completion months, or the final review, pushed back by
pauses, falls after it). Amber (when not red): the latest judgement "some concerns", a
missed supervision window, protected time more than 10 hours behind what is due, or a
weighted caseload over the cap. Green otherwise.

**Who sees whom.** HR, L&D officers (the ASYE lead), senior leaders, admins and the command
line see every enrolment; a supervisor sees the enrolments they assess (as the enrolment's
assessor account) or line-manage (as the enrolment's line manager).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import Date, Integer, Select, and_, exists, func, literal, or_, select, union_all
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlalchemy.sql.functions import FunctionElement

from workforce.extensions import db
from workforce.metrics.asye import (
    Pause,
    completion_deadline,
    evidence_progress,
    missed_windows,
    protected_hours_due,
    review_status,
    schedule,
    supervision_windows,
)
from workforce.metrics.training import rate
from workforce.models import EmploymentSpell, FrameworkDomain, Staff, Team
from workforce.models.asye import (
    JUDGEMENTS,
    OUTCOMES,
    AsyeCohort,
    AsyeEnrolment,
    AsyeEvidence,
    AsyePause,
    AsyeProgramme,
    AsyeReview,
    ProtectedTime,
)
from workforce.models.people import spell_in_force
from workforce.models.training import Booking, Course, TrainingSession, course_domain
from workforce.models.workforce_planning import CaseloadSnapshot
from workforce.reports.base import Chart, Column, Parameters, Report, Table
from workforce.reports.registry import report
from workforce.reports.sql import count_when
from workforce.reports.training import no_later_spell
from workforce.security import SEE_ALL_STAFF
from workforce.services.asye import (
    asye_stages,
    supervision_dates,
    weighting_schemes,
    window_dates,
)

if TYPE_CHECKING:
    from workforce.models import User

#: Roles that run the report (admin always may); supervisors see their own enrolments.
ASYE_REPORT_ROLES = ("ld_officer", "hr", "senior_leader", "supervisor")
#: Protected time further behind than this many hours makes the status amber.
PROTECTED_BEHIND_HOURS = 10
NO_TEAM = "No team recorded"
RAG = ("Red", "Amber", "Green")
ONE_PLACE = Decimal("0.1")
TWO_PLACES = Decimal("0.01")

COLUMNS = [
    Column("name", "Name"),
    Column("staff_number", "Staff number"),
    Column("team", "Team", description="The team of the person's post on the date."),
    Column("cohort", "Cohort"),
    Column("start", "Start", "date", "The Social Work England registration date."),
    Column("weeks_in", "Weeks in", "integer", "Whole weeks from the start to the date."),
    Column("status", "Status", description="Red, amber or green: see the notes."),
    Column("reasons", "Why"),
    Column("next_review", "Next review", description="The first review point not yet held."),
    Column("next_review_due", "Next review due", "date", "Pushed back by any pauses."),
    Column("overdue_reviews", "Overdue reviews", "integer"),
    Column(
        "evidence_held",
        "Evidence held",
        "integer",
        "Pieces of evidence dated up to the date, counted up to each requirement.",
    ),
    Column("evidence_required", "Evidence required", "integer"),
    Column("protected_used", "Protected hours used", "decimal"),
    Column(
        "protected_due",
        "Protected hours due",
        "decimal",
        "The programme's share of contracted hours, pro rata to the year elapsed.",
    ),
    Column(
        "missed_supervision",
        "Missed supervision windows",
        "integer",
        "Windows of the ASYE supervision schedule ended before the date with no session.",
    ),
    Column(
        "caseload_points",
        "Caseload points",
        "decimal",
        "The latest caseload snapshot up to the date: stable element, case points and extras.",
    ),
    Column(
        "caseload_cap",
        "Caseload cap",
        "decimal",
        "The programme's cap, or the weighting scheme's ASYE maximum, times the FTE of the "
        "post on the snapshot's day.",
    ),
]
OUTCOME_COLUMNS = [
    Column("cohort", "Cohort"),
    Column("starts_on", "Cohort starts", "date"),
    Column("enrolled", "Enrolled", "integer"),
    *(Column(key, label, "integer") for key, label in OUTCOMES.items()),
    Column("in_progress", "In progress", "integer"),
]
RETENTION_COLUMNS = [
    Column("measure", "Measure"),
    Column("eligible", "Passed, with the date reached", "integer"),
    Column("retained", "Still in post", "integer"),
    Column("retention_rate", "Retention (%)", "percent"),
]
WORKSHOP_COLUMNS = [
    Column("domain", "PCF domain"),
    Column("workshops", "Workshop courses", "integer"),
    Column("attendances", "Attendances", "integer"),
    Column("people", "People attending", "integer"),
]
STATUS_COLUMNS = [Column("status", "Status"), Column("people", "People", "integer")]
FIGURES = [
    Column("current", "Current enrolments", "integer"),
    Column("red", "Red", "integer"),
    Column("amber", "Amber", "integer"),
    Column("green", "Green", "integer"),
    Column("overdue_reviews", "Overdue reviews", "integer"),
    Column("upcoming_reviews", "Reviews due in the next 14 days", "integer"),
    Column("missed_supervision", "Missed supervision windows", "integer"),
    Column("over_cap", "Caseloads over the cap", "integer"),
    Column("passed", "Passed (all cohorts)", "integer"),
    Column("retention_1y_rate", "Retention one year after passing (%)", "percent"),
    Column("retention_2y_rate", "Retention two years after passing (%)", "percent"),
]


def viewer_scope(viewer: User) -> Any:
    """SQL condition on ``AsyeEnrolment``: the enrolments ``viewer`` reports on."""
    if viewer.has_role(*SEE_ALL_STAFF):
        return True
    conditions = [AsyeEnrolment.assessor_id == viewer.id]
    if viewer.staff_id is not None:
        conditions.append(AsyeEnrolment.line_manager_id == viewer.staff_id)
    return or_(*conditions)


def _d(value: Any) -> date:
    return value.date() if isinstance(value, datetime) else value


def _one_place(value: float | Decimal) -> Decimal:
    return Decimal(str(value)).quantize(ONE_PLACE, ROUND_HALF_UP)


@dataclass(frozen=True)
class _Caseload:
    points: Decimal
    asye_max: Decimal | None
    fte: Decimal | None


@dataclass(frozen=True)
class _Current:
    """A current enrolment in scope: what its row reads."""

    id: int
    staff_id: int
    programme_id: int
    start: date
    contracted_hours: Decimal
    cohort: str
    name: str
    staff_number: str
    team: str


def _in_scope(query: Select[Any], on: date, viewer: User | None, team_id: int | None) -> Any:
    """``query`` (of ``AsyeEnrolment``) limited to the enrolments started by ``on`` in
    scope, with the person's post in ``team_id`` on the date if given."""
    query = query.where(AsyeEnrolment.start_date <= on)
    if team_id is not None:
        spell = aliased(EmploymentSpell)
        query = query.join(
            spell,
            and_(
                spell.staff_id == AsyeEnrolment.staff_id,
                spell_in_force(spell, on),
                spell.team_id == team_id,
            ),
        ).where(no_later_spell(spell, on))
    if viewer is not None:
        query = query.where(viewer_scope(viewer))
    return query


def _current_condition(on: date) -> Any:
    return or_(AsyeEnrolment.outcome_on.is_(None), AsyeEnrolment.outcome_on > on)


def _current_enrolments(on: date, viewer: User | None, team_id: int | None) -> list[_Current]:
    """The current enrolments in scope, with the person's team on the date, in the report's
    order (cohort start, name), in one query of plain columns."""
    spell = EmploymentSpell
    query = (
        select(
            AsyeEnrolment.id,
            AsyeEnrolment.staff_id,
            AsyeEnrolment.programme_id,
            AsyeEnrolment.start_date,
            AsyeEnrolment.contracted_hours,
            AsyeCohort.name,
            Staff.last_name,
            Staff.first_name,
            Staff.staff_number,
            Team.name,
        )
        .join(Staff, Staff.id == AsyeEnrolment.staff_id)
        .join(AsyeCohort, AsyeCohort.id == AsyeEnrolment.cohort_id)
        .outerjoin(spell, and_(spell.staff_id == Staff.id, spell_in_force(spell, on)))
        .outerjoin(Team, Team.id == spell.team_id)
        .where(AsyeEnrolment.start_date <= on, _current_condition(on), no_later_spell(spell, on))
        .order_by(AsyeCohort.starts_on, Staff.last_name, Staff.first_name, AsyeEnrolment.id)
    )
    if team_id is not None:
        query = query.where(spell.team_id == team_id)
    if viewer is not None:
        query = query.where(viewer_scope(viewer))
    return [
        _Current(
            id=row[0],
            staff_id=row[1],
            programme_id=row[2],
            start=_d(row[3]),
            contracted_hours=row[4],
            cohort=row[5],
            name=f"{row[6]}, {row[7]}",
            staff_number=row[8],
            team=row[9] or NO_TEAM,
        )
        for row in db.session.execute(query)
    ]


def _status(
    *, overdue: int, judgement: str | None, past: bool, behind: float, missed: int, over: bool
) -> tuple[str, list[str]]:
    red, amber = [], []
    if overdue:
        red.append(f"{overdue} review{'s' if overdue > 1 else ''} overdue")
    if judgement == "not_on_track":
        red.append("not on track")
    if past:
        red.append("past the completion deadline")
    if judgement == "some_concerns":
        amber.append("some concerns")
    if missed:
        amber.append(f"{missed} missed supervision window{'s' if missed > 1 else ''}")
    if behind > PROTECTED_BEHIND_HOURS:
        amber.append(f"protected time {behind:.1f} hours behind")
    if over:
        amber.append("caseload over the cap")
    if red:
        return "Red", red + amber
    if amber:
        return "Amber", amber
    return "Green", []


def _caseloads(current: Select[Any], on: date) -> dict[int, _Caseload]:
    """The latest caseload snapshot up to ``on`` of each person with a current enrolment
    (``current``: a select of their enrolment ids), with the scheme in force on its day and
    the FTE of the post then (three queries)."""
    staff_ids = select(AsyeEnrolment.staff_id).where(AsyeEnrolment.id.in_(current))
    other = aliased(CaseloadSnapshot)
    latest_day = (
        select(func.max(other.taken_on))
        .where(other.staff_id == CaseloadSnapshot.staff_id, other.taken_on <= on)
        .scalar_subquery()
    )
    found = db.session.execute(
        select(
            CaseloadSnapshot.staff_id,
            CaseloadSnapshot.taken_on,
            CaseloadSnapshot.case_points,
            CaseloadSnapshot.extra_points,
        ).where(CaseloadSnapshot.staff_id.in_(staff_ids), CaseloadSnapshot.taken_on == latest_day)
    ).all()
    if not found:
        return {}
    schemes = weighting_schemes()  # the latest first
    spells: dict[int, list[tuple[date, date | None, Decimal]]] = defaultdict(list)
    for staff_id, start, end, fte in db.session.execute(
        select(
            EmploymentSpell.staff_id,
            EmploymentSpell.start_date,
            EmploymentSpell.end_date,
            EmploymentSpell.fte,
        )
        .where(EmploymentSpell.staff_id.in_(staff_ids))
        .order_by(EmploymentSpell.start_date, EmploymentSpell.id)
    ):
        spells[staff_id].append((_d(start), _d(end) if end is not None else None, fte))
    caseload = {}
    for staff_id, taken_on, points, extra in found:
        day = _d(taken_on)
        scheme = next((s for s in schemes if s.effective_from <= day), None)
        stable = scheme.stable_points if scheme is not None else Decimal(0)
        covering = [
            fte
            for start, end, fte in spells[staff_id]
            if start <= day and (end is None or end >= day)
        ]
        caseload[staff_id] = _Caseload(
            Decimal(stable) + Decimal(points) + Decimal(extra or 0),
            scheme.asye_max if scheme is not None else None,
            min(Decimal(1), Decimal(covering[-1])) if covering else None,
        )
    return caseload


def cohort_rows(
    on: date, viewer: User | None = None, team_id: int | None = None
) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """The rows for current enrolments in scope, and review counts."""
    current = _current_enrolments(on, viewer, team_id)
    # The current enrolments in scope, as SQL for the queries below.
    current_ids = _in_scope(
        select(AsyeEnrolment.id).where(_current_condition(on)), on, viewer, team_id
    )
    evidence: dict[int, Counter[str]] = defaultdict(Counter)
    used: dict[int, Decimal] = {}
    caseload: dict[int, _Caseload] = {}
    sessions: dict[int, list[date]] = {}
    pauses: dict[int, list[Pause]] = defaultdict(list)
    reviews: dict[int, dict[str, tuple[date, int, str]]] = defaultdict(dict)
    programmes: dict[int, AsyeProgramme] = {}
    if current:
        programmes = {p.id: p for p in db.session.scalars(select(AsyeProgramme))}
        for enrolment_id, start, end in db.session.execute(
            select(AsyePause.enrolment_id, AsyePause.start_date, AsyePause.end_date)
            .where(AsyePause.enrolment_id.in_(current_ids))
            .order_by(AsyePause.enrolment_id, AsyePause.start_date, AsyePause.id)
        ):
            pauses[enrolment_id].append(Pause(_d(start), _d(end)))
        for enrolment_id, review_id, point, held_on, judgement in db.session.execute(
            select(
                AsyeReview.enrolment_id,
                AsyeReview.id,
                AsyeReview.point,
                AsyeReview.held_on,
                AsyeReview.judgement,
            ).where(AsyeReview.enrolment_id.in_(current_ids), AsyeReview.held_on <= on)
        ):
            reviews[enrolment_id][point] = (_d(held_on), review_id, judgement)
        for enrolment_id, kind, count in db.session.execute(
            select(AsyeEvidence.enrolment_id, AsyeEvidence.kind, func.count())
            .where(AsyeEvidence.enrolment_id.in_(current_ids), AsyeEvidence.dated <= on)
            .group_by(AsyeEvidence.enrolment_id, AsyeEvidence.kind)
        ):
            evidence[enrolment_id][kind] = count
        used = dict(
            db.session.execute(
                select(ProtectedTime.enrolment_id, func.sum(ProtectedTime.hours))
                .where(ProtectedTime.enrolment_id.in_(current_ids), ProtectedTime.taken_on <= on)
                .group_by(ProtectedTime.enrolment_id)
            ).all()
        )
        sessions = supervision_dates(current_ids, on)
        caseload = _caseloads(current_ids, on)
        stages = tuple(asye_stages())
    else:
        stages = ()

    rows = []
    counts = {"overdue": 0, "upcoming": 0}
    for enrolment in current:
        programme = programmes[enrolment.programme_id]
        paused = pauses[enrolment.id]
        points = [
            (p["code"], p["label"], int(p["months"]), bool(p.get("optional")))
            for p in programme.review_points
        ]
        held = reviews[enrolment.id]
        overdue = 0
        next_review = None
        plan = schedule(enrolment.start, paused, points)
        for scheduled in plan:
            review = held.get(scheduled.code)
            state = review_status(scheduled.due, review[0] if review else None, on)
            if scheduled.optional and state == "overdue":
                continue
            if state == "overdue":
                overdue += 1
            if state == "upcoming":
                counts["upcoming"] += 1
            if state != "held" and next_review is None:
                next_review = scheduled
        counts["overdue"] += overdue
        latest_review = max(held.values(), key=lambda r: (r[0], r[1]), default=None)
        judgement = latest_review[2] if latest_review else None
        deadline = completion_deadline(enrolment.start, programme.completion_months)
        final = next((s for s in plan if s.code == "final"), None)
        past = on > deadline or (final is not None and final.due > deadline)
        requirements = {
            kind: (str(spec["label"]), int(spec["required"]))
            for kind, spec in programme.evidence_requirements.items()
        }
        progress = evidence_progress(dict(evidence[enrolment.id]), requirements)
        held_evidence = sum(min(h, r) for _, _, h, r in progress)
        required = sum(r for _, _, _, r in progress)
        due = protected_hours_due(
            enrolment.start,
            on,
            float(enrolment.contracted_hours),
            paused,
            float(programme.protected_share),
        )
        taken = Decimal(used.get(enrolment.id) or 0)
        windows = supervision_windows(
            enrolment.start,
            window_dates(sessions.get(enrolment.id, []), enrolment.start, paused, on),
            on,
            paused,
            stages,
        )
        missed = len(missed_windows(windows, on))
        load = caseload.get(enrolment.staff_id)
        points_now = cap = None
        if load is not None:
            points_now = load.points
            maximum = programme.workload_cap_points
            maximum = maximum if maximum is not None else load.asye_max
            if maximum is not None and load.fte is not None:
                cap = (Decimal(maximum) * load.fte).quantize(TWO_PLACES, ROUND_HALF_UP)
        over = cap is not None and points_now is not None and points_now > cap
        status, reasons = _status(
            overdue=overdue,
            judgement=judgement,
            past=past,
            behind=due - float(taken),
            missed=missed,
            over=over,
        )
        rows.append(
            {
                "_enrolment_id": enrolment.id,
                "_staff_id": enrolment.staff_id,
                "name": enrolment.name,
                "staff_number": enrolment.staff_number,
                "team": enrolment.team,
                "cohort": enrolment.cohort,
                "start": enrolment.start,
                "weeks_in": (on - enrolment.start).days // 7,
                "status": status,
                "reasons": "; ".join(reasons),
                "next_review": next_review.label if next_review else "",
                "next_review_due": next_review.due if next_review else None,
                "overdue_reviews": overdue,
                "evidence_held": held_evidence,
                "evidence_required": required,
                "protected_used": _one_place(taken),
                "protected_due": _one_place(due),
                "missed_supervision": missed,
                "caseload_points": points_now,
                "caseload_cap": cap,
                "_over_cap": over,
                "_judgement": JUDGEMENTS.get(judgement or "", ""),
            }
        )
    return rows, counts


def outcome_rows(scoped_ids: Select[Any], on: date) -> list[dict[str, Any]]:
    """Per cohort, of the enrolments ``scoped_ids`` selects: enrolled, each outcome
    recorded by the date, and still in progress (one query)."""
    current = _current_condition(on)
    query = (
        select(
            AsyeCohort.name,
            AsyeCohort.starts_on,
            func.count(),
            count_when(current),
            *(count_when(and_(~current, AsyeEnrolment.outcome == key)) for key in OUTCOMES),
        )
        .select_from(AsyeEnrolment)
        .join(AsyeCohort, AsyeCohort.id == AsyeEnrolment.cohort_id)
        .where(AsyeEnrolment.id.in_(scoped_ids))
        .group_by(AsyeCohort.id, AsyeCohort.name, AsyeCohort.starts_on)
    )
    rows = [
        {
            "cohort": name,
            "starts_on": _d(starts_on),
            "enrolled": int(enrolled),
            **{key: int(count) for key, count in zip(OUTCOMES, outcomes, strict=True)},
            "in_progress": int(in_progress),
        }
        for name, starts_on, enrolled, in_progress, *outcomes in db.session.execute(query)
    ]
    return sorted(rows, key=lambda r: (r["starts_on"], r["cohort"]))


class _add_months(FunctionElement[Any]):  # noqa: N801  (reads as a SQL function)
    """SQL: a date plus whole calendar months, clamped to the end of the month (as
    ``workforce.metrics.supervision.add_months``: 31 January plus one month is the last
    day of February)."""

    type = Date()
    inherit_cache = True


@compiles(_add_months)
def _add_months_default(element: _add_months, compiler: Any, **kw: Any) -> str:
    day, months = (compiler.process(c, **kw) for c in element.clauses)
    # PostgreSQL clamps a month interval to the end of the month.
    return f"CAST({day} + make_interval(months => {months}) AS DATE)"


@compiles(_add_months, "sqlite")
def _add_months_sqlite(element: _add_months, compiler: Any, **kw: Any) -> str:
    day, months = (compiler.process(c, **kw) for c in element.clauses)
    first = f"date({day}, 'start of month', printf('%+d months', {months}))"
    return (
        f"min(date({first}, '+1 month', '-1 day'), "
        f"date({first}, printf('+%d days', CAST(strftime('%d', {day}) AS INTEGER) - 1)))"
    )


RETENTION_HORIZONS = ((12, "One year after passing"), (24, "Two years after passing"))


def retention_rows(enrolment_ids: Select[Any], on: date) -> list[dict[str, Any]]:
    """Of the enrolments ``enrolment_ids`` selects that passed by the date: still in post
    (a spell in force) 12 and 24 months after the outcome date, of those for whom that day
    has come; in one query."""
    anniversaries = union_all(
        *(
            select(
                literal(months, Integer).label("months"),
                AsyeEnrolment.staff_id.label("staff_id"),
                _add_months(AsyeEnrolment.outcome_on, literal(months, Integer)).label("day"),
            ).where(AsyeEnrolment.id.in_(enrolment_ids), _passed_by(on))
            for months, _ in RETENTION_HORIZONS
        )
    ).subquery()
    in_post = exists().where(
        EmploymentSpell.staff_id == anniversaries.c.staff_id,
        spell_in_force(EmploymentSpell, anniversaries.c.day),
    )
    found = {
        int(months): (int(eligible), int(retained or 0))
        for months, eligible, retained in db.session.execute(
            select(anniversaries.c.months, func.count(), count_when(in_post))
            .where(anniversaries.c.day <= on)
            .group_by(anniversaries.c.months)
        )
    }
    rows = []
    for months, label in RETENTION_HORIZONS:
        eligible, retained = found.get(months, (0, 0))
        rows.append(
            {
                "measure": label,
                "eligible": eligible,
                "retained": retained,
                "retention_rate": rate(retained, eligible),
            }
        )
    return rows


def _passed_by(on: date) -> Any:
    """SQL condition on ``AsyeEnrolment``: started by ``on`` and passed by then."""
    return and_(
        AsyeEnrolment.start_date <= on,
        AsyeEnrolment.outcome == "passed",
        AsyeEnrolment.outcome_on <= on,
    )


def retention_on(on: date) -> list[dict[str, Any]]:
    """``retention_rows`` for every enrolment started by ``on`` (the whole authority), in
    one query of those who passed (the performance measure of retention needs nothing
    else)."""
    return retention_rows(select(AsyeEnrolment.id).where(AsyeEnrolment.start_date <= on), on)


def workshop_rows(scoped_ids: Select[Any], on: date) -> list[dict[str, Any]]:
    """Per PCF domain: ASYE workshop courses, and attended bookings by enrolled NQSWs (of
    the enrolments ``scoped_ids`` selects) on sessions starting by the end of the date (one
    query)."""
    staff_ids = select(AsyeEnrolment.staff_id).where(AsyeEnrolment.id.in_(scoped_ids))
    query = (
        select(
            FrameworkDomain.name,
            FrameworkDomain.position,
            func.count(func.distinct(Course.id)),
            func.count(func.distinct(Booking.id)),
            func.count(func.distinct(Booking.staff_id)),
        )
        .select_from(Booking)
        .join(TrainingSession, TrainingSession.id == Booking.session_id)
        .join(Course, Course.id == TrainingSession.course_id)
        .join(course_domain, course_domain.c.course_id == Course.id)
        .join(FrameworkDomain, FrameworkDomain.id == course_domain.c.domain_id)
        .where(
            Course.is_asye_workshop.is_(True),
            Booking.status == "booked",
            Booking.attendance == "attended",
            Booking.staff_id.in_(staff_ids),
            TrainingSession.starts_at < datetime.combine(on, time.max),
        )
        .group_by(FrameworkDomain.id, FrameworkDomain.name, FrameworkDomain.position)
        .order_by(FrameworkDomain.position, FrameworkDomain.name)
    )
    return [
        {"domain": name, "workshops": courses, "attendances": attended, "people": people}
        for name, _, courses, attended, people in db.session.execute(query)
    ]


@report(
    "asye-cohort",
    title="ASYE cohort dashboard",
    description=(
        "Every newly qualified social worker on the ASYE on the date: status (red, amber, "
        "green), next review, evidence against requirements, protected time used and due, "
        "missed supervision windows and caseload against the cap; outcomes per cohort, "
        "retention one and two years after passing, and ASYE workshop attendance per PCF "
        "domain."
    ),
    roles=ASYE_REPORT_ROLES,
    accepts=("on", "team"),
)
def build_asye_cohort(params: Parameters, viewer: User | None) -> Report:
    """The ASYE cohort dashboard."""
    on = params.on or date.today()
    rows, counts = cohort_rows(on, viewer=viewer, team_id=params.team_id)
    statuses = Counter(row["status"] for row in rows)
    scoped_ids = _in_scope(select(AsyeEnrolment.id), on, viewer, params.team_id)
    retention = retention_rows(scoped_ids, on)
    outcomes = outcome_rows(scoped_ids, on)
    summary = {
        "current": len(rows),
        "red": statuses["Red"],
        "amber": statuses["Amber"],
        "green": statuses["Green"],
        "overdue_reviews": counts["overdue"],
        "upcoming_reviews": counts["upcoming"],
        "missed_supervision": sum(row["missed_supervision"] for row in rows),
        "over_cap": sum(1 for row in rows if row["_over_cap"]),
        "passed": sum(row["passed"] for row in outcomes),
        "retention_1y_rate": retention[0]["retention_rate"],
        "retention_2y_rate": retention[1]["retention_rate"],
    }
    return Report(
        name="asye-cohort",
        title="ASYE cohort dashboard",
        parameters={},
        columns=COLUMNS,
        rows=rows,
        summary=summary,
        figures=FIGURES,
        sections=[
            Table(
                "by_status",
                "Current enrolments by status",
                STATUS_COLUMNS,
                [{"status": label, "people": statuses[label]} for label in RAG],
            ),
            Table("outcomes", "Cohort outcomes", OUTCOME_COLUMNS, outcomes),
            Table("retention", "Retention after passing", RETENTION_COLUMNS, retention),
            Table(
                "workshops",
                "ASYE workshop attendance by PCF domain",
                WORKSHOP_COLUMNS,
                workshop_rows(scoped_ids, on),
            ),  # fmt: skip
        ],
        chart=Chart(
            title="Current enrolments by status",
            label="status",
            series=("people",),
            table="by_status",
        ),
        notes=[
            f"Standing on {on.isoformat()}. Current: enrolments started by the date with no "
            "outcome, or an outcome recorded after it. Team: the team of the person's post on "
            "the date (the latest started, where two overlap).",
            "Red: a required review overdue (optional review points never count as overdue), "
            "the latest review's judgement 'not on track', or past the completion deadline "
            "(the date is after the start plus the programme's completion months, or the final "
            "review, pushed back by pauses, falls after it). Amber: the latest judgement "
            "'some concerns', a missed supervision window, protected time more than "
            f"{PROTECTED_BEHIND_HOURS} hours behind, or a caseload over the cap. Green: "
            "neither.",
            "Reviews: the schedule of the enrolment's programme from the start date, pushed "
            "back by pauses; upcoming means due within 14 days. Evidence: pieces dated up to "
            "the date, each kind counted up to its requirement.",
            "Protected time due: the programme's share of contracted weekly hours times 52, "
            "pro rata to the part of the (pause-adjusted) year elapsed.",
            "Supervision: the ASYE stages of the supervision policy (shipped: weekly for 6 "
            "weeks, fortnightly to 26 weeks, then monthly) over the first year, on the "
            "programme's own days (pauses skipped); a window is missed when it ended before "
            "the date with no session attended.",
            "Caseload: the latest snapshot up to the date, with the stable element of the "
            "weighting scheme in force on the snapshot's day, its case points and extra "
            "points. "
            "Cap: the programme's workload cap, or that scheme's ASYE maximum, times the FTE of "
            "the post on the snapshot's day (no cap without a post or a maximum). The same "
            "definitions as the individual ASYE record.",
            "Retention: of those who passed by the date, whether they held a post 12 (and 24) "
            "months after the outcome date, counting only those for whom that day has come.",
            "Workshops: attended bookings by anyone enrolled (in scope) on sessions of courses "
            "flagged as ASYE workshops, by the PCF domains each course is linked to.",
        ],
    )
