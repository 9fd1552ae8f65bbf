"""Training reports: ``training`` (statistics), ``training-evaluation`` and
``training-compliance`` (the mandatory training matrix).

Every figure is computed with a few set-based queries (grouped in the database, never one
query per person or per course); the published measures come from
``workforce.metrics.training``.

**Period.** ``--year YYYY`` is the council's reporting year, 1 April YYYY to 31 March
YYYY+1; ``--from``/``--to`` give any dates (inclusive). A session belongs to the period in
which it starts.

**Delivered.** A session is delivered when it is marked completed, or when it is not
cancelled and its register has been marked for at least one place.

**Team.** An attendee's team is the team of their employment spell in force on the day the
session starts (the latest started, where two overlap).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any, NamedTuple

from sqlalchemy import (
    Date,
    Select,
    and_,
    case,
    exists,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlalchemy.sql.functions import FunctionElement

from workforce.extensions import db
from workforce.metrics import training as measures
from workforce.metrics.training import Compliance, ComplianceStatus
from workforce.models import (
    Booking,
    Course,
    CourseAudience,
    EmploymentSpell,
    Evaluation,
    FrameworkDomain,
    ImpactFollowUp,
    PracticeModel,
    Staff,
    Team,
    TrainingSession,
)
from workforce.models.people import spell_in_force
from workforce.models.training import OTHER_ROLE, course_domain
from workforce.reports.base import Chart, Column, Parameters, Report, Table
from workforce.reports.registry import report
from workforce.reports.sql import as_decimal, count_when
from workforce.security import visible_staff_filter
from workforce.services.reference import labels

if TYPE_CHECKING:
    from workforce.models import User

#: Roles that see the training statistics and evaluation reports (admin always does).
TRAINING_REPORT_ROLES = ("hr", "ld_officer", "senior_leader")
#: The compliance matrix is open to supervisors too, limited to the people they manage.
COMPLIANCE_ROLES = ("hr", "ld_officer", "senior_leader", "supervisor")

NO_TEAM = "No team recorded"
NO_PRACTICE_MODEL = "No practice model"
NO_DOMAIN = "No PCF domain linked"


# --- shared query pieces ------------------------------------------------------------------


class session_day(FunctionElement[date]):  # noqa: N801  (reads as a SQL function)
    """The calendar date of a timestamp, on SQLite and PostgreSQL alike."""

    type = Date()
    inherit_cache = True


@compiles(session_day)
def _session_day_default(element: session_day, compiler: Any, **kw: Any) -> str:
    return f"CAST({compiler.process(element.clauses, **kw)} AS DATE)"


@compiles(session_day, "sqlite")
def _session_day_sqlite(element: session_day, compiler: Any, **kw: Any) -> str:
    return f"date({compiler.process(element.clauses, **kw)})"


def _in_period(params: Parameters) -> Any:
    assert params.start is not None and params.end is not None
    return and_(
        TrainingSession.starts_at >= datetime.combine(params.start, time.min),
        TrainingSession.starts_at < datetime.combine(params.end + timedelta(days=1), time.min),
    )


def delivered() -> Any:
    """SQL condition: the session was delivered (see the module's definition)."""
    marked = aliased(Booking)
    register_marked = (
        exists()
        .where(marked.session_id == TrainingSession.id, marked.attendance.is_not(None))
        .correlate(TrainingSession)
    )
    return or_(
        TrainingSession.status == "completed",
        and_(TrainingSession.status != "cancelled", register_marked),
    )


def no_later_spell(spell: Any, day: Any) -> Any:
    """SQL condition: no other spell of ``spell``'s person in force on ``day`` started later
    (or on the same day with a higher id). With ``spell_in_force`` it picks the person's
    latest started spell in force that day; true when ``spell`` is an outer join's NULL.

    Written as NOT EXISTS rather than ranking every spell, so PostgreSQL answers it with
    one anti-join. The later spell is also required to overlap an earlier spell of the
    same person, which any spell in force alongside ``spell`` does (``spell`` is one): it
    changes nothing, but lets the database build the anti-join from the few overlapping
    spells (usually none) instead of from every spell.
    """
    later = aliased(EmploymentSpell)
    earlier = aliased(EmploymentSpell)
    overlaps_earlier = exists().where(
        earlier.staff_id == later.staff_id,
        or_(
            earlier.start_date < later.start_date,
            and_(earlier.start_date == later.start_date, earlier.id < later.id),
        ),
        or_(earlier.end_date.is_(None), earlier.end_date >= later.start_date),
    )
    return ~exists().where(
        later.staff_id == spell.staff_id,
        spell_in_force(later, day),
        or_(
            later.start_date > spell.start_date,
            and_(later.start_date == spell.start_date, later.id > spell.id),
        ),
        overlaps_earlier,
    )


def _booking_facts(params: Parameters, *, with_team: bool, extra: tuple[Any, ...] = ()) -> Any:
    """One row per filled place on a delivered session in the period (and team).

    The attendee's team (``team_id``, with ``with_team``) comes from joining the spell in
    force on the session's first day, set-based rather than one lookup per place.
    """
    columns = [
        Booking.id.label("booking_id"),
        Booking.staff_id.label("staff_id"),
        Booking.attendance.label("attendance"),
        TrainingSession.id.label("session_id"),
        TrainingSession.course_id.label("course_id"),
        Course.practice_model_id.label("practice_model_id"),
        Course.cost_per_place.label("cost_per_place"),
        *extra,
    ]
    spell = aliased(EmploymentSpell, name="spell_at_session")
    if with_team:
        columns.append(spell.team_id.label("team_id"))
    query = (
        select(*columns)
        .select_from(Booking)
        .join(TrainingSession, TrainingSession.id == Booking.session_id)
        .join(Course, Course.id == TrainingSession.course_id)
        .where(Booking.status == "booked", _in_period(params), delivered())
    )
    if with_team or params.team_id is not None:
        day = session_day(TrainingSession.starts_at)
        # at most one spell per place: the latest in force that day (none: no team)
        query = query.outerjoin(
            spell, and_(spell.staff_id == Booking.staff_id, spell_in_force(spell, day))
        ).where(no_later_spell(spell, day))
    if params.team_id is not None:
        query = query.where(spell.team_id == params.team_id)
    return query


def _by_key(rows: Any) -> dict[Any, Any]:
    return {row[0]: row for row in rows}


def _as_int(value: Any) -> int:
    return int(value or 0)


def _sort_key(label: str, placeholder: bool) -> tuple[int, str]:
    return (1 if placeholder else 0, label.casefold())


# --- training statistics ------------------------------------------------------------------

GROUPINGS: tuple[tuple[str, str], ...] = (
    ("course", "Course"),
    ("team", "Team"),
    ("practice_model", "Practice model"),
    ("domain", "PCF domain"),
)

TRAINING_COLUMNS = [
    Column(
        "sessions_delivered",
        "Sessions delivered",
        "integer",
        "Sessions completed (or with a marked register) that started in the period. By team, "
        "or with a team chosen: sessions where the team held a place.",
    ),
    Column(
        "places_offered",
        "Places offered",
        "integer",
        "Capacity of the sessions delivered. Not given by team: a session's places are not "
        "offered to one team.",
    ),
    Column("places_filled", "Places filled", "integer", "Places booked (not the waiting list)."),
    Column("attended", "Attended", "integer"),
    Column("partly_attended", "Partly attended", "integer"),
    Column("did_not_attend", "Did not attend", "integer"),
    Column(
        "not_marked", "Register not marked", "integer", "Places filled with no attendance recorded."
    ),
    Column(
        "attendance_rate",
        "Attendance rate",
        "percent",
        "Attended in full or in part, over places with a marked register.",
    ),
    Column(
        "dna_rate",
        "Did-not-attend rate",
        "percent",
        "Did not attend, over places with a marked register.",
    ),
    Column(
        "staff_trained",
        "Staff trained",
        "integer",
        "Different people who attended in full.",
    ),
    Column("total_cost", "Cost", "money", "Cost per place times places filled."),
    Column(
        "cost_per_attendee",
        "Cost per attendee",
        "money",
        "Cost over the people who attended in full or in part.",
    ),
]


def _measures(
    booking_row: Any | None, session_row: Any | None, *, sessions_from_bookings: bool
) -> dict[str, Any]:
    """The training measures from one group's booking and session aggregates."""
    (
        _key,
        booked_sessions,
        filled,
        attended,
        partial,
        dna,
        unmarked,
        trained,
        cost,
    ) = booking_row or (None, 0, 0, 0, 0, 0, 0, 0, None)
    attended, partial, dna = _as_int(attended), _as_int(partial), _as_int(dna)
    total_cost = as_decimal(cost).quantize(measures.TWO_PLACES)
    if sessions_from_bookings:
        sessions, offered = _as_int(booked_sessions), None
    else:
        sessions = _as_int(session_row[1]) if session_row else 0
        offered = _as_int(session_row[2]) if session_row else 0
    return {
        "sessions_delivered": sessions,
        "places_offered": offered,
        "places_filled": _as_int(filled),
        "attended": attended,
        "partly_attended": partial,
        "did_not_attend": dna,
        "not_marked": _as_int(unmarked),
        "attendance_rate": measures.attendance_rate(attended, partial, dna),
        "dna_rate": measures.did_not_attend_rate(attended, partial, dna),
        "staff_trained": _as_int(trained),
        "total_cost": total_cost,
        "cost_per_attendee": measures.cost_per_attendee(total_cost, attended + partial),
    }


def _additive_figures(facts: Any, only: Any = None) -> list[Any]:
    """Places filled, attended, partly attended, did not attend, not marked, and cost: the
    figures that add up across rows (over the rows where ``only`` holds, if given)."""

    def where(condition: Any) -> Any:
        return condition if only is None else and_(condition, only)

    return [
        func.count() if only is None else count_when(only),
        count_when(where(facts.c.attendance == "attended")),
        count_when(where(facts.c.attendance == "partial")),
        count_when(where(facts.c.attendance == "did_not_attend")),
        count_when(where(facts.c.attendance.is_(None))),
        func.sum(facts.c.cost_per_place if only is None else case((only, facts.c.cost_per_place))),
    ]


def _booking_aggregate(
    facts: Any,
    key: Any | None,
    join: Any = None,
    *,
    count_sessions: bool = True,
    with_total: bool = False,
    once: Any = None,
) -> Select[Any]:
    """The booking figures per ``key`` (or overall, with no key), in the order ``_measures``
    reads them.

    Without ``count_sessions`` the distinct-sessions figure is left at 0 (the caller takes
    sessions from the sessions themselves), sparing a sort. With ``with_total`` the query
    also returns the overall row (``GROUP BY ROLLUP``: one pass over the places instead of
    two), marked by a last column of 1. When a place can fall in several groups, ``once``
    marks one row per place, and six more columns before the marker give the additive
    figures over those rows only, for the overall row (the distinct counts need no help).
    """
    filled, attended, partial, dna, unmarked, cost = _additive_figures(facts)
    query = select(
        key if key is not None else literal(None),
        func.count(func.distinct(facts.c.session_id)) if count_sessions else literal(0),
        filled,
        attended,
        partial,
        dna,
        unmarked,
        func.count(func.distinct(case((facts.c.attendance == "attended", facts.c.staff_id)))),
        cost,
    ).select_from(facts if join is None else join)
    if key is None:
        return query
    if not with_total:
        return query.group_by(key)
    if once is not None:
        query = query.add_columns(*_additive_figures(facts, once))
    return query.add_columns(func.grouping(key)).group_by(func.rollup(key))


def _groups_and_total(
    facts: Any,
    key: Any,
    join: Any,
    *,
    count_sessions: bool,
    once: Any = None,
    total_facts: Any = None,
) -> tuple[dict[Any, Any], Any]:
    """Booking figures per group, and overall (a place counts once overall even where it
    falls in several groups: ``once`` marks one row per place for those groupings).

    On PostgreSQL one ``GROUP BY ROLLUP`` query gives both; elsewhere the total is a second
    query, over ``total_facts`` if given (the same places, found with less work).
    """
    if db.session.get_bind().dialect.name == "postgresql":
        rows = db.session.execute(
            _booking_aggregate(
                facts, key, join, count_sessions=count_sessions, with_total=True, once=once
            )
        ).all()
        groups = {row[0]: tuple(row[:9]) for row in rows if not row[-1]}
        (total,) = [tuple(row[:-1]) for row in rows if row[-1]]
        if once is not None:  # the additive figures counted once per place
            total = (*total[:2], *total[9:14], total[7], total[14])
        return groups, total
    groups = _by_key(
        db.session.execute(_booking_aggregate(facts, key, join, count_sessions=count_sessions))
    )
    total = db.session.execute(
        _booking_aggregate(
            facts if total_facts is None else total_facts, None, count_sessions=count_sessions
        )
    ).one()
    return groups, total


def _session_aggregate(params: Parameters, key: Any | None, join_domains: bool) -> Select[Any]:
    sessions = (
        select(
            TrainingSession.id.label("session_id"),
            TrainingSession.capacity.label("capacity"),
            TrainingSession.course_id.label("course_id"),
            Course.practice_model_id.label("practice_model_id"),
        )
        .join(Course, Course.id == TrainingSession.course_id)
        .where(_in_period(params), delivered())
        .subquery("delivered_sessions")
    )
    source: Any = sessions
    if join_domains:
        source = sessions.outerjoin(
            course_domain, course_domain.c.course_id == sessions.c.course_id
        )
    key_column = (
        {
            "course": sessions.c.course_id,
            "practice_model": sessions.c.practice_model_id,
            "domain": course_domain.c.domain_id,
        }.get(key)
        if key
        else None
    )
    query = select(
        key_column if key_column is not None else literal(None),
        func.count(),
        func.coalesce(func.sum(sessions.c.capacity), 0),
    ).select_from(source)
    return query.group_by(key_column) if key_column is not None else query


def _labels(by: str, keys: set[Any]) -> dict[Any, tuple[str, bool]]:
    """Label for each group key, and whether it is a placeholder ("No team recorded")."""
    id_column, name_column, placeholder = {
        "course": (Course.id, Course.title, None),
        "team": (Team.id, Team.name, NO_TEAM),
        "practice_model": (PracticeModel.id, PracticeModel.name, NO_PRACTICE_MODEL),
        "domain": (FrameworkDomain.id, FrameworkDomain.name, NO_DOMAIN),
    }[by]
    ids = [key for key in keys if key is not None]
    query = select(id_column, name_column).where(id_column.in_(ids))
    labels: dict[Any, tuple[str, bool]] = {
        key: (name, False) for key, name in db.session.execute(query)
    }
    if placeholder:
        labels[None] = (placeholder, True)
    return labels


def _course_links(course_ids: set[int]) -> dict[int, tuple[str, str]]:
    """Each course's practice model and linked domains, as text."""
    models = dict(
        db.session.execute(
            select(Course.id, PracticeModel.name)
            .join(PracticeModel, PracticeModel.id == Course.practice_model_id)
            .where(Course.id.in_(course_ids))
        ).all()
    )
    domains: dict[int, list[str]] = defaultdict(list)
    for course_id, name in db.session.execute(
        select(course_domain.c.course_id, FrameworkDomain.name)
        .join(FrameworkDomain, FrameworkDomain.id == course_domain.c.domain_id)
        .where(course_domain.c.course_id.in_(course_ids))
        .order_by(course_domain.c.course_id, FrameworkDomain.position)
    ):
        domains[course_id].append(name)
    return {i: (models.get(i, ""), "; ".join(domains.get(i, []))) for i in course_ids}


def training_statistics(params: Parameters) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Rows (one per group of ``params.by``) and overall totals of the training statistics."""
    by = params.by or "course"
    team_scoped = by == "team" or params.team_id is not None
    facts = _booking_facts(params, with_team=by == "team").subquery("facts")
    join = once = None
    if by == "course":
        key = facts.c.course_id
    elif by == "team":
        key = facts.c.team_id
    elif by == "practice_model":
        key = facts.c.practice_model_id
    else:
        # each course's domains, one of them marked first (a place counts once overall)
        lowest = func.min(course_domain.c.domain_id).over(partition_by=course_domain.c.course_id)
        links = select(
            course_domain.c.course_id,
            course_domain.c.domain_id,
            case((course_domain.c.domain_id == lowest, 1), else_=0).label("first"),
        ).subquery("domain_links")
        join = facts.outerjoin(links, links.c.course_id == facts.c.course_id)
        key = links.c.domain_id
        once = func.coalesce(links.c.first, 1) == 1
    # Overall, the places are the same without their teams (each place has one team).
    total_facts = _booking_facts(params, with_team=False).subquery("all_facts")
    bookings, total_bookings = _groups_and_total(
        facts, key, join, count_sessions=team_scoped, once=once, total_facts=total_facts
    )
    sessions: dict[Any, Any] = {}
    if not team_scoped:
        sessions = _by_key(db.session.execute(_session_aggregate(params, by, by == "domain")))
    labels = _labels(by, set(bookings) | set(sessions))
    links = _course_links(set(bookings) | set(sessions)) if by == "course" else {}
    rows = []
    for group in set(bookings) | set(sessions):
        label, placeholder = labels.get(group, (str(group), False))
        row: dict[str, Any] = {"group": label, "_placeholder": placeholder}
        if by == "course":
            row["practice_model"], row["pcf_domains"] = links.get(group, ("", ""))
        row.update(
            _measures(bookings.get(group), sessions.get(group), sessions_from_bookings=team_scoped)
        )
        rows.append(row)
    rows.sort(key=lambda r: _sort_key(r["group"], r["_placeholder"]))

    total_sessions = None
    if not team_scoped:
        total_sessions = db.session.execute(_session_aggregate(params, None, False)).one()
    totals = _measures(total_bookings, total_sessions, sessions_from_bookings=team_scoped)
    return rows, totals


@report(
    "training",
    title="Training statistics",
    description=(
        "Sessions delivered, places offered and filled, attendance and did-not-attend rates, "
        "staff trained and cost per attendee, by course, team, practice model or PCF domain."
    ),
    roles=TRAINING_REPORT_ROLES,
    accepts=("period", "team", "by"),
    by_choices=GROUPINGS,
)
def build_training(params: Parameters, viewer: User | None) -> Report:
    """The training statistics report."""
    by = params.by or "course"
    rows, totals = training_statistics(params)
    group_label = dict(GROUPINGS)[by]
    columns = [Column("group", group_label)]
    if by == "course":
        columns += [
            Column("practice_model", "Practice model"),
            Column("pcf_domains", "PCF domains"),
        ]
    columns += TRAINING_COLUMNS
    notes = [
        "A session counts in the period in which it starts. It is delivered when marked "
        "completed, or when it is not cancelled and its register has been marked.",
        "An attendee's team is the team of their post on the day the session starts.",
        "Rates are shares of the places whose register is marked; the spreadsheet shows them "
        "as percentages, CSV and JSON as proportions between 0 and 1.",
    ]
    if by == "domain":
        notes.append(
            "A course linked to several domains counts once in each, so the rows add up to "
            "more than the totals."
        )
    if by in ("team", "domain", "practice_model"):
        notes.append(
            "Totals count each person and place once, so they can be less than the sum of the rows."
        )
    return Report(
        name="training",
        title="Training statistics",
        parameters={},
        columns=columns,
        rows=rows,
        summary=totals,
        figures=[Column(c.key, c.label, c.kind) for c in TRAINING_COLUMNS],
        chart=Chart(
            title="Attendance at sessions delivered",
            label="group",
            series=("attended", "partly_attended", "did_not_attend"),
            stacked=True,
        ),
        notes=notes,
        total_row=True,
    )


# --- evaluation ---------------------------------------------------------------------------

EVALUATION_COLUMNS = [
    Column("course", "Course"),
    Column("sessions", "Sessions delivered", "integer"),
    Column("attendees", "Attendees", "integer", "People who attended in full or in part."),
    Column("evaluations", "Evaluations returned", "integer"),
    Column("response_rate", "Response rate", "percent", "Evaluations returned over attendees."),
    Column("good_or_better", "Good or better", "integer", "Overall ratings of 4 or 5 (of 1 to 5)."),
    Column(
        "good_or_better_rate",
        "Good or better (%)",
        "percent",
        "Overall ratings of 4 or 5, over evaluations returned.",
    ),
    Column("mean_overall", "Mean overall rating", "decimal"),
    Column("mean_relevance", "Mean relevance", "decimal"),
    Column("mean_confidence_before", "Mean confidence before", "decimal"),
    Column("mean_confidence_after", "Mean confidence after", "decimal"),
    Column(
        "confidence_change",
        "Change in confidence",
        "decimal",
        "Mean of (confidence after minus confidence before).",
    ),
    Column(
        "practice_changed_yes",
        "Practice changed: yes",
        "integer",
        "Supervisors' answers at follow-up.",
    ),
    Column("practice_changed_partly", "Practice changed: partly", "integer"),
    Column("practice_changed_no", "Practice changed: no", "integer"),
    Column(
        "practice_changed_rate",
        "Practice changed (%)",
        "percent",
        "Follow-ups answered yes or partly, over follow-ups answered.",
    ),
]


#: The evaluation figures summed per course, after the sessions count.
EVALUATION_SUMS = (
    "attendees",
    "evaluations",
    "good_or_better",
    "overall",
    "relevance",
    "confidence_before",
    "confidence_after",
    "practice_changed_yes",
    "practice_changed_partly",
    "practice_changed_no",
)


def _evaluation_aggregate(facts: Any) -> Select[Any]:
    """Per course: sessions with a filled place, then the sums in ``EVALUATION_SUMS``.

    The places are summed per session first and the sessions then per course, so counting
    sessions needs no DISTINCT (which would sort every place).
    """
    evaluated = facts.c.evaluation_id.is_not(None)
    per_session = (
        select(
            facts.c.course_id.label("course_id"),
            count_when(facts.c.attendance.in_(("attended", "partial"))).label("attendees"),
            count_when(evaluated).label("evaluations"),
            count_when(facts.c.overall >= measures.GOOD_OR_BETTER).label("good_or_better"),
            func.coalesce(func.sum(facts.c.overall), 0).label("overall"),
            func.coalesce(func.sum(facts.c.relevance), 0).label("relevance"),
            func.coalesce(func.sum(facts.c.confidence_before), 0).label("confidence_before"),
            func.coalesce(func.sum(facts.c.confidence_after), 0).label("confidence_after"),
            count_when(facts.c.practice_changed == "yes").label("practice_changed_yes"),
            count_when(facts.c.practice_changed == "partly").label("practice_changed_partly"),
            count_when(facts.c.practice_changed == "no").label("practice_changed_no"),
        )
        .group_by(facts.c.course_id, facts.c.session_id)
        .subquery("per_session")
    )
    return select(
        per_session.c.course_id,
        func.count(),
        *(func.sum(per_session.c[name]) for name in EVALUATION_SUMS),
    ).group_by(per_session.c.course_id)


def _evaluation_measures(row: Any) -> dict[str, Any]:
    (_key, sessions, attendees, count, good, overall, relevance, before, after, yes, partly, no) = (
        _as_int(v) if i else v for i, v in enumerate(row)
    )
    answered = yes + partly + no
    return {
        "sessions": sessions,
        "attendees": attendees,
        "evaluations": count,
        "response_rate": measures.rate(count, attendees) if attendees else None,
        "good_or_better": good,
        "good_or_better_rate": measures.good_or_better_rate(good, count),
        "mean_overall": measures.mean(overall, count),
        "mean_relevance": measures.mean(relevance, count),
        "mean_confidence_before": measures.mean(before, count),
        "mean_confidence_after": measures.mean(after, count),
        "confidence_change": measures.mean(after - before, count),
        "practice_changed_yes": yes,
        "practice_changed_partly": partly,
        "practice_changed_no": no,
        "practice_changed_rate": measures.rate(yes + partly, answered),
    }


def evaluation_statistics(params: Parameters) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Rows (one per course) and totals of the evaluation report."""
    facts = (
        _booking_facts(
            params,
            with_team=False,
            extra=(
                Evaluation.id.label("evaluation_id"),
                Evaluation.overall.label("overall"),
                Evaluation.relevance.label("relevance"),
                Evaluation.confidence_before.label("confidence_before"),
                Evaluation.confidence_after.label("confidence_after"),
                ImpactFollowUp.practice_changed.label("practice_changed"),
            ),
        )
        .outerjoin(Evaluation, Evaluation.booking_id == Booking.id)
        .outerjoin(ImpactFollowUp, ImpactFollowUp.booking_id == Booking.id)
        .subquery("facts")
    )
    grouped = [
        (row[0], *(_as_int(value) for value in row[1:]))
        for row in db.session.execute(_evaluation_aggregate(facts))
    ]
    titles = _labels("course", {row[0] for row in grouped})
    rows = []
    for row in grouped:
        values = {"course": titles.get(row[0], (str(row[0]), False))[0]}
        values.update(_evaluation_measures(row))
        rows.append(values)
    rows.sort(key=lambda r: r["course"].casefold())
    # A session (and each place) belongs to one course, so the totals are the courses' sums.
    width = 2 + len(EVALUATION_SUMS)
    total = (None, *(sum(row[i] for row in grouped) for i in range(1, width)))
    return rows, _evaluation_measures(total)


@report(
    "training-evaluation",
    title="Training evaluation",
    description=(
        "Evaluations returned per course, the share rating the training good or better, "
        "relevance, confidence before and after, and whether practice changed at follow-up."
    ),
    roles=TRAINING_REPORT_ROLES,
    accepts=("period", "team"),
)
def build_training_evaluation(params: Parameters, viewer: User | None) -> Report:
    """The training evaluation report."""
    rows, totals = evaluation_statistics(params)
    return Report(
        name="training-evaluation",
        title="Training evaluation",
        parameters={},
        columns=EVALUATION_COLUMNS,
        rows=rows,
        summary=totals,
        figures=[Column(c.key, c.label, c.kind) for c in EVALUATION_COLUMNS[1:]],
        chart=Chart(
            title="Evaluations rating the training good or better",
            label="course",
            series=("good_or_better_rate",),
        ),
        notes=[
            "Places filled on sessions delivered in the period (see the training statistics "
            "report for what counts as delivered); the follow-up question goes to the "
            "attendee's supervisor some months after the session.",
            "Rates are shown as percentages in the spreadsheet, as proportions between 0 and "
            "1 in CSV and JSON. Means are of ratings from 1 to 5.",
        ],
        total_row=True,
    )


# --- mandatory training compliance ------------------------------------------------------


@dataclass(frozen=True)
class MandatoryCourse:
    """A course that is mandatory for some roles."""

    id: int
    title: str
    refresher_months: int | None
    roles: frozenset[str]


class Person(NamedTuple):
    """Someone in post on the date, with the spell that decides their mandatory courses.

    A named tuple: a national matrix makes some 50,000 of them."""

    staff_id: int
    staff_number: str
    first_name: str
    last_name: str
    team_name: str
    org_role: str | None

    @property
    def role_key(self) -> str:
        """The audience value a course uses for this person's role."""
        return self.org_role or OTHER_ROLE


def people_in_post(
    on: date,
    *,
    viewer: User | None = None,
    team_id: int | None = None,
    staff_id: int | None = None,
    scope: Any = None,
    with_post: bool = False,
    latest: bool = True,
) -> Select[Any]:
    """SQL: each person in post on ``on`` (visible to ``viewer``, or matching ``scope``
    when given) with their spell's team and role, the latest started spell where two are in
    force; ``with_post`` adds the spell's post title and grade as the last two columns.
    Without ``latest``, every spell in force counts (a person may come twice): enough to
    say who could be in post, without ranking their spells."""
    spell = aliased(EmploymentSpell, name="in_post")
    columns: list[Any] = [
        Staff.id,
        Staff.staff_number,
        Staff.first_name,
        Staff.last_name,
        Team.name,
        spell.org_role,
    ]
    if with_post:
        columns += [spell.post_title, spell.grade]
    query = (
        select(*columns)
        .join(spell, spell.staff_id == Staff.id)
        .join(Team, Team.id == spell.team_id)
        .where(spell_in_force(spell, on))
    )
    if latest:
        query = query.where(no_later_spell(spell, on))
    if scope is not None:
        query = query.where(scope)
    elif viewer is not None:
        query = query.where(visible_staff_filter(viewer))
    if team_id is not None:
        query = query.where(spell.team_id == team_id)
    if staff_id is not None:
        query = query.where(Staff.id == staff_id)
    return query


def mandatory_courses() -> list[MandatoryCourse]:
    """Every active course with the roles it is mandatory for, by title."""
    roles: dict[int, set[str]] = defaultdict(set)
    courses: dict[int, tuple[str, int | None]] = {}
    for course_id, title, refresher, value in db.session.execute(
        select(Course.id, Course.title, Course.refresher_months, CourseAudience.value)
        .join(CourseAudience, CourseAudience.course_id == Course.id)
        .where(
            Course.active.is_(True),
            CourseAudience.kind == "role",
            CourseAudience.mandatory.is_(True),
        )
    ):
        roles[course_id].add(value)
        courses[course_id] = (title, refresher)
    found = [
        MandatoryCourse(i, title, refresher, frozenset(roles[i]))
        for i, (title, refresher) in courses.items()
    ]
    return sorted(found, key=lambda c: c.title.casefold())


def _plain_rows(query: Select[Any]) -> list[tuple[Any, ...]]:
    """The rows of ``query`` as the database driver gives them (plain tuples), without a
    SQLAlchemy row object each: for the large reads of the compliance matrix, whose columns
    (numbers, text, and dates the caller reads either way) need no conversion."""
    result = db.session.connection().execute(query)
    try:
        return list(result.cursor.fetchall())
    finally:
        result.close()


def latest_completions(
    people: Select[Any], course_ids: list[int], on: date
) -> dict[int, dict[int, date]]:
    """Staff id → course id → the end date of the latest session each person attended in
    full, up to ``on``, for the people selected by ``people`` (first column: staff id)."""
    if not course_ids:
        return {}
    ids = people.with_only_columns(people.selected_columns[0]).subquery("people")
    query = (
        select(Booking.staff_id, TrainingSession.course_id, func.max(TrainingSession.ends_at))
        .join(TrainingSession, TrainingSession.id == Booking.session_id)
        .where(
            Booking.status == "booked",
            Booking.attendance == "attended",
            TrainingSession.status != "cancelled",
            TrainingSession.ends_at < datetime.combine(on + timedelta(days=1), time.min),
            TrainingSession.course_id.in_(course_ids),
            Booking.staff_id.in_(select(ids.c[0])),
        )
        .group_by(Booking.staff_id, TrainingSession.course_id)
    )
    out: dict[int, dict[int, date]] = {}
    # Many people attended the same session: each end time is turned into a date once.
    days: dict[Any, date] = {}
    for staff_id, course_id, ended in _plain_rows(query):
        day = days.get(ended)
        if day is None:
            moment = datetime.fromisoformat(ended) if isinstance(ended, str) else ended
            day = days[ended] = moment.date() if isinstance(moment, datetime) else moment
        person = out.get(staff_id)
        if person is None:
            person = out[staff_id] = {}
        person[course_id] = day
    return out


@dataclass(frozen=True)
class Matrix:
    """People by the mandatory courses that apply to any of them."""

    people: list[Person]
    courses: list[MandatoryCourse]
    #: Each person's standing with each course (both in order); None where the course is
    #: not mandatory for them.
    standings: list[list[Compliance | None]]

    @property
    def required(self) -> int:
        """How many (person, course) standings there are: people times the courses
        mandatory for them."""
        return sum(len(row) - row.count(None) for row in self.standings)


def compliance_matrix(
    on: date,
    window_days: int,
    *,
    viewer: User | None = None,
    team_id: int | None = None,
    staff_id: int | None = None,
) -> Matrix:
    """Each person's standing with each mandatory course that applies to them, in three
    queries (people, courses, latest completions)."""
    query = people_in_post(on, viewer=viewer, team_id=team_id, staff_id=staff_id)
    people = list(
        map(Person._make, _plain_rows(query.order_by(Staff.last_name, Staff.first_name, Staff.id)))
    )
    courses = mandatory_courses()
    role_keys = {p.role_key for p in people}
    courses = [c for c in courses if c.roles & role_keys]
    # The completions of anyone with a spell in force (the same people, or a few more whose
    # completions go unused): cheaper to find than the people themselves.
    candidates = people_in_post(on, viewer=viewer, team_id=team_id, staff_id=staff_id, latest=False)
    done = latest_completions(candidates, [c.id for c in courses], on) if people else {}
    # Many people share a completion date: work each (date, interval) standing out once.
    found: dict[tuple[date | None, int | None], Compliance] = {}
    by_role = {
        role: [
            (i, course.id, course.refresher_months)
            for i, course in enumerate(courses)
            if role in course.roles
        ]
        for role in role_keys
    }
    nothing: dict[int, date] = {}
    standings: list[list[Compliance | None]] = []
    for person in people:
        completed = done.get(person.staff_id, nothing)
        row: list[Compliance | None] = [None] * len(courses)
        for i, course_id, refresher_months in by_role[person.role_key]:
            key = (completed.get(course_id), refresher_months)
            standing = found.get(key)
            if standing is None:
                standing = found[key] = measures.compliance(*key, on, window_days)
            row[i] = standing
        standings.append(row)
    return Matrix(people, courses, standings)


def own_mandatory_training(
    staff_id: int, on: date, window_days: int
) -> list[tuple[str, Compliance]]:
    """A person's standing with each mandatory course for their post, by title."""
    matrix = compliance_matrix(on, window_days, staff_id=staff_id)
    if not matrix.people:
        return []
    return [
        (course.title, standing)
        for course, standing in zip(matrix.courses, matrix.standings[0], strict=True)
        if standing is not None
    ]


COMPLIANCE_FIGURES = [
    Column("people", "People in post", "integer"),
    Column(
        "required",
        "Mandatory courses required",
        "integer",
        "People times the courses mandatory for them.",
    ),
    Column("valid", "Valid", "integer"),
    Column("expiring", "Expiring", "integer"),
    Column("expired", "Expired", "integer"),
    Column("missing", "Missing", "integer"),
    Column(
        "compliance_rate",
        "Compliance rate",
        "percent",
        "Valid or expiring, over courses required.",
    ),
    Column(
        "people_fully_compliant",
        "People with no gaps",
        "integer",
        "People with no expired or missing mandatory course.",
    ),
]
BY_COURSE_COLUMNS = [
    Column("course", "Course"),
    Column("refresher", "Refresher interval"),
    Column("required", "People it is mandatory for", "integer"),
    Column("valid", "Valid", "integer"),
    Column("expiring", "Expiring", "integer"),
    Column("expired", "Expired", "integer"),
    Column("missing", "Missing", "integer"),
    Column(
        "compliance_rate", "Compliance rate", "percent", "Valid or expiring, over people required."
    ),
]


@report(
    "training-compliance",
    title="Mandatory training compliance",
    description=(
        "People in post by the mandatory courses for their role: each valid, expiring, "
        "expired or missing."
    ),
    roles=COMPLIANCE_ROLES,
    accepts=("on", "team", "window"),
)
def build_training_compliance(params: Parameters, viewer: User | None) -> Report:
    """The mandatory training compliance matrix."""
    on = params.on or date.today()
    window = params.window_days if params.window_days is not None else 60
    matrix = compliance_matrix(on, window, viewer=viewer, team_id=params.team_id)
    role_labels = labels("org_role")
    columns = [
        Column("name", "Name"),
        Column("staff_number", "Staff number"),
        Column("team", "Team"),
        Column("role", "Role"),
    ]
    columns += [Column(f"course_{c.id}", c.title) for c in matrix.courses]
    columns += [
        Column("required", "Mandatory courses", "integer"),
        Column("up_to_date", "Up to date", "integer", "Valid or expiring."),
        Column("gaps", "Gaps", "integer", "Expired or missing."),
    ]
    tallies: dict[int, dict[str, int]] = {
        course.id: dict.fromkeys((s.value for s in ComplianceStatus), 0)
        for course in matrix.courses
    }
    keys = [
        (f"course_{course.id}", f"_status_course_{course.id}", tallies[course.id])
        for course in matrix.courses
    ]
    # Each distinct standing is described once; there are far fewer than cells, and the
    # matrix shares one object per standing, so they are told apart by identity.
    shown: dict[int, tuple[str, str, bool]] = {}
    rows = []
    for person, standings in zip(matrix.people, matrix.standings, strict=True):
        row: dict[str, Any] = {
            "_staff_id": person.staff_id,
            "staff_number": person.staff_number,
            "name": f"{person.last_name}, {person.first_name}",
            "team": person.team_name,
            "role": role_labels.get(person.org_role, person.org_role)
            if person.org_role
            else "Other (outside the census)",
        }
        required = up_to_date = 0
        for (key, status_key, tally), standing in zip(keys, standings, strict=True):
            if standing is None:
                row[key] = "Not required"
                row[status_key] = "not_required"
                continue
            described = shown.get(id(standing))
            if described is None:
                described = shown[id(standing)] = (
                    standing.describe(),
                    standing.status.value,
                    standing.status.up_to_date,
                )
            row[key], row[status_key], current = described
            tally[described[1]] += 1
            required += 1
            up_to_date += current
        row["required"] = required
        row["up_to_date"] = up_to_date
        row["gaps"] = required - up_to_date
        rows.append(row)

    by_course = []
    all_counts = dict.fromkeys((s.value for s in ComplianceStatus), 0)
    for course in matrix.courses:
        counts = tallies[course.id]
        course_required = sum(counts.values())
        for status, count in counts.items():
            all_counts[status] += count
        by_course.append(
            {
                "course": course.title,
                "refresher": f"{course.refresher_months} months"
                if course.refresher_months
                else "Does not expire",
                "required": course_required,
                **counts,
                "compliance_rate": measures.rate(
                    counts["valid"] + counts["expiring"], course_required
                ),
            }
        )
    required = matrix.required
    summary = {
        "people": len(matrix.people),
        "required": required,
        **all_counts,
        "compliance_rate": measures.rate(all_counts["valid"] + all_counts["expiring"], required),
        "people_fully_compliant": sum(1 for r in rows if r["required"] and not r["gaps"]),
    }
    return Report(
        name="training-compliance",
        title="Mandatory training compliance",
        parameters={},
        columns=columns,
        rows=rows,
        summary=summary,
        figures=COMPLIANCE_FIGURES,
        sections=[Table("by_course", "Compliance by course", BY_COURSE_COLUMNS, by_course)],
        chart=Chart(
            title="Mandatory training by course",
            label="course",
            series=("valid", "expiring", "expired", "missing"),
            table="by_course",
            stacked=True,
        ),
        notes=[
            f"Standing on {on.isoformat()}: a course is mandatory for a person when it is "
            "mandatory for the census role of their post (or for 'other' posts).",
            "A completion is the latest session the person attended in full. It expires the "
            "refresher interval after the session ended; it is expiring from "
            f"{window} days before that date, up to and including the date itself.",
        ],
    )
