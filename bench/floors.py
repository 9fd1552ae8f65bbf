"""Hand-written SQL floors for the reports: the same figures as each report builder, computed
by one plain query (or a few) on the same database, with no ORM objects and no Python loop
over rows beyond reading the result. ``bench/run.py`` times each floor beside its report and
checks the report's figures against it.

A floor is registered under the report's name with ``run(params) -> figures`` and
``check(result, figures)``, which raises ``FloorMismatch`` saying what differs.

Every floor is written from the report's documented definitions (its module docstring, its
column descriptions and ``workforce.metrics``), never by calling report or service code: SQL
through ``db.session.execute(text(...))``, the same SQL on SQLite and PostgreSQL except for a
few date fragments (``_Dialect``). Python only turns the few grouped rows into rates, rounded
as the reports round them (proportions to four places and money to two, half up; the DfE
census figures to one decimal place of a percentage).

The figures a floor checks (``check`` compares every one of them, exactly):

- ``training``: every row (by course, team, practice model or PCF domain) and the totals:
  sessions delivered, places offered and filled, attended, partly attended, did not attend,
  not marked, attendance and did-not-attend rates, staff trained, cost, cost per attendee;
- ``training-evaluation``: every figure of every course row and of the totals;
- ``training-compliance``: each person's courses required, up to date and gaps; each
  course's required, valid, expiring, expired, missing and rate; the summary;
- ``capability-gaps``: each person's role profile, last assessed, domains, meeting, below
  and not assessed; each domain's counts and rate; the summary;
- ``appraisals``: every month, quarter or team row (counts per kind, total, people
  assessed, people in post and the share assessed in the last 12 months) and the summary;
- ``supervision-compliance``: each person's policy, sessions expected and held,
  full-length sessions, last session, days since, longest gap, next due and status, or
  each team's tally; the summary;
- ``supervision-audit``: every quarter, month or team row (grades, good or better, each
  checklist item's rate) and the summary;
- ``caseload``: each worker's snapshot date, team, FTE, ASYE, cases, points, capacity,
  utilisation, band and judgements, and the workers per band; or each team's or month's
  figures; the summary;
- ``turnover``: every published figure of every team, role or census-year row and of the
  summary, with stability (the sections on leavers, length of service, ASYE cohorts and
  absence by reason are not checked);
- ``workforce-profile``: every category's headcount, FTE and share, and the total;
- ``asye-cohort``: each current enrolment's team, weeks in, next review and when it is
  due, overdue reviews, evidence held and required, protected hours used, caseload points
  and cap; the cohort outcomes, retention and workshop sections; the summary's current,
  overdue and upcoming reviews, over the cap, passed and retention rates (not the RAG
  status, protected hours due or missed supervision windows);
- ``scorecard``: each measure's latest period and the values shown for its latest
  periods (the scorecard's history, and the four its trend is judged over), computed
  measures through the floors below and entered ones as entered; its baseline, every
  target column, the target compared with, RAG, target met, variance, % of target,
  direction of travel (against the previous period, else the baseline, else as published),
  current trend and change since baseline, judged by rules written here (not the app's);
  which actual and target columns there are; the summary's measures, green, amber, red,
  without a RAG and with data (not the benchmarks, nor the charts' series);
- ``evaluation-model``: each evidence line's measure, period, value and status, and the
  summary's counts of stages, activities and evidence measured, without data and not
  measured (the floor also works out each computed measure's three periods before the one
  shown and its baseline's period, which the report reads for the direction of travel and
  trend, but does not check the judgements made from them);
- ``census-xml`` (not a registry report: ``result`` is ``build_return(year)``): every
  element of every ``CSWWWorker`` record, each record keyed by staff id, ``AgencyWorker``
  and ``RoleStartDate`` (records missing on either side count), and the LA-level
  ``NumberOfVacancies``, ``NoAgencyFTE`` and ``NoAgencyHeadcount``.
"""

from __future__ import annotations

import calendar
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Date, DateTime, Integer, String, bindparam, text

from workforce.extensions import db


class FloorMismatch(AssertionError):
    """The report's figures differ from its floor's."""


@dataclass(frozen=True)
class Floor:
    run: Callable[[Any], Any]
    check: Callable[[Any, Any], None]


FLOORS: dict[str, Floor] = {}


def floor(
    name: str, check: Callable[[Any, Any], None]
) -> Callable[[Callable[[Any], Any]], Callable[[Any], Any]]:
    """Register the decorated function as report ``name``'s floor."""

    def decorator(run: Callable[[Any], Any]) -> Callable[[Any], Any]:
        FLOORS[name] = Floor(run, check)
        return run

    return decorator


# --- running SQL ------------------------------------------------------------------------------


def _postgres() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def _bind_type(value: Any) -> Any:
    if isinstance(value, datetime):
        return DateTime()
    if isinstance(value, date):
        return Date()
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Integer()
    if isinstance(value, str):
        return String()
    return None


def _rows(sql: str, **values: Any) -> list[Any]:
    """The rows of ``sql`` with ``values`` bound as typed parameters."""
    statement = text(sql)
    binds = [
        bindparam(name, value, type_=_bind_type(value))
        for name, value in values.items()
        if f":{name}" in sql
    ]
    if binds:
        statement = statement.bindparams(*binds)
    return db.session.execute(statement).all()


class _Dialect:
    """The few SQL fragments that differ between PostgreSQL and SQLite."""

    def __init__(self) -> None:
        self.pg = _postgres()

    def lit(self, day: date) -> str:
        """A date literal (the floors write only dates they made themselves)."""
        return f"DATE '{day.isoformat()}'" if self.pg else f"'{day.isoformat()}'"

    def day_of(self, timestamp: str) -> str:
        return f"CAST({timestamp} AS DATE)" if self.pg else f"date({timestamp})"

    def days(self, later: str, earlier: str) -> str:
        """Whole days from ``earlier`` to ``later``."""
        if self.pg:
            return f"({later} - {earlier})"
        return f"CAST(round(julianday({later}) - julianday({earlier})) AS INTEGER)"

    def add_days(self, day: str, days: str) -> str:
        if self.pg:
            return f"({day} + CAST({days} AS INTEGER))"
        return f"date({day}, printf('%+d days', {days}))"

    def add_months(self, day: str, months: str) -> str:
        """``day`` plus ``months`` calendar months, clamped to the month's end."""
        if self.pg:
            return f"CAST({day} + make_interval(months => {months}) AS DATE)"
        first = f"date({day}, 'start of month', printf('%+d months', {months}))"
        return (
            f"min(date({first}, '+1 month', '-1 day'), "
            f"date({first}, printf('+%d days', CAST(strftime('%d', {day}) AS INTEGER) - 1)))"
        )

    def year(self, day: str) -> str:
        if self.pg:
            return f"CAST(extract(year FROM {day}) AS INTEGER)"
        return f"CAST(strftime('%Y', {day}) AS INTEGER)"

    def month(self, day: str) -> str:
        if self.pg:
            return f"CAST(extract(month FROM {day}) AS INTEGER)"
        return f"CAST(strftime('%m', {day}) AS INTEGER)"

    def greatest(self, *items: str) -> str:
        return f"{'greatest' if self.pg else 'max'}({', '.join(items)})"

    def real(self, expression: str) -> str:
        return f"CAST({expression} AS {'DOUBLE PRECISION' if self.pg else 'REAL'})"

    def fte_micro(self, spell: str) -> str:
        """A spell's FTE (contracted over standard hours, at most 1) in millionths, rounded
        half up to whole millionths: six places, as the census records it."""
        if self.pg:
            return (
                f"CAST(round(least({spell}.contracted_hours * 1000000 / {spell}.standard_hours,"
                " 1000000)) AS BIGINT)"
            )
        return (
            f"CAST(round(min({spell}.contracted_hours * 1000000.0 / {spell}.standard_hours,"
            " 1000000)) AS INTEGER)"
        )

    def fte_exact(self, spell: str) -> str:
        """A spell's FTE unrounded (contracted over standard hours, at most 1)."""
        one = "1" if self.pg else "1.0"
        return (
            f"CASE WHEN {spell}.contracted_hours >= {spell}.standard_hours THEN {one} "
            f"ELSE {spell}.contracted_hours * {one} / {spell}.standard_hours END"
        )

    def values(self, name: str, columns: str, rows: Iterable[tuple[Any, ...]]) -> str:
        """A CTE of literal rows (ints and dates)."""

        def cell(value: Any) -> str:
            if isinstance(value, date):
                return self.lit(value)
            if value is None:
                return "NULL"
            return str(int(value))

        body = ", ".join("(" + ", ".join(cell(v) for v in row) + ")" for row in rows)
        return f"{name}({columns}) AS (VALUES {body})"


# --- values -----------------------------------------------------------------------------------

FOUR = Decimal("0.0001")
TWO = Decimal("0.01")
ONE = Decimal("0.1")
THOUSANDTH = Decimal("0.001")
MILLION = Decimal(1000000)


def _date(value: Any) -> date | None:
    if value is None or (isinstance(value, date) and not isinstance(value, datetime)):
        return value
    if isinstance(value, datetime):
        return value.date()
    return date.fromisoformat(str(value)[:10])


def _dec(value: Any) -> Decimal:
    if value is None:
        return Decimal(0)
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _int(value: Any) -> int:
    return int(value or 0)


def _rate(part: Any, whole: Any) -> Decimal | None:
    """A proportion to four places, half up; None over nothing."""
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(FOUR, ROUND_HALF_UP)


def _census_rate(part: Any, whole: Any) -> Decimal | None:
    """A proportion to one decimal place of a percentage, half up (the DfE's precision)."""
    if not whole:
        return None
    return (_dec(part) / _dec(whole)).quantize(THOUSANDTH, ROUND_HALF_UP)


class _Rounded:
    """A figure rounded half up to ``quantum`` from an unrounded ``exact`` value, compared
    with the report's allowing for a millionth either side: for the turnover report's days
    lost and absence rates, which add up shares of absences that the database cuts off
    (PostgreSQL's numeric to 20 places, SQLite's floating point), so that a figure exactly
    on a half may round either way."""

    def __init__(self, exact: Decimal | None, quantum: Decimal) -> None:
        self.exact = exact
        self.quantum = quantum
        self.slack = Decimal("0.000001") * max(Decimal(1), abs(exact)) if exact else Decimal(0)

    def __eq__(self, other: object) -> bool:
        if self.exact is None or other is None:
            return self.exact is None and other is None
        if not isinstance(other, Decimal):
            return NotImplemented
        low = (self.exact - self.slack).quantize(self.quantum, ROUND_HALF_UP)
        high = (self.exact + self.slack).quantize(self.quantum, ROUND_HALF_UP)
        return low <= other <= high and other == other.quantize(self.quantum)

    def __hash__(self) -> int:
        return hash(self.exact)

    def __repr__(self) -> str:
        if self.exact is None:
            return "None"
        shown = self.exact.quantize(self.quantum, ROUND_HALF_UP)
        return f"{shown} (exactly {self.exact:.6f}, give or take {self.slack:.6f})"


def _one_place(value: Any) -> Decimal:
    return _dec(value).quantize(ONE, ROUND_HALF_UP)


def _mean(total: Any, count: int) -> Decimal | None:
    if not count:
        return None
    return (Decimal(total) / count).quantize(TWO, ROUND_HALF_UP)


def _money(total: Any, count: int) -> Decimal | None:
    if not count:
        return None
    return (_dec(total) / count).quantize(TWO, ROUND_HALF_UP)


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


MONTHS = [calendar.month_name[m] for m in range(1, 13)]


def _buckets(start: date, end: date, by: str) -> list[tuple[int, str, date, date]]:
    """(index, label, first, last) of the months or calendar quarters from ``start`` to
    ``end``, clipped to them."""
    step = 1 if by == "month" else 3
    year, month = start.year, start.month - ((start.month - 1) % 3 if by == "quarter" else 0)
    out: list[tuple[int, str, date, date]] = []
    while date(year, month, 1) <= end:
        last_month = month + step - 1
        last = date(year, last_month, calendar.monthrange(year, last_month)[1])
        label = (
            f"{MONTHS[month - 1]} {year}"
            if by == "month"
            else f"{MONTHS[month - 1]} to {MONTHS[last_month - 1]} {year}"
        )
        out.append((len(out), label, max(start, date(year, month, 1)), min(end, last)))
        month += step
        if month > 12:
            year, month = year + 1, month - 12
    return out


# --- comparing --------------------------------------------------------------------------------


def _differences(what: str, got: Mapping[Any, Any], want: Mapping[Any, Any]) -> list[str]:
    problems = []
    for key in sorted(set(got) | set(want), key=repr):
        if key not in got:
            problems.append(f"{what} {key!r}: missing from the report")
        elif key not in want:
            problems.append(f"{what} {key!r}: not in the floor")
        elif got[key] != want[key]:
            mine, theirs = got[key], want[key]
            if isinstance(mine, Mapping) and isinstance(theirs, Mapping):
                detail = ", ".join(
                    f"{k} {mine.get(k)!r} (floor {theirs.get(k)!r})"
                    for k in theirs
                    if mine.get(k) != theirs.get(k)
                )
            else:
                detail = f"{mine!r} (floor {theirs!r})"
            problems.append(f"{what} {key!r}: {detail}")
    return problems


def _expect(*problems: list[str]) -> None:
    found = [p for group in problems for p in group]
    if found:
        more = f" (and {len(found) - 5} more)" if len(found) > 5 else ""
        raise FloorMismatch("; ".join(found[:5]) + more)


def _pick(row: Mapping[str, Any], keys: Iterable[str]) -> dict[str, Any]:
    return {key: row.get(key) for key in keys}


# --- spells -----------------------------------------------------------------------------------


def _in_force(spell: str, day: str) -> str:
    return (
        f"{spell}.start_date <= {day} AND ({spell}.end_date IS NULL OR {spell}.end_date >= {day})"
    )


def _latest_in_force(spell: str, day: str, other: str = "later_spell") -> str:
    """SQL: no other spell of the same person in force on ``day`` started later (or the
    same day with a higher id): ``spell`` is the person's latest started spell in force."""
    return (
        f"NOT EXISTS (SELECT 1 FROM employment_spell {other} WHERE {other}.staff_id = "
        f"{spell}.staff_id AND {_in_force(other, day)} AND ({other}.start_date > "
        f"{spell}.start_date OR ({other}.start_date = {spell}.start_date AND {other}.id > "
        f"{spell}.id)))"
    )


# --- training -----------------------------------------------------------------------------------

TRAINING_FIGURES = (
    "sessions_delivered",
    "places_offered",
    "places_filled",
    "attended",
    "partly_attended",
    "did_not_attend",
    "not_marked",
    "attendance_rate",
    "dna_rate",
    "staff_trained",
    "total_cost",
    "cost_per_attendee",
)


def _delivered(sql: _Dialect) -> str:
    """CTE ``delivered``: sessions starting from :start_at to before :stop_at that were
    delivered (completed, or not cancelled with a marked register)."""
    return f"""delivered AS (
    SELECT s.id, s.capacity, s.course_id, c.practice_model_id, c.cost_per_place,
           {sql.day_of("s.starts_at")} AS day
    FROM training_session s JOIN course c ON c.id = s.course_id
    WHERE s.starts_at >= :start_at AND s.starts_at < :stop_at
      AND (s.status = 'completed' OR (s.status <> 'cancelled' AND EXISTS (
            SELECT 1 FROM booking m WHERE m.session_id = s.id AND m.attendance IS NOT NULL))))"""


def _places(sql: _Dialect, team: bool, team_id: int | None) -> str:
    """CTE ``places``: filled places on delivered sessions, with the attendee's team on the
    session's day when asked (the latest started spell in force; NULL without one)."""
    if not team and team_id is None:
        return """places AS (
    SELECT b.id, b.staff_id, b.attendance, d.id AS session_id, d.course_id,
           d.practice_model_id, d.cost_per_place, NULL AS team_id
    FROM booking b JOIN delivered d ON d.id = b.session_id WHERE b.status = 'booked')"""
    scoped = "" if team_id is None else " AND team_id = :team_id"
    return f"""spelled AS (
    SELECT b.id, b.staff_id, b.attendance, d.id AS session_id, d.course_id,
           d.practice_model_id, d.cost_per_place, e.team_id,
           row_number() OVER (PARTITION BY b.id ORDER BY e.start_date DESC, e.id DESC) AS rank
    FROM booking b JOIN delivered d ON d.id = b.session_id
    LEFT JOIN employment_spell e ON e.staff_id = b.staff_id AND {_in_force("e", "d.day")}
    WHERE b.status = 'booked'),
places AS (
    SELECT id, staff_id, attendance, session_id, course_id, practice_model_id, cost_per_place,
           team_id
    FROM spelled WHERE rank = 1{scoped})"""


PLACE_SUMS = """count(*) AS filled,
       count(CASE WHEN p.attendance = 'attended' THEN 1 END) AS attended,
       count(CASE WHEN p.attendance = 'partial' THEN 1 END) AS partial,
       count(CASE WHEN p.attendance = 'did_not_attend' THEN 1 END) AS dna,
       count(CASE WHEN p.attendance IS NULL THEN 1 END) AS unmarked,
       count(DISTINCT CASE WHEN p.attendance = 'attended' THEN p.staff_id END) AS trained,
       sum(p.cost_per_place) AS cost,
       count(DISTINCT p.session_id) AS sessions"""

TRAINING_KEYS = {
    "course": ("p.course_id", "JOIN course g ON g.id = p.course_id", "g.title", "course_id"),
    "team": ("p.team_id", "LEFT JOIN team g ON g.id = p.team_id", "g.name", None),
    "practice_model": (
        "p.practice_model_id",
        "LEFT JOIN practice_model g ON g.id = p.practice_model_id",
        "g.name",
        "practice_model_id",
    ),
    "domain": (
        "cd.domain_id",
        "LEFT JOIN course_domain cd ON cd.course_id = p.course_id "
        "LEFT JOIN framework_domain g ON g.id = cd.domain_id",
        "g.name",
        "domain_id",
    ),
}


def training_figures(
    start: date, end: date, by: str = "course", team_id: int | None = None
) -> dict[str, Any]:
    """The training statistics for sessions starting from ``start`` to ``end``: figures per
    group label (None: the placeholder group) and overall, in two queries (places, then
    the delivered sessions)."""
    sql = _Dialect()
    team_scoped = by == "team" or team_id is not None
    key, join, label, _ = TRAINING_KEYS[by]
    places = _rows(
        f"""WITH {_delivered(sql)}, {_places(sql, by == "team", team_id)}
SELECT 0 AS whole, {label} AS label, {PLACE_SUMS}
FROM places p {join} GROUP BY {key}, {label}
UNION ALL
SELECT 1, NULL, {PLACE_SUMS} FROM places p""",
        start_at=datetime.combine(start, time.min),
        stop_at=datetime.combine(end + timedelta(days=1), time.min),
        team_id=team_id,
    )
    sessions: list[Any] = []
    if not team_scoped:
        session_key = {"course": "d.course_id", "practice_model": "d.practice_model_id"}.get(
            by, "sd.domain_id"
        )
        session_join = {
            "course": "JOIN course g ON g.id = d.course_id",
            "practice_model": "LEFT JOIN practice_model g ON g.id = d.practice_model_id",
        }.get(
            by,
            "LEFT JOIN course_domain sd ON sd.course_id = d.course_id "
            "LEFT JOIN framework_domain g ON g.id = sd.domain_id",
        )
        sessions = _rows(
            f"""WITH {_delivered(sql)}
SELECT 0 AS whole, {label} AS label, count(*) AS sessions, coalesce(sum(d.capacity), 0) AS offered
FROM delivered d {session_join} GROUP BY {session_key}, {label}
UNION ALL
SELECT 1, NULL, count(*), coalesce(sum(d.capacity), 0) FROM delivered d""",
            start_at=datetime.combine(start, time.min),
            stop_at=datetime.combine(end + timedelta(days=1), time.min),
        )
    booked = {(row.whole, row.label): row for row in places}
    held = {(row.whole, row.label): row for row in sessions}

    def figures(key: tuple[int, Any]) -> dict[str, Any]:
        row = booked.get(key)
        attended, partial, dna = (
            (_int(row.attended), _int(row.partial), _int(row.dna)) if row else (0, 0, 0)
        )
        cost = _dec(row.cost if row else None).quantize(TWO, ROUND_HALF_EVEN)
        if team_scoped:
            sessions_delivered, offered = _int(row.sessions if row else 0), None
        else:
            found = held.get(key)
            sessions_delivered = _int(found.sessions if found else 0)
            offered = _int(found.offered if found else 0)
        return {
            "sessions_delivered": sessions_delivered,
            "places_offered": offered,
            "places_filled": _int(row.filled if row else 0),
            "attended": attended,
            "partly_attended": partial,
            "did_not_attend": dna,
            "not_marked": _int(row.unmarked if row else 0),
            "attendance_rate": _rate(attended + partial, attended + partial + dna),
            "dna_rate": _rate(dna, attended + partial + dna),
            "staff_trained": _int(row.trained if row else 0),
            "total_cost": cost,
            "cost_per_attendee": _money(cost, attended + partial),
        }

    groups = {key for key in (*booked, *held) if key[0] == 0}
    return {
        "rows": {key[1]: figures(key) for key in groups},
        "total": figures((1, None)),
    }


def _floor_params(params: Any) -> tuple[date, date]:
    assert params.start is not None and params.end is not None
    return params.start, params.end


def _training_check(result: Any, figures: dict[str, Any]) -> None:
    got = {
        None if row["_placeholder"] else row["group"]: _pick(row, TRAINING_FIGURES)
        for row in result.rows
    }
    _expect(
        _differences("group", got, figures["rows"]),
        _differences(
            "totals", {"": _pick(result.summary, TRAINING_FIGURES)}, {"": figures["total"]}
        ),
    )


@floor("training", _training_check)
def _training_run(params: Any) -> dict[str, Any]:
    start, end = _floor_params(params)
    return training_figures(start, end, params.by or "course", params.team_id)


EVALUATION_FIGURES = (
    "sessions",
    "attendees",
    "evaluations",
    "response_rate",
    "good_or_better",
    "good_or_better_rate",
    "mean_overall",
    "mean_relevance",
    "mean_confidence_before",
    "mean_confidence_after",
    "confidence_change",
    "practice_changed_yes",
    "practice_changed_partly",
    "practice_changed_no",
    "practice_changed_rate",
)


def evaluation_figures(start: date, end: date, team_id: int | None = None) -> dict[str, Any]:
    """The training evaluation figures per course title and overall, in one query."""
    sql = _Dialect()
    sums = """count(DISTINCT p.session_id) AS sessions,
       count(CASE WHEN p.attendance IN ('attended', 'partial') THEN 1 END) AS attendees,
       count(v.id) AS evaluations,
       count(CASE WHEN v.overall >= 4 THEN 1 END) AS good,
       coalesce(sum(v.overall), 0) AS overall, coalesce(sum(v.relevance), 0) AS relevance,
       coalesce(sum(v.confidence_before), 0) AS before,
       coalesce(sum(v.confidence_after), 0) AS after,
       count(CASE WHEN f.practice_changed = 'yes' THEN 1 END) AS yes,
       count(CASE WHEN f.practice_changed = 'partly' THEN 1 END) AS partly,
       count(CASE WHEN f.practice_changed = 'no' THEN 1 END) AS no"""
    rows = _rows(
        f"""WITH {_delivered(sql)}, {_places(sql, False, team_id)},
facts AS (SELECT p.*, c.title FROM places p JOIN course c ON c.id = p.course_id)
SELECT p.title, {sums}
FROM facts p LEFT JOIN evaluation v ON v.booking_id = p.id
LEFT JOIN impact_follow_up f ON f.booking_id = p.id GROUP BY p.course_id, p.title""",
        start_at=datetime.combine(start, time.min),
        stop_at=datetime.combine(end + timedelta(days=1), time.min),
        team_id=team_id,
    )

    def figures(row: Any) -> dict[str, Any]:
        count, attendees = _int(row.evaluations), _int(row.attendees)
        good, yes, partly, no = _int(row.good), _int(row.yes), _int(row.partly), _int(row.no)
        before, after = _int(row.before), _int(row.after)
        return {
            "sessions": _int(row.sessions),
            "attendees": attendees,
            "evaluations": count,
            "response_rate": _rate(count, attendees),
            "good_or_better": good,
            "good_or_better_rate": _rate(good, count),
            "mean_overall": _mean(_int(row.overall), count),
            "mean_relevance": _mean(_int(row.relevance), count),
            "mean_confidence_before": _mean(before, count),
            "mean_confidence_after": _mean(after, count),
            "confidence_change": _mean(after - before, count),
            "practice_changed_yes": yes,
            "practice_changed_partly": partly,
            "practice_changed_no": no,
            "practice_changed_rate": _rate(yes + partly, yes + partly + no),
        }

    # Each session and place belongs to one course: the totals are the courses' sums.
    names = ("sessions", "attendees", "evaluations", "good", "overall", "relevance", "before",
             "after", "yes", "partly", "no")  # fmt: skip
    total = SimpleNamespace(**{n: sum(_int(getattr(row, n)) for row in rows) for n in names})
    return {"rows": {row.title: figures(row) for row in rows}, "total": figures(total)}


def _evaluation_check(result: Any, figures: dict[str, Any]) -> None:
    got = {row["course"]: _pick(row, EVALUATION_FIGURES) for row in result.rows}
    _expect(
        _differences("course", got, figures["rows"]),
        _differences(
            "totals", {"": _pick(result.summary, EVALUATION_FIGURES)}, {"": figures["total"]}
        ),
    )


@floor("training-evaluation", _evaluation_check)
def _evaluation_run(params: Any) -> dict[str, Any]:
    start, end = _floor_params(params)
    return evaluation_figures(start, end, params.team_id)


# --- mandatory training ---------------------------------------------------------------------


def _people_in_post(day: str, team_id: int | None, spell: str = "e") -> str:
    """CTE ``people``: each person in post on ``day`` with their latest started spell in
    force (and its team: the spell's team must exist)."""
    scoped = "" if team_id is None else f" AND {spell}.team_id = :team_id"
    return f"""people AS (
    SELECT {spell}.staff_id, {spell}.id AS spell_id, {spell}.team_id, t.name AS team,
           {spell}.org_role, {spell}.post_title, {spell}.grade, {spell}.start_origin,
           {spell}.start_date
    FROM employment_spell {spell} JOIN team t ON t.id = {spell}.team_id
    WHERE {_in_force(spell, day)} AND {_latest_in_force(spell, day)}{scoped})"""


COMPLIANCE_STATUSES = ("valid", "expiring", "expired", "missing")


def compliance_figures(on: date, window: int, team_id: int | None = None) -> dict[str, Any]:
    """Each person's and each course's standing counts with the mandatory courses on
    ``on``, in one query."""
    sql = _Dialect()
    expires = sql.add_months("d.completed", "m.refresher_months")
    rows = _rows(
        f"""WITH {_people_in_post(":on", team_id)},
mandatory AS (
    SELECT c.id, c.title, c.refresher_months, a.value AS role
    FROM course c JOIN course_audience a ON a.course_id = c.id
    WHERE c.active IS TRUE AND a.kind = 'role' AND a.mandatory IS TRUE),
done AS (
    SELECT b.staff_id, s.course_id, max({sql.day_of("s.ends_at")}) AS completed
    FROM booking b JOIN training_session s ON s.id = b.session_id
    WHERE b.status = 'booked' AND b.attendance = 'attended' AND s.status <> 'cancelled'
      AND s.ends_at < :stop_at AND s.course_id IN (SELECT id FROM mandatory)
      AND b.staff_id IN (SELECT staff_id FROM people)
    GROUP BY b.staff_id, s.course_id),
cells AS (
    SELECT p.staff_id, m.title,
           CASE WHEN d.completed IS NULL THEN 'missing'
                WHEN m.refresher_months IS NULL THEN 'valid'
                WHEN {expires} < :on THEN 'expired'
                WHEN {expires} <= :warn_until THEN 'expiring'
                ELSE 'valid' END AS status
    FROM people p JOIN mandatory m ON m.role = coalesce(p.org_role, 'other')
    LEFT JOIN done d ON d.staff_id = p.staff_id AND d.course_id = m.id)
SELECT 'person' AS kind, p.staff_id AS item, NULL AS title,
       count(c.status) AS required,
       count(CASE WHEN c.status IN ('valid', 'expiring') THEN 1 END) AS up_to_date,
       0 AS valid, 0 AS expiring, 0 AS expired, 0 AS missing
FROM people p LEFT JOIN cells c ON c.staff_id = p.staff_id GROUP BY p.staff_id
UNION ALL
SELECT 'course', NULL, title, count(*), 0,
       count(CASE WHEN status = 'valid' THEN 1 END),
       count(CASE WHEN status = 'expiring' THEN 1 END),
       count(CASE WHEN status = 'expired' THEN 1 END),
       count(CASE WHEN status = 'missing' THEN 1 END)
FROM cells GROUP BY title""",
        on=on,
        warn_until=on + timedelta(days=window),
        stop_at=datetime.combine(on + timedelta(days=1), time.min),
        team_id=team_id,
    )
    people = {
        row.item: {
            "required": _int(row.required),
            "up_to_date": _int(row.up_to_date),
            "gaps": _int(row.required) - _int(row.up_to_date),
        }
        for row in rows
        if row.kind == "person"
    }
    courses = {}
    totals = dict.fromkeys(COMPLIANCE_STATUSES, 0)
    for row in rows:
        if row.kind != "course":
            continue
        counts = {status: _int(getattr(row, status)) for status in COMPLIANCE_STATUSES}
        for status, count in counts.items():
            totals[status] += count
        courses[row.title] = {
            "required": _int(row.required),
            **counts,
            "compliance_rate": _rate(counts["valid"] + counts["expiring"], _int(row.required)),
        }
    required = sum(totals.values())
    summary = {
        "people": len(people),
        "required": required,
        **totals,
        "compliance_rate": _rate(totals["valid"] + totals["expiring"], required),
        "people_fully_compliant": sum(
            1 for p in people.values() if p["required"] and not p["gaps"]
        ),
    }
    return {"people": people, "courses": courses, "summary": summary}


def _compliance_check(result: Any, figures: dict[str, Any]) -> None:
    keys = ("required", "up_to_date", "gaps")
    got = {row["_staff_id"]: _pick(row, keys) for row in result.rows}
    (by_course,) = [s for s in result.sections if s.key == "by_course"]
    course_keys = ("required", *COMPLIANCE_STATUSES, "compliance_rate")
    _expect(
        _differences("person", got, figures["people"]),
        _differences(
            "course",
            {r["course"]: _pick(r, course_keys) for r in by_course.rows},
            figures["courses"],
        ),
        _differences("summary", {"": dict(result.summary)}, {"": figures["summary"]}),
    )


@floor("training-compliance", _compliance_check)
def _compliance_run(params: Any) -> dict[str, Any]:
    on = params.on or date.today()
    window = params.window_days if params.window_days is not None else 60
    return compliance_figures(on, window, params.team_id)


# --- workforce profile --------------------------------------------------------------------------

PROFILE_CATEGORY = {
    "gender": "coalesce(g.label, 'Not recorded')",
    "ethnicity": "CASE WHEN x.code IS NULL THEN 'Not recorded' "
    "ELSE coalesce(x.\"group\", 'Not known') END",
    "age": "CASE WHEN p.age IS NULL THEN 'Not recorded' WHEN p.age < 30 THEN 'Under 30' "
    "WHEN p.age < 40 THEN '30 to 39' WHEN p.age < 50 THEN '40 to 49' "
    "WHEN p.age < 60 THEN '50 to 59' ELSE '60 and over' END",
    "team": "p.team",
}


def profile_figures(on: date, by: str, team_id: int | None = None) -> dict[str, Any]:
    """Headcount and FTE (millionths) per category of the non-agency staff in post on
    ``on``, in one query."""
    sql = _Dialect()
    year_of = (
        "CAST(extract(year FROM st.date_of_birth) AS INTEGER)"
        if sql.pg
        else ("CAST(strftime('%Y', st.date_of_birth) AS INTEGER)")
    )
    month_day = (
        "to_char(st.date_of_birth, 'MM-DD')" if sql.pg else "strftime('%m-%d', st.date_of_birth)"
    )
    scoped = "" if team_id is None else " WHERE p.team_id = :team_id"
    rows = _rows(
        f"""WITH staffed AS (
    SELECT e.* FROM employment_spell e WHERE {_in_force("e", ":on")} AND e.contract_type <> 'agency'),
ranked AS (
    SELECT s.staff_id, s.team_id,
           sum({sql.fte_micro("s")}) OVER (PARTITION BY s.staff_id) AS fte,
           row_number() OVER (PARTITION BY s.staff_id ORDER BY s.start_date DESC, s.id DESC) AS r
    FROM staffed s),
people AS (SELECT staff_id, fte, team_id FROM ranked WHERE r = 1),
described AS (
    SELECT p.staff_id, p.fte, p.team_id, t.name AS team, st.gender, st.ethnicity,
           CASE WHEN st.date_of_birth IS NULL THEN NULL
                ELSE :on_year - {year_of} - CASE WHEN {month_day} > :on_md THEN 1 ELSE 0 END
           END AS age
    FROM people p JOIN staff st ON st.id = p.staff_id JOIN team t ON t.id = p.team_id)
SELECT {PROFILE_CATEGORY[by]} AS category, count(*) AS headcount, sum(p.fte) AS fte
FROM described p
LEFT JOIN code_entry g ON g.list_name = 'gender' AND g.code = p.gender
LEFT JOIN code_entry x ON x.list_name = 'ethnicity' AND x.code = p.ethnicity{scoped}
GROUP BY {PROFILE_CATEGORY[by]}""",
        on=on,
        on_year=on.year,
        on_md=f"{on.month:02d}-{on.day:02d}",
        team_id=team_id,
    )
    return {row.category: (_int(row.headcount), _dec(row.fte) / MILLION) for row in rows}


def _profile_row(count: int, fte: Decimal, total: int, suppress: bool) -> dict[str, Any]:
    if suppress and 0 < count < 5:
        return {"headcount": "<5", "fte": None, "share": None}
    return {
        "headcount": count,
        "fte": fte.quantize(TWO, ROUND_HALF_UP),
        "share": _rate(count, total),
    }


def _profile_check(result: Any, figures: dict[str, Any]) -> None:
    counts, suppress = figures["counts"], figures["suppress"]
    total = sum(count for count, _ in counts.values())
    want = {c: _profile_row(n, f, total, suppress) for c, (n, f) in counts.items()}
    whole = _profile_row(total, sum((f for _, f in counts.values()), Decimal(0)), total, suppress)
    keys = ("headcount", "fte", "share")
    _expect(
        _differences("category", {r["category"]: _pick(r, keys) for r in result.rows}, want),
        _differences("total", {"": _pick(result.summary, keys)}, {"": whole}),
    )


@floor("workforce-profile", _profile_check)
def _profile_run(params: Any) -> dict[str, Any]:
    on = params.on or date.today()
    return {
        "counts": profile_figures(on, params.by or "gender", params.team_id),
        "suppress": bool(params.suppress),
    }


# --- appraisals -------------------------------------------------------------------------------

KINDS = ("appraisal", "supervisor", "asye_review", "self")
NO_TEAM = "No team recorded"


def appraisal_figures(
    start: date,
    end: date,
    by: str = "month",
    team_id: int | None = None,
    *,
    with_coverage: bool = True,
) -> dict[str, Any]:
    """Signed-off assessments per month, quarter or team (and overall), and people in post
    assessed in the 12 months up to each bucket's last day (today, if still to come), in two
    queries."""
    sql = _Dialect()
    today = date.today()
    by_team = by == "team"
    buckets = [(0, "", start, end)] if by_team else _buckets(start, end, by)
    spell_join = (
        "LEFT JOIN employment_spell e ON e.staff_id = a.staff_id AND "
        f"{_in_force('e', 'a.assessed_on')} AND {_latest_in_force('e', 'a.assessed_on')}"
    )
    needs_spell = by_team or team_id is not None
    scoped = "" if team_id is None else " AND e.team_id = :team_id"
    kinds = ", ".join(f"count(CASE WHEN a.kind = '{kind}' THEN 1 END) AS {kind}" for kind in KINDS)
    key = "e.team_id" if by_team else "b.idx"
    table = sql.values(
        "buckets",
        "idx, first_day, last_day",
        [(i, first, last) for i, _, first, last in buckets] + [(-1, start, end)],
    )
    counts = _rows(
        f"""WITH {table}
SELECT {key} AS grp, {kinds},
       count(DISTINCT CASE WHEN a.kind <> 'self' THEN a.staff_id END) AS people
FROM assessment a JOIN buckets b ON a.assessed_on >= b.first_day AND a.assessed_on <= b.last_day
{spell_join if needs_spell else ""}
WHERE a.status = 'signed_off' AND b.idx >= 0{scoped} GROUP BY {key}
UNION ALL
SELECT NULL, {kinds},
       count(DISTINCT CASE WHEN a.kind <> 'self' THEN a.staff_id END)
FROM assessment a JOIN buckets b ON a.assessed_on >= b.first_day AND a.assessed_on <= b.last_day
{spell_join if needs_spell else ""}
WHERE a.status = 'signed_off' AND b.idx = -1{scoped}""",
        team_id=team_id,
    )
    *grouped, whole = counts
    snapshot = min(end, today)
    days = (
        [(0, snapshot)]
        if by_team and start <= today
        else [
            (i, min(last, today)) for i, _, first, last in buckets if first <= today and not by_team
        ]
    )
    coverage: list[Any] = []
    if start <= today and with_coverage:
        days_rows = [(i, _add_months(day, -12), day) for i, day in days] + [
            (-1, _add_months(snapshot, -12), snapshot)
        ]
        covered = (
            "EXISTS (SELECT 1 FROM assessment a WHERE a.staff_id = e.staff_id AND "
            "a.status = 'signed_off' AND a.kind <> 'self' AND a.assessed_on >= d.first_day "
            "AND a.assessed_on <= d.last_day)"
        )
        team = "CASE WHEN d.idx >= 0 THEN e.team_id END" if by_team else "NULL"
        coverage = _rows(
            f"""WITH {sql.values("days", "idx, first_day, last_day", days_rows)}
SELECT d.idx, {team} AS team_id, count(*) AS in_post,
       count(CASE WHEN {covered} THEN 1 END) AS covered
FROM days d JOIN employment_spell e ON {_in_force("e", "d.last_day")}
     AND {_latest_in_force("e", "d.last_day")}
{"" if team_id is None else "WHERE e.team_id = :team_id"}
GROUP BY d.idx{", " + team if by_team else ""}""",
            team_id=team_id,
        )
    held = {
        (row.team_id if by_team else row.idx): (_int(row.in_post), _int(row.covered))
        for row in coverage
        if row.idx >= 0
    }
    overall = next(((_int(r.in_post), _int(r.covered)) for r in coverage if r.idx < 0), None)

    def figures(row: Any, group: Any, started: bool) -> dict[str, Any]:
        values = {kind: _int(getattr(row, kind, 0)) if row else 0 for kind in KINDS}
        values["total"] = sum(values[k] for k in KINDS if k != "self")
        values["people_assessed"] = _int(row.people) if row else 0
        in_post, covered = held.get(group, (0, 0))
        values["in_post"] = in_post if started else None
        values["assessed_12m_rate"] = _rate(covered, in_post) if started else None
        return values

    by_group = {row.grp: row for row in grouped}
    rows: dict[Any, dict[str, Any]] = {}
    if by_team:
        names = dict(_rows("SELECT id, name FROM team"))
        for group in set(by_group) | set(held):
            rows[names.get(group, NO_TEAM)] = figures(by_group.get(group), group, start <= today)
    else:
        for index, label, first, last in buckets:
            rows[label] = {
                "from": first,
                "to": last,
                **figures(by_group.get(index), index, first <= today),
            }
    summary = {
        "appraisals": _int(whole.appraisal),
        "assessments": sum(_int(getattr(whole, k)) for k in KINDS if k != "self"),
        "self_assessments": _int(whole.self),
        "people_assessed": _int(whole.people),
        "in_post": overall[0] if overall else None,
        "not_assessed_12m": overall[0] - overall[1] if overall else None,
        "assessed_12m_rate": _rate(overall[1], overall[0]) if overall else None,
    }
    return {"rows": rows, "summary": summary}


def _appraisals_check(result: Any, figures: dict[str, Any]) -> None:
    keys = (*KINDS, "total", "people_assessed", "in_post", "assessed_12m_rate")
    got = {}
    for row in result.rows:
        values = _pick(row, keys)
        if "from" in row:
            values.update({"from": row["from"], "to": row["to"]})
        got[row["period"]] = values
    _expect(
        _differences("row", got, figures["rows"]),
        _differences("summary", {"": dict(result.summary)}, {"": figures["summary"]}),
    )


@floor("appraisals", _appraisals_check)
def _appraisals_run(params: Any) -> dict[str, Any]:
    start, end = _floor_params(params)
    return appraisal_figures(start, end, params.by or "month", params.team_id)


# --- supervision audits -----------------------------------------------------------------------

GRADES = ("outstanding", "good", "requires_improvement", "inadequate")
CHECKLIST = (
    "reflective_discussion",
    "decisions_recorded",
    "actions_specific",
    "wellbeing_discussed",
    "supervisee_voice",
)


def audit_figures(
    start: date, end: date, by: str = "quarter", team_id: int | None = None
) -> dict[str, Any]:
    """Audits dated from ``start`` to ``end`` per quarter, month or team of the session's
    supervisor on the session's day (and overall), in one query."""
    sql = _Dialect()
    by_team = by == "team"
    buckets = [] if by_team else _buckets(start, end, by)
    counts = ", ".join(
        [f"count(CASE WHEN a.grade = '{g}' THEN 1 END) AS {g}" for g in GRADES]
        + [f"count(CASE WHEN a.{item} IS TRUE THEN 1 END) AS {item}" for item in CHECKLIST]
    )
    table = sql.values(
        "buckets",
        "idx, first_day, last_day",
        [(i, first, last) for i, _, first, last in buckets] or [(0, start, end)],
    )
    key = "e.team_id" if by_team else "b.idx"
    base = f"""FROM supervision_audit a JOIN supervision_session s ON s.id = a.session_id
LEFT JOIN employment_spell e ON e.staff_id = s.supervisor_id AND {_in_force("e", "s.held_on")}
     AND {_latest_in_force("e", "s.held_on")}
JOIN buckets b ON a.audited_on >= b.first_day AND a.audited_on <= b.last_day
WHERE a.audited_on >= :start AND a.audited_on <= :end{"" if team_id is None else " AND e.team_id = :team_id"}"""
    rows = _rows(
        f"""WITH {table}
SELECT 0 AS whole, {key} AS grp, count(*) AS audits, {counts} {base} GROUP BY {key}
UNION ALL
SELECT 1, NULL, count(*), {counts} {base}""",
        start=start,
        end=end,
        team_id=team_id,
    )

    def figures(row: Any) -> dict[str, Any]:
        audits = _int(row.audits) if row else 0
        values: dict[str, Any] = {"audits": audits}
        values.update({g: _int(getattr(row, g)) if row else 0 for g in GRADES})
        good = values["outstanding"] + values["good"]
        values["good_or_better_rate"] = (
            Decimal(str(good / audits)).quantize(FOUR, ROUND_HALF_UP) if audits else None
        )
        for item in CHECKLIST:
            values[f"{item}_rate"] = _rate(_int(getattr(row, item)) if row else 0, audits)
        return values

    grouped = {row.grp: row for row in rows if not row.whole}
    whole = next(row for row in rows if row.whole)
    if by_team:
        names = dict(_rows("SELECT id, name FROM team"))
        out = {names.get(g, NO_TEAM): figures(row) for g, row in grouped.items()}
    else:
        out = {
            label: {"from": first, "to": last, **figures(grouped.get(index))}
            for index, label, first, last in buckets
        }
    return {"rows": out, "summary": figures(whole)}


def _audit_check(result: Any, figures: dict[str, Any]) -> None:
    keys = ("audits", *GRADES, "good_or_better_rate", *(f"{i}_rate" for i in CHECKLIST))
    got = {}
    for row in result.rows:
        values = _pick(row, keys)
        if "from" in row:
            values.update({"from": row["from"], "to": row["to"]})
        got[row["period"]] = values
    _expect(
        _differences("row", got, figures["rows"]),
        _differences("summary", {"": dict(result.summary)}, {"": figures["summary"]}),
    )


@floor("supervision-audit", _audit_check)
def _audit_run(params: Any) -> dict[str, Any]:
    start, end = _floor_params(params)
    return audit_figures(start, end, params.by or "quarter", params.team_id)


# --- capability gaps --------------------------------------------------------------------------


def _specificity(profile: str) -> str:
    return (
        f"(CASE WHEN {profile}.post_title IS NULL THEN 0 ELSE 4 END + "
        f"CASE WHEN {profile}.grade IS NULL THEN 0 ELSE 2 END + "
        f"CASE WHEN {profile}.org_role IS NULL THEN 0 ELSE 1 END)"
    )


def _criteria_match(profile: str, person: str) -> str:
    """SQL: every criterion the profile (or policy) sets equals the post's (post titles
    trimmed and in any case, grades in any case)."""
    return (
        f"({profile}.post_title IS NULL OR ({person}.post_title IS NOT NULL AND "
        f"lower(trim({profile}.post_title)) = lower(trim({person}.post_title)))) AND "
        f"({profile}.org_role IS NULL OR {profile}.org_role = {person}.org_role) AND "
        f"({profile}.grade IS NULL OR ({person}.grade IS NOT NULL AND "
        f"lower({profile}.grade) = lower({person}.grade)))"
    )


def capability_figures(on: date, team_id: int | None = None) -> dict[str, Any]:
    """Each person in post on ``on`` with their role profile (the most specific match, the
    oldest on a tie), their domains judged against it, and when last assessed, in one
    query; the per-domain counts and the summary add those up."""
    rows = _rows(
        f"""WITH {_people_in_post(":on", team_id)},
matched AS (
    SELECT p.staff_id, r.id AS profile_id, r.name AS profile, r.framework_id, l.position,
           row_number() OVER (PARTITION BY p.staff_id
                              ORDER BY {_specificity("r")} DESC, r.id) AS rank
    FROM people p JOIN role_profile r ON r.active IS TRUE AND {_criteria_match("r", "p")}
    JOIN framework_level l ON l.id = r.level_id),
profiled AS (SELECT * FROM matched WHERE rank = 1),
rated AS (
    SELECT a.staff_id, ar.domain_id, ar.rating, a.assessed_on, l.position,
           row_number() OVER (PARTITION BY a.staff_id, ar.domain_id
                              ORDER BY a.assessed_on DESC, a.id DESC) AS rank
    FROM assessment a JOIN assessment_rating ar ON ar.assessment_id = a.id
    JOIN framework_level l ON l.id = a.level_id
    WHERE a.status = 'signed_off' AND a.kind <> 'self' AND a.assessed_on <= :on
      AND a.staff_id IN (SELECT staff_id FROM people)),
last_assessed AS (SELECT staff_id, max(assessed_on) AS day FROM rated GROUP BY staff_id),
judged AS (
    SELECT f.staff_id, d.id AS domain_id, fw.name AS framework, d.name AS domain,
           CASE WHEN r.rating IS NULL THEN 'not_assessed'
                WHEN r.position = f.position AND r.rating IN ('meets', 'exceeds') THEN 'meets'
                WHEN r.position = f.position THEN 'below'
                WHEN r.position > f.position AND r.rating IN ('meets', 'exceeds') THEN 'meets'
                WHEN r.position > f.position THEN 'not_assessed'
                ELSE 'below' END AS judgement
    FROM profiled f JOIN framework fw ON fw.id = f.framework_id
    JOIN framework_domain d ON d.framework_id = f.framework_id AND d.retired IS NOT TRUE
    LEFT JOIN rated r ON r.staff_id = f.staff_id AND r.domain_id = d.id AND r.rank = 1)
SELECT 'person' AS kind, p.staff_id, f.profile, la.day AS last_assessed, NULL AS framework,
       NULL AS domain, count(j.domain_id) AS domains,
       count(CASE WHEN j.judgement = 'meets' THEN 1 END) AS meeting,
       count(CASE WHEN j.judgement = 'below' THEN 1 END) AS below,
       count(CASE WHEN j.judgement = 'not_assessed' THEN 1 END) AS not_assessed
FROM people p LEFT JOIN profiled f ON f.staff_id = p.staff_id
LEFT JOIN last_assessed la ON la.staff_id = p.staff_id
LEFT JOIN judged j ON j.staff_id = p.staff_id
GROUP BY p.staff_id, f.profile, la.day
UNION ALL
SELECT 'domain', NULL, NULL, NULL, framework, domain, count(*),
       count(CASE WHEN judgement = 'meets' THEN 1 END),
       count(CASE WHEN judgement = 'below' THEN 1 END),
       count(CASE WHEN judgement = 'not_assessed' THEN 1 END)
FROM judged GROUP BY domain_id, framework, domain""",
        on=on,
        team_id=team_id,
    )
    people: dict[int, dict[str, Any]] = {}
    domains: dict[tuple[str, str], dict[str, Any]] = {}
    summary = dict.fromkeys(
        ("people_with_gap", "never_assessed", "unprofiled", "judgements", "judgements_meeting"), 0
    )
    for row in rows:
        if row.kind == "domain":
            expected, meeting = _int(row.domains), _int(row.meeting)
            domains[(row.framework, row.domain)] = {
                "expected": expected,
                "meeting": meeting,
                "below": _int(row.below),
                "not_assessed": _int(row.not_assessed),
                "meeting_rate": _rate(meeting, expected),
            }
            continue
        last = _date(row.last_assessed)
        summary["never_assessed"] += last is None
        if row.profile is None:
            summary["unprofiled"] += 1
            people[row.staff_id] = {
                "role_profile": "No role profile matches this post",
                "last_assessed": last,
                "domains": None,
                "meeting": None,
                "below": None,
                "not_assessed": None,
            }
            continue
        figures = {
            "role_profile": row.profile,
            "last_assessed": last,
            "domains": _int(row.domains),
            "meeting": _int(row.meeting),
            "below": _int(row.below),
            "not_assessed": _int(row.not_assessed),
        }
        people[row.staff_id] = figures
        summary["judgements"] += figures["domains"]
        summary["judgements_meeting"] += figures["meeting"]
        summary["people_with_gap"] += figures["below"] > 0
    summary = {
        "people": len(people),
        **summary,
        "judgements_meeting_rate": _rate(summary["judgements_meeting"], summary["judgements"]),
    }
    return {"people": people, "domains": domains, "summary": summary}


def _capability_check(result: Any, figures: dict[str, Any]) -> None:
    keys = ("role_profile", "last_assessed", "domains", "meeting", "below", "not_assessed")
    got = {row["_staff_id"]: _pick(row, keys) for row in result.rows}
    for values in got.values():
        values["last_assessed"] = _date(values["last_assessed"])
    (by_domain,) = [s for s in result.sections if s.key == "by_domain"]
    domain_keys = ("expected", "meeting", "below", "not_assessed", "meeting_rate")
    _expect(
        _differences("person", got, figures["people"]),
        _differences(
            "domain",
            {(r["framework"], r["domain"]): _pick(r, domain_keys) for r in by_domain.rows},
            figures["domains"],
        ),
        _differences("summary", {"": dict(result.summary)}, {"": figures["summary"]}),
    )


@floor("capability-gaps", _capability_check)
def _capability_run(params: Any) -> dict[str, Any]:
    return capability_figures(params.on or date.today(), params.team_id)


# --- caseload ---------------------------------------------------------------------------------

CASELOAD_WINDOW = 45
CASELOAD_FIGURES = (
    "workers",
    "within",
    "within_rate",
    "over_capacity",
    "cases",
    "case_holder_fte",
    "average_caseload",
)


def _hundredths(sql: _Dialect, expression: str) -> str:
    return f"CAST(round({expression} * 100) AS {'BIGINT' if sql.pg else 'INTEGER'})"


def _one_year_after(sql: _Dialect, day: str) -> str:
    if sql.pg:
        return f"CAST({day} + INTERVAL '1 year' AS DATE)"
    return (
        f"CASE WHEN strftime('%m-%d', {day}) = '02-29' THEN date({day}, '+1 year', '-1 day') "
        f"ELSE date({day}, '+1 year') END"
    )


def caseload_figures(
    days: list[tuple[int, date, date]], team_id: int | None = None, *, workers: bool = False
) -> dict[str, Any]:
    """For each (index, first day, last day): every worker in post on the last day with
    their latest snapshot from the first day to the last, judged in the database in exact
    whole numbers (points in hundredths, FTE in millionths, capacity in hundred-millionths),
    and the figures per day, per team (of the snapshot's spell) and per band, in one query.
    With ``workers`` each worker comes back too."""
    sql = _Dialect()
    capacity = "(k.maxh * k.fte)"
    meets = f"k.points * 10000000000 >= u.lower_h * {capacity}"
    under = f"k.points * 10000000000 < u.upper_h * {capacity}"
    aggregates = f"""count(*) AS workers,
       sum(CASE WHEN k.scheme_id IS NOT NULL AND {capacity} > 0 THEN 1 ELSE 0 END) AS judged,
       sum(k.within) AS within,
       sum(CASE WHEN k.scheme_id IS NOT NULL AND k.points * 1000000 > {capacity} THEN 1 ELSE 0 END) AS over,
       sum(k.cases) AS cases, sum(CASE WHEN k.cases >= 1 THEN k.fte ELSE 0 END) AS holder_fte"""
    big = "BIGINT" if sql.pg else "INTEGER"
    no_worker = (
        "CAST(NULL AS INTEGER) AS staff_id, CAST(NULL AS DATE) AS taken_on, "
        f"CAST(NULL AS {big}) AS points, CAST(NULL AS {big}) AS maxh, "
        "CAST(NULL AS VARCHAR(80)) AS band, CAST(NULL AS INTEGER) AS asye, "
        "CAST(NULL AS INTEGER) AS scheme_id"
    )
    branches = [
        f"SELECT 'day' AS kind, k.idx AS grp_int, NULL AS grp_text, {aggregates}, {no_worker} "
        "FROM judged k GROUP BY k.idx",
        f"SELECT 'team', k.idx, k.team, {aggregates}, {no_worker} FROM judged k "
        "GROUP BY k.idx, k.team",
        f"SELECT 'band', k.idx, k.band, {aggregates}, {no_worker} FROM judged k "
        "WHERE k.band IS NOT NULL GROUP BY k.idx, k.band",
    ]
    if workers:
        branches.append(
            "SELECT 'worker', k.idx, k.team, 1, CASE WHEN k.scheme_id IS NOT NULL AND "
            f"{capacity} > 0 THEN 1 ELSE 0 END, k.within, CASE WHEN k.scheme_id IS NOT NULL AND "
            f"k.points * 1000000 > {capacity} THEN 1 ELSE 0 END, k.cases, k.fte, k.staff_id, "
            "k.taken_on, k.points, k.maxh, k.band, k.asye, k.scheme_id FROM judged k"
        )
    scoped = "" if team_id is None else " AND e.team_id = :team_id"
    rows = _rows(
        f"""WITH {sql.values("days", "idx, first_day, last_day", days)},
numbered AS (
    SELECT d.idx, d.last_day, s.staff_id, s.taken_on, s.total_cases, s.case_points,
           s.extra_points,
           row_number() OVER (PARTITION BY d.idx, s.staff_id ORDER BY s.taken_on DESC) AS rank
    FROM days d JOIN caseload_snapshot s ON s.taken_on >= d.first_day AND s.taken_on <= d.last_day),
latest AS (SELECT * FROM numbered WHERE rank = 1),
schemes AS (
    SELECT id, effective_from,
           lead(effective_from) OVER (ORDER BY effective_from, id) AS until
    FROM weighting_scheme),
ranked AS (
    SELECT l.idx, l.staff_id, l.taken_on, l.total_cases, l.case_points, l.extra_points,
           e.team_id, e.contracted_hours, e.standard_hours, e.cfkss_status, e.start_origin,
           e.start_date,
           row_number() OVER (PARTITION BY l.idx, l.staff_id
                              ORDER BY e.start_date DESC, e.id DESC) AS rank
    FROM latest l
    JOIN employment_spell e ON e.staff_id = l.staff_id AND {_in_force("e", "l.taken_on")}
    WHERE EXISTS (SELECT 1 FROM employment_spell n WHERE n.staff_id = l.staff_id
                  AND {_in_force("n", "l.last_day")})),
placed AS (
    SELECT e.idx, e.staff_id, e.taken_on, e.total_cases AS cases, t.name AS team,
           {sql.fte_micro("e")} AS fte,
           CASE WHEN e.cfkss_status = '1' OR (e.start_origin = '1'
                AND e.taken_on < {_one_year_after(sql, "e.start_date")}) THEN 1 ELSE 0 END AS asye,
           w.id AS scheme_id,
           {_hundredths(sql, "e.case_points")} + {_hundredths(sql, "e.extra_points")} AS own_points
    FROM ranked e
    LEFT JOIN schemes w ON e.taken_on >= w.effective_from
         AND (w.until IS NULL OR e.taken_on < w.until)
    LEFT JOIN team t ON t.id = e.team_id
    WHERE e.rank = 1{scoped}),
pointed AS MATERIALIZED (
    SELECT p.idx, p.staff_id, p.taken_on, p.cases, p.team, p.fte, p.asye, p.scheme_id,
           {_hundredths(sql, "w.stable_points")} + p.own_points AS points,
           {_hundredths(sql, "CASE WHEN p.asye = 1 THEN w.asye_max ELSE w.full_time_max END")}
               AS maxh
    FROM placed p LEFT JOIN weighting_scheme w ON w.id = p.scheme_id),
bands AS (
    SELECT scheme_id, name, within_desired, {_hundredths(sql, "lower_pct")} AS lower_h,
           {_hundredths(sql, "upper_pct")} AS upper_h
    FROM utilisation_band),
judged AS (
    SELECT k.*, u.name AS band, CASE WHEN u.within_desired IS TRUE THEN 1 ELSE 0 END AS within
    FROM pointed k LEFT JOIN bands u ON u.scheme_id = k.scheme_id
         AND {capacity} > 0 AND {meets} AND (u.upper_h IS NULL OR {under}))
{" UNION ALL ".join(branches)}""",
        team_id=team_id,
    )
    out: dict[str, Any] = {"day": {}, "team": {}, "band": {}, "worker": {}}
    for row in rows:
        if row.kind == "worker":
            out["worker"][row.staff_id] = row
            continue
        key = row.grp_int if row.kind == "day" else (row.grp_int, row.grp_text)
        out[row.kind][key] = row
    return out


def _caseload_tally(row: Any | None, *, month: bool = False) -> dict[str, Any]:
    """The team figures from an aggregate row (FTE in millionths). With nobody, the trend's
    month shows no case-holding FTE, the summary of workers or teams 0.00."""
    if row is None:
        return {
            "workers": 0,
            "within": 0,
            "within_rate": None,
            "over_capacity": 0,
            "cases": 0,
            "case_holder_fte": Decimal("0.00"),
            "average_caseload": None,
        }
    cases = _int(row.cases)
    holder = _dec(row.holder_fte) / MILLION
    return {
        "workers": _int(row.workers),
        "within": _int(row.within),
        "within_rate": _rate(_int(row.within), _int(row.judged)),
        "over_capacity": _int(row.over),
        "cases": cases,
        "case_holder_fte": holder.quantize(TWO, ROUND_HALF_UP),
        "average_caseload": (Decimal(cases) / holder).quantize(ONE, ROUND_HALF_UP)
        if holder
        else None,
    }


def _worker_figures(row: Any) -> dict[str, Any]:
    """A worker's row from the floor's whole numbers."""
    fte = _dec(row.holder_fte) / MILLION
    points = capacity = utilisation = None
    if row.scheme_id is not None:
        points = Decimal(_int(row.points)) / 100
        capacity = Decimal(_int(row.maxh)) * _int(row.holder_fte) / Decimal(10**8)
        if capacity > 0:
            utilisation = (points * 100 / capacity / 100).quantize(FOUR, ROUND_HALF_UP)
        points, capacity = (
            points.quantize(TWO, ROUND_HALF_UP),
            capacity.quantize(TWO, ROUND_HALF_UP),
        )
    return {
        "taken_on": _date(row.taken_on),
        "team": row.grp_text or "",
        "fte": fte.quantize(TWO, ROUND_HALF_UP),
        "asye": "Yes" if _int(row.asye) else "No",
        "cases": _int(row.cases),
        "points": points,
        "capacity": capacity,
        "utilisation": utilisation,
        "band": row.band or ("No weighting scheme in force" if row.scheme_id is None else ""),
        "within_desired": "Yes" if _int(row.within) else "No",
        "over_capacity": "Yes" if _int(row.over) else "No",
    }


def _caseload_check(result: Any, figures: dict[str, Any]) -> None:
    by, found = figures["by"], figures["found"]
    last = figures["last"]
    problems = [
        _differences(
            "summary",
            {"": _pick(result.summary, CASELOAD_FIGURES)},
            {"": _caseload_tally(found["day"].get(last), month=by == "trend")},
        )
    ]
    if by == "worker":
        keys = tuple(
            _worker_figures(next(iter(found["worker"].values()))) if found["worker"] else ()
        )
        got = {r["_staff_id"]: _pick(r, keys) for r in result.rows}
        for values in got.values():
            if "taken_on" in values:
                values["taken_on"] = _date(values["taken_on"])
        problems.append(
            _differences(
                "worker", got, {k: _worker_figures(row) for k, row in found["worker"].items()}
            )
        )
        (bands,) = [s for s in result.sections if s.key == "by_band"]
        judged = sum(_int(row.workers) for row in found["band"].values())
        want = {name: _int(row.workers) for (_, name), row in found["band"].items()}
        problems.append(
            _differences(
                "band",
                {r["band"]: (r["workers"], r["share"]) for r in bands.rows if r["workers"]},
                {name: (count, _rate(count, judged)) for name, count in want.items()},
            )
        )
    elif by == "team":
        problems.append(
            _differences(
                "team",
                {r["team"]: _pick(r, CASELOAD_FIGURES) for r in result.rows},
                {name or "": _caseload_tally(row) for (_, name), row in found["team"].items()},
            )
        )
    else:
        problems.append(
            _differences(
                "month",
                {r["month"]: _pick(r, CASELOAD_FIGURES) for r in result.rows},
                {
                    label: _caseload_tally(found["day"].get(i), month=True)
                    for i, label in figures["labels"]
                },
            )
        )
    _expect(*problems)


@floor("caseload", _caseload_check)
def _caseload_run(params: Any) -> dict[str, Any]:
    on = params.on or date.today()
    by = params.by or "worker"
    if by == "trend":
        first = _add_months(date(on.year, on.month, 1), -11)
        months = _buckets(first, on, "month")
        days = [(i, last - timedelta(days=CASELOAD_WINDOW), last) for i, _, _, last in months]
        labels = [(i, label) for i, label, _, _ in months]
    else:
        days, labels = [(0, on - timedelta(days=CASELOAD_WINDOW), on)], [(0, "")]
    found = caseload_figures(days, params.team_id, workers=by == "worker")
    return {"by": by, "found": found, "last": days[-1][0], "labels": labels}


# --- supervision compliance -------------------------------------------------------------------

STATUS_WORDS = {"within": "Within policy", "short": "Short of sessions", "overdue": "Overdue"}
SUPERVISION_PERSON = (
    "policy",
    "expected",
    "sessions",
    "full_length",
    "last_held",
    "days_since_last",
    "longest_gap",
    "next_due",
    "status",
)
SUPERVISION_TALLY = (
    "people",
    "within",
    "within_rate",
    "short",
    "overdue",
    "sessions",
    "sessions_per_person",
)


def supervision_figures(on: date, team_id: int | None = None) -> dict[int, dict[str, Any]]:
    """Each person in post on ``on`` with their supervision policy and compliance, in one
    query: the policy (the ASYE policy in a newly qualified social worker's first year,
    anchored at that post's start; otherwise the most specific match, anchored at the first
    post's start), the days with a session held in the window (from the day after the same
    date a year before, or from the anchor if later), full-length days, the last session,
    the longest gap, the sessions each stage of the policy expects in the window (weeks of
    7 days, calendar months with a part month counted by its days, rounded down) and the
    next due date (one interval of the stage in force the day after the last session)."""
    sql = _Dialect()
    first_day = _add_months(on, -12) + timedelta(days=1)
    # Stage bounds from the anchor; for the expected sessions, from the anchor that gives
    # the same sessions and is shared by everyone whose policy has settled into its last
    # stage before their window (``anchor_key``), so each is worked out once.
    weeks = sql.add_days("c.anchor_key", "7 * st.from_week")
    next_weeks = sql.add_days("c.anchor_key", "7 * st.next_week")
    due_weeks = sql.add_days("j.anchor", "7 * st.from_week")
    next_week_due = sql.add_days("coalesce(l.last, j.anchor)", "7 * d.every")
    next_month_due = sql.add_months("coalesce(l.last, j.anchor)", "d.every")
    day_after_last = sql.add_days("l.last", "1")
    gap = sql.greatest(
        sql.days("w.first", "j.window_start"), sql.days(":on", "w.last"), "coalesce(w.step - 1, 0)"
    )

    def months_from(day: str, months: str) -> str:
        return sql.add_months(day, months)

    whole = (
        f"(({sql.year('x.hi')} - {sql.year('x.lo')}) * 12 + {sql.month('x.hi')} - "
        f"{sql.month('x.lo')})"
    )
    # The stages' shares of the window add up to the expected sessions, rounded down (the
    # small allowance absorbs floating point's error on a whole number).
    total = "coalesce(e.total, 0) + 0.000000001"
    rounded_down = (
        "CASE WHEN j.staff_id IS NULL THEN NULL ELSE "
        + (f"CAST(floor({total}) AS INTEGER)" if sql.pg else f"CAST({total} AS INTEGER)")
        + " END"
    )
    rows = _rows(
        f"""WITH {_people_in_post(":on", team_id)},
asye AS (
    SELECT min(id) AS id FROM supervision_policy
    WHERE active IS TRUE AND applies_to_asye IS TRUE),
general AS (
    SELECT p.staff_id, g.id AS policy_id,
           row_number() OVER (PARTITION BY p.staff_id ORDER BY {_specificity("g")} DESC, g.id)
               AS rank
    FROM people p JOIN supervision_policy g ON g.active IS TRUE
         AND g.applies_to_asye IS NOT TRUE AND {_criteria_match("g", "p")}),
chosen AS (
    SELECT p.staff_id, p.team,
           CASE WHEN in_asye.yes = 1 THEN (SELECT id FROM asye) ELSE m.policy_id END AS policy_id,
           CASE WHEN in_asye.yes = 1 THEN p.start_date
                ELSE (SELECT min(f.start_date) FROM employment_spell f
                      WHERE f.staff_id = p.staff_id) END AS anchor
    FROM people p
    JOIN (SELECT q.staff_id, CASE WHEN (SELECT id FROM asye) IS NOT NULL
                 AND q.start_origin = '1' AND :on < {sql.add_months("q.start_date", "12")}
                 THEN 1 ELSE 0 END AS yes FROM people q) in_asye ON in_asye.staff_id = p.staff_id
    LEFT JOIN general m ON m.staff_id = p.staff_id AND m.rank = 1),
windows AS (
    SELECT c.*, CASE WHEN c.anchor > :first_day THEN c.anchor ELSE :first_day END AS window_start
    FROM chosen c),
judged AS MATERIALIZED (
    SELECT c.staff_id, c.team, c.policy_id, c.anchor, y.name AS policy, y.min_minutes,
           c.window_start,
           CASE WHEN {sql.add_days("c.anchor", "7 * coalesce(w.last_week, 0)")} <= c.window_start
                THEN {sql.add_days("c.window_start", "-7 * coalesce(w.last_week, 0)")}
                ELSE c.anchor END AS anchor_key
    FROM windows c JOIN supervision_policy y ON y.id = c.policy_id
    LEFT JOIN (SELECT policy_id, max(from_week) AS last_week FROM supervision_policy_stage
               GROUP BY policy_id) w ON w.policy_id = c.policy_id),
keys AS (SELECT DISTINCT policy_id, anchor_key, window_start FROM judged),
held AS (
    SELECT a.staff_id, a.held_on AS day, max(a.minutes) AS minutes
    FROM supervision_attendee a
    WHERE a.held AND a.held_on >= :first_day AND a.held_on <= :on
    GROUP BY a.staff_id, a.held_on),
stepped AS (
    SELECT j.staff_id, h.day, h.minutes, j.min_minutes,
           lag(h.day) OVER (PARTITION BY j.staff_id ORDER BY h.day) AS previous
    FROM judged j JOIN held h ON h.staff_id = j.staff_id AND h.day >= j.window_start),
windowed AS (
    SELECT staff_id, count(*) AS sessions,
           count(CASE WHEN minutes >= min_minutes THEN 1 END) AS full_length,
           min(day) AS first, max(day) AS last, max({sql.days("day", "previous")}) AS step
    FROM stepped GROUP BY staff_id),
stages AS (
    SELECT st.policy_id, st.from_week, st.every, st.unit,
           lead(st.from_week) OVER (PARTITION BY st.policy_id ORDER BY st.from_week) AS next_week
    FROM supervision_policy_stage st),
spans AS (
    SELECT c.policy_id, c.anchor_key, c.window_start, st.every, st.unit,
           CASE WHEN {weeks} > c.window_start THEN {weeks} ELSE c.window_start END AS lo,
           CASE WHEN st.next_week IS NOT NULL AND {next_weeks} < :stop THEN {next_weeks}
                ELSE :stop END AS hi
    FROM keys c JOIN stages st ON st.policy_id = c.policy_id),
months AS (
    SELECT x.policy_id, x.anchor_key, x.window_start, x.every, x.unit, x.lo, x.hi,
           CASE WHEN {months_from("x.lo", whole)} > x.hi THEN {whole} - 1 ELSE {whole} END AS whole
    FROM spans x WHERE x.hi > x.lo),
portions AS (
    SELECT policy_id, anchor_key, window_start,
           CASE WHEN unit = 'week' THEN {sql.real(sql.days("hi", "lo"))} / (7 * every)
                ELSE (whole + {sql.real(sql.days("hi", months_from("lo", "whole")))}
                      / {sql.days(months_from("lo", "whole + 1"), months_from("lo", "whole"))})
                     / every END AS share
    FROM months),
expected AS (
    SELECT policy_id, anchor_key, window_start, sum(share) AS total
    FROM portions GROUP BY policy_id, anchor_key, window_start),
lasts AS (
    SELECT j.staff_id, coalesce(w.last, (
               SELECT max(a.held_on) FROM supervision_attendee a
               WHERE a.staff_id = j.staff_id AND a.held AND a.held_on < j.window_start)) AS last
    FROM judged j LEFT JOIN windowed w ON w.staff_id = j.staff_id),
due_stage AS (
    SELECT j.staff_id, st.every, st.unit,
           row_number() OVER (PARTITION BY j.staff_id ORDER BY
               CASE WHEN {due_weeks} <= coalesce({day_after_last}, j.anchor)
                    THEN -st.from_week ELSE 1000000 + st.from_week END) AS rank
    FROM judged j JOIN lasts l ON l.staff_id = j.staff_id
    JOIN supervision_policy_stage st ON st.policy_id = j.policy_id),
person AS (
    SELECT p.staff_id, p.team, j.policy,
           {rounded_down} AS expected,
           coalesce(w.sessions, 0) AS sessions, coalesce(w.full_length, 0) AS full_length,
           l.last,
           CASE WHEN j.staff_id IS NULL THEN NULL
                WHEN w.first IS NULL THEN {sql.days(":on", "j.window_start")} + 1
                ELSE {gap} END AS gap,
           CASE WHEN d.unit = 'week' THEN {next_week_due}
                ELSE {next_month_due} END AS next_due
    FROM people p LEFT JOIN judged j ON j.staff_id = p.staff_id
    LEFT JOIN windowed w ON w.staff_id = p.staff_id
    LEFT JOIN lasts l ON l.staff_id = p.staff_id
    LEFT JOIN expected e ON e.policy_id = j.policy_id AND e.anchor_key = j.anchor_key
         AND e.window_start = j.window_start
    LEFT JOIN due_stage d ON d.staff_id = p.staff_id AND d.rank = 1)
SELECT staff_id, team, policy, expected, sessions, full_length, last,
       {sql.days(":on", "last")} AS days_since, CASE WHEN gap < 0 THEN 0 ELSE gap END AS gap,
       next_due,
       CASE WHEN policy IS NULL THEN ''
            WHEN next_due < :on THEN 'Overdue'
            WHEN full_length >= expected THEN 'Within policy'
            ELSE 'Short of sessions' END AS status
FROM person""",
        on=on,
        first_day=first_day,
        stop=on + timedelta(days=1),
        team_id=team_id,
    )
    return {
        row.staff_id: {
            "team": row.team,
            "policy": row.policy or "No policy matches this post",
            "expected": row.expected,
            "sessions": None if row.policy is None else _int(row.sessions),
            "full_length": None if row.policy is None else _int(row.full_length),
            "last_held": None if row.policy is None else _date(row.last),
            "days_since_last": None if row.policy is None else row.days_since,
            "longest_gap": row.gap,
            "next_due": None if row.policy is None else _date(row.next_due),
            "status": row.status,
        }
        for row in rows
    }


def _supervision_tally(people: Iterable[dict[str, Any]]) -> dict[str, Any]:
    judged = [p for p in people if p["status"]]
    counts = Counter(p["status"] for p in judged)
    sessions = sum(p["sessions"] for p in judged)
    return {
        "people": len(judged),
        "within": counts["Within policy"],
        "within_rate": _rate(counts["Within policy"], len(judged)),
        "short": counts["Short of sessions"],
        "overdue": counts["Overdue"],
        "sessions": sessions,
        "sessions_per_person": Decimal(str(sessions / len(judged))).quantize(TWO, ROUND_HALF_UP)
        if judged
        else None,
    }


def _supervision_check(result: Any, figures: dict[str, Any]) -> None:
    people = figures["people"]
    summary = {
        **_supervision_tally(people.values()),
        "no_policy": sum(1 for p in people.values() if not p["status"]),
    }
    problems = [_differences("summary", {"": dict(result.summary)}, {"": summary})]
    if figures["by"] == "team":
        teams: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for person in people.values():
            teams[person["team"]].append(person)
        problems.append(
            _differences(
                "team",
                {r["team"]: _pick(r, SUPERVISION_TALLY) for r in result.rows},
                {team: _supervision_tally(members) for team, members in teams.items()},
            )
        )
    else:
        problems.append(
            _differences(
                "person",
                {r["_staff_id"]: _pick(r, SUPERVISION_PERSON) for r in result.rows},
                {k: _pick(p, SUPERVISION_PERSON) for k, p in people.items()},
            )
        )
    _expect(*problems)


@floor("supervision-compliance", _supervision_check)
def _supervision_run(params: Any) -> dict[str, Any]:
    on = params.on or date.today()
    return {"by": params.by or "person", "people": supervision_figures(on, params.team_id)}


# --- turnover ---------------------------------------------------------------------------------


def _census_bounds(year: int) -> tuple[date, date]:
    return date(year - 1, 10, 1), date(year, 9, 30)


def _census_year_of(day: date) -> int:
    return day.year + 1 if day.month >= 10 else day.year


IN_SCOPE = "{s}.org_role IS NOT NULL AND {s}.contract_type <> 'agency'"
SENIOR = "{s}.org_role, {s}.start_date DESC, {s}.id DESC"


def _turnover_sql(sql: _Dialect) -> dict[str, str]:
    """The conditions of the census definitions, for a spell ``s`` and a period ``p``."""

    def successor(spell: str) -> str:
        """The person holds another non-agency in-scope spell after ``spell`` ends, from the
        next day or alongside it."""
        o = f"after_{spell}"
        return (
            f"EXISTS (SELECT 1 FROM employment_spell {o} WHERE {o}.staff_id = {spell}.staff_id "
            f"AND {o}.id <> {spell}.id AND {IN_SCOPE.format(s=o)} "
            f"AND {o}.start_date <= {sql.add_days(f'{spell}.end_date', '1')} "
            f"AND ({o}.end_date IS NULL OR {o}.end_date > {spell}.end_date))"
        )

    def in_stock(spell: str, day: str) -> str:
        """In force on ``day``, unless a non-agency spell ends that day with the person
        leaving (a leaver is not in post)."""
        return (
            f"{_in_force(spell, day)} AND ({spell}.end_date IS NULL OR {spell}.end_date <> {day} "
            f"OR {spell}.contract_type = 'agency' OR {successor(spell)})"
        )

    predecessor = (
        "EXISTS (SELECT 1 FROM employment_spell o WHERE o.staff_id = s.staff_id AND o.id <> s.id "
        f"AND {IN_SCOPE.format(s='o')} AND o.start_date < s.start_date "
        f"AND (o.end_date IS NULL OR o.end_date >= {sql.add_days('s.start_date', '-1')}))"
    )
    return {
        "successor": successor("s"),
        "predecessor": predecessor,
        "in_stock_last": in_stock("s", "p.last_day"),
        "in_stock_before": in_stock("s", "p.year_before"),
        "still": "EXISTS (SELECT 1 FROM employment_spell k WHERE k.staff_id = s.staff_id AND "
        f"{IN_SCOPE.format(s='k')} AND {in_stock('k', 'p.last_day')})",
    }


TURNOVER_CELL = (
    "fte",
    "headcount",
    "agency_headcount",
    "agency_fte",
    "agency_cover_fte",
    "case_holders",
    "case_holding_fte",
    "cases",
    "starters_fte",
    "starters_headcount",
    "leavers_fte",
    "leavers_headcount",
    "year_before",
    "still_in_post",
)


def turnover_figures(
    periods: list[tuple[int, date, date]], team_id: int | None = None
) -> dict[str, Any]:
    """The additive census figures per (period, team, organisational role), the working
    days lost per reason in each, and the funded establishment per (period, team), in six
    grouped queries (stock, starters, leavers, absence, establishment, stability)."""
    sql = _Dialect()
    conditions = _turnover_sql(sql)
    table = sql.values(
        "periods",
        "yr, first_day, last_day, year_before",
        [(y, first, last, _add_years(last, -1)) for y, first, last in periods],
    )
    fte = sql.fte_micro("s")
    team_inside = "" if team_id is None else " AND s.team_id = :team_id"
    team_outside = "" if team_id is None else " WHERE x.team_id = :team_id"
    agency = "CASE WHEN s.contract_type = 'agency' THEN 1 ELSE 0 END"
    cells: dict[tuple[int, Any, str], dict[str, Decimal]] = defaultdict(
        lambda: dict.fromkeys(TURNOVER_CELL, Decimal(0))
    )
    days: dict[tuple[int, Any, str], dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))

    def add(rows: list[Any], names: tuple[str, ...]) -> None:
        for row in rows:
            cell = cells[(row.yr, row.team_id, row.org_role)]
            for name in names:
                value = _dec(getattr(row, name))
                cell[name] += value / MILLION if name.endswith("fte") else value

    # Each person's cases: their latest snapshot in the twelve months up to the end. On
    # PostgreSQL a hash join of the snapshots per period; SQLite, which builds no index on a
    # derived table here, looks each person's latest snapshot up by its index instead.
    if sql.pg:
        cases_source, cases = "", "h.cases"
        stock_join = (
            "in_force x LEFT JOIN held h ON h.yr = x.yr AND h.staff_id = x.staff_id "
            "AND x.rank_any = 1"
        )
    else:
        cases_source = """with_cases AS (
    SELECT x.*, CASE WHEN x.rank_any = 1 THEN (
        SELECT sum(c.cases) FROM caseload_snapshot n JOIN caseload_count c ON c.snapshot_id = n.id
        WHERE n.staff_id = x.staff_id AND n.taken_on = (
            SELECT max(m.taken_on) FROM caseload_snapshot m WHERE m.staff_id = x.staff_id
              AND m.taken_on <= x.last_day AND m.taken_on > x.year_before)) END AS cases
    FROM in_force x),"""
        cases, stock_join = "x.cases", "with_cases x"
    add(
        _rows(
            f"""WITH {table},
in_force AS (
    SELECT p.yr, p.last_day, p.year_before, s.staff_id, s.team_id, s.org_role,
           {agency} AS agency, s.covers_vacancy, {fte} AS fte,
           row_number() OVER (PARTITION BY p.yr, s.staff_id
                              ORDER BY {agency}, {SENIOR.format(s="s")}) AS rank_any,
           sum({fte}) OVER (PARTITION BY p.yr, s.staff_id) AS person_fte
    FROM employment_spell s JOIN periods p ON {conditions["in_stock_last"]}
    WHERE s.org_role IS NOT NULL),
{cases_source}
latest_days AS (
    SELECT p.yr, n.staff_id, max(n.taken_on) AS day
    FROM caseload_snapshot n JOIN periods p ON n.taken_on <= p.last_day
         AND n.taken_on > p.year_before
    GROUP BY p.yr, n.staff_id),
held AS (
    SELECT l.yr, l.staff_id, sum(c.cases) AS cases
    FROM latest_days l JOIN caseload_snapshot n ON n.staff_id = l.staff_id AND n.taken_on = l.day
    JOIN caseload_count c ON c.snapshot_id = n.id GROUP BY l.yr, l.staff_id)
SELECT x.yr, x.team_id, x.org_role,
       sum(CASE WHEN x.agency = 0 THEN x.fte ELSE 0 END) AS fte,
       sum(CASE WHEN x.agency = 0 AND x.rank_any = 1 THEN 1 ELSE 0 END) AS headcount,
       sum(x.agency) AS agency_headcount,
       sum(CASE WHEN x.agency = 1 THEN x.fte ELSE 0 END) AS agency_fte,
       sum(CASE WHEN x.agency = 1 AND x.covers_vacancy IS TRUE THEN x.fte ELSE 0 END)
           AS agency_cover_fte,
       sum(CASE WHEN {cases} > 0 THEN 1 ELSE 0 END) AS case_holders,
       sum(CASE WHEN {cases} > 0 THEN x.person_fte ELSE 0 END) AS case_holding_fte,
       sum(CASE WHEN {cases} > 0 THEN {cases} ELSE 0 END) AS cases
FROM {stock_join}
{team_outside}
GROUP BY x.yr, x.team_id, x.org_role""",
            team_id=team_id,
        ),
        TURNOVER_CELL[:8],
    )
    for kind, column, condition in (
        ("starters", "start_date", f"NOT {conditions['predecessor']}"),
        ("leavers", "end_date", f"NOT {conditions['successor']}"),
    ):
        add(
            _rows(
                f"""WITH {table},
moved AS (
    SELECT p.yr, s.team_id, s.org_role, {fte} AS fte,
           row_number() OVER (PARTITION BY p.yr, s.staff_id ORDER BY {SENIOR.format(s="s")})
               AS rank
    FROM employment_spell s JOIN periods p ON s.{column} >= p.first_day
         AND s.{column} <= p.last_day
    WHERE {IN_SCOPE.format(s="s")} AND {condition}{team_inside})
SELECT yr, team_id, org_role, sum(fte) AS {kind}_fte,
       sum(CASE WHEN rank = 1 THEN 1 ELSE 0 END) AS {kind}_headcount
FROM moved GROUP BY yr, team_id, org_role""",
                team_id=team_id,
            ),
            (f"{kind}_fte", f"{kind}_headcount"),
        )
    today = date.today()
    ends = "coalesce(a.end_date, CASE WHEN a.start_date > :today THEN a.start_date ELSE :today END)"
    for row in _rows(
        f"""WITH {table},
absent AS (
    SELECT p.yr, p.first_day, p.last_day, s.team_id, s.org_role, a.reason,
           a.working_days_lost AS days, a.start_date, {ends} AS ends,
           row_number() OVER (PARTITION BY p.yr, a.id ORDER BY {SENIOR.format(s="s")}) AS rank
    FROM absence a JOIN periods p ON a.start_date <= p.last_day
         AND (a.end_date IS NULL OR a.end_date >= p.first_day) AND {ends} >= p.first_day
    JOIN employment_spell s ON s.staff_id = a.staff_id AND {_in_force("s", "a.start_date")}
         AND {IN_SCOPE.format(s="s")})
SELECT x.yr, x.team_id, x.org_role, x.reason,
       sum(CASE WHEN x.start_date >= x.first_day AND x.ends <= x.last_day THEN x.days
                ELSE x.days * 1.0 * ({
            sql.days(
                "CASE WHEN x.ends < x.last_day THEN x.ends ELSE x.last_day END",
                "CASE WHEN x.start_date > x.first_day THEN x.start_date ELSE x.first_day END",
            )
        } + 1) / ({sql.days("x.ends", "x.start_date")} + 1) END) AS lost
FROM absent x WHERE x.rank = 1{"" if team_id is None else " AND x.team_id = :team_id"}
GROUP BY x.yr, x.team_id, x.org_role, x.reason""",
        today=today,
        team_id=team_id,
    ):
        cells[(row.yr, row.team_id, row.org_role)]  # the group exists
        days[(row.yr, row.team_id, row.org_role)][row.reason] += _dec(row.lost)
    funded = {
        (row.yr, row.team_id): _dec(row.funded_fte)
        for row in _rows(
            f"""WITH {table}
SELECT p.yr, e.team_id, e.funded_fte
FROM team_establishment e JOIN periods p ON e.effective_from <= p.last_day
WHERE NOT EXISTS (SELECT 1 FROM team_establishment l WHERE l.team_id = e.team_id
                  AND l.effective_from > e.effective_from AND l.effective_from <= p.last_day)
{"" if team_id is None else " AND e.team_id = :team_id"}""",
            team_id=team_id,
        )
    }
    add(
        _rows(
            f"""WITH {table},
ranked AS (
    SELECT p.yr, s.team_id, s.org_role, CASE WHEN {conditions["still"]} THEN 1 ELSE 0 END AS still,
           row_number() OVER (PARTITION BY p.yr, s.staff_id ORDER BY {SENIOR.format(s="s")})
               AS rank
    FROM employment_spell s JOIN periods p ON {conditions["in_stock_before"]}
    WHERE {IN_SCOPE.format(s="s")})
SELECT x.yr, x.team_id, x.org_role, count(*) AS year_before, sum(x.still) AS still_in_post
FROM ranked x WHERE x.rank = 1{"" if team_id is None else " AND x.team_id = :team_id"}
GROUP BY x.yr, x.team_id, x.org_role""",
            team_id=team_id,
        ),
        ("year_before", "still_in_post"),
    )
    return {
        "cells": dict(cells),
        "days": {k: dict(v) for k, v in days.items()},
        "funded": funded,
    }


def _turnover_measures(
    cell: Mapping[str, Decimal],
    days: Mapping[str, Decimal],
    funded: Decimal | None,
    vacancies: Decimal | None,
) -> dict[str, Any]:
    """The published figures of one row: FTEs from the census's six-place FTE, so every
    FTE-based figure is compared exactly; days lost and absence rates add shares of
    absences that the database cuts off, so they are compared as ``_Rounded``."""
    sickness = days.get("SIC", Decimal(0))
    all_days = sum(days.values(), Decimal(0))
    in_post = cell["fte"]
    agency = cell["agency_fte"]
    working = in_post * 253

    def share(part: Decimal, whole: Decimal) -> _Rounded:
        return _Rounded(part / whole if whole else None, THOUSANDTH)

    def fte(value: Decimal) -> Decimal:
        return _one_place(value)

    def rate(part: Decimal, whole: Decimal) -> Decimal | None:
        return _census_rate(part, whole)

    return {
        "headcount": int(cell["headcount"]),
        "fte": fte(in_post),
        "starters_headcount": int(cell["starters_headcount"]),
        "starters_fte": fte(cell["starters_fte"]),
        "leavers_headcount": int(cell["leavers_headcount"]),
        "leavers_fte": fte(cell["leavers_fte"]),
        "turnover_rate": rate(cell["leavers_fte"], in_post),
        "turnover_rate_headcount": _census_rate(cell["leavers_headcount"], cell["headcount"]),
        "funded_fte": None if funded is None else fte(funded),
        "vacancies_fte": None if vacancies is None else fte(vacancies),
        "vacancy_rate": None if vacancies is None else rate(vacancies, vacancies + in_post),
        "agency_headcount": int(cell["agency_headcount"]),
        "agency_fte": fte(agency),
        "agency_rate": rate(agency, agency + in_post),
        "agency_cover_fte": fte(cell["agency_cover_fte"]),
        "agency_cover_rate": rate(cell["agency_cover_fte"], agency),
        "days_lost_sickness": _Rounded(sickness, ONE),
        "absence_rate": share(sickness, working),
        "days_lost": _Rounded(all_days, ONE),
        "absence_rate_all": share(all_days, working),
        "case_holders": int(cell["case_holders"]),
        "case_holding_fte": fte(cell["case_holding_fte"]),
        "cases": int(cell["cases"]),
        "caseload": _one_place(cell["cases"] / cell["case_holding_fte"])
        if cell["case_holding_fte"]
        else None,
    }


def _turnover_groups(found: dict[str, Any], years: set[int], by: str) -> dict[Any, dict[str, Any]]:
    """Cells, days lost and establishment rolled up by team id, role code or year."""
    groups: dict[Any, dict[str, Any]] = {}
    team_fte: dict[tuple[int, Any], Decimal] = defaultdict(Decimal)

    def group(key: Any) -> dict[str, Any]:
        if key not in groups:
            groups[key] = {
                "cell": dict.fromkeys(TURNOVER_CELL, Decimal(0)),
                "days": defaultdict(Decimal),
                "funded": None,
                "vacancies": None,
            }
        return groups[key]

    for (year, team, role), cell in found["cells"].items():
        if year not in years:
            continue
        target = group({"team": team, "role": role, "year": year}[by])
        for name, value in cell.items():
            target["cell"][name] += value
        for reason, lost in found["days"].get((year, team, role), {}).items():
            target["days"][reason] += lost
        team_fte[(year, team)] += cell["fte"]
    if by != "role":
        for (year, team), funded in found["funded"].items():
            if year in years:
                target = group(team if by == "team" else year)
                target["funded"] = (target["funded"] or Decimal(0)) + funded
                target["vacancies"] = (target["vacancies"] or Decimal(0)) + max(
                    funded - team_fte[(year, team)], Decimal(0)
                )
    return groups


def _turnover_check(result: Any, figures: dict[str, Any]) -> None:
    found, by, main = figures["found"], figures["by"], figures["main"]
    groups = _turnover_groups(found, set(figures["years"]), by)
    if by == "team":
        names = dict(_rows("SELECT id, name FROM team"))
        label: Callable[[Any], str] = lambda key: names.get(key, str(key))  # noqa: E731
    elif by == "role":
        roles = dict(_rows("SELECT code, label FROM code_entry WHERE list_name = 'org_role'"))
        label = lambda key: roles.get(key, key)  # noqa: E731
    else:
        label = figures["year_labels"].get
    want = {
        label(key): _turnover_measures(g["cell"], g["days"], g["funded"], g["vacancies"])
        for key, g in groups.items()
    }
    keys = tuple(next(iter(want.values()))) if want else ()
    whole = _turnover_groups(found, {main}, "year").get(main)
    if whole is None:
        whole = {
            "cell": dict.fromkeys(TURNOVER_CELL, Decimal(0)),
            "days": {},
            "funded": None,
            "vacancies": None,
        }
    summary = _turnover_measures(whole["cell"], whole["days"], whole["funded"], whole["vacancies"])
    summary["stability_rate"] = _census_rate(
        whole["cell"]["still_in_post"], whole["cell"]["year_before"]
    )
    summary["vacancy_agency_cover_rate"] = _census_rate(
        whole["cell"]["agency_cover_fte"], whole["vacancies"]
    )
    _expect(
        _differences("group", {r["group"]: _pick(r, keys) for r in result.rows}, want),
        _differences("summary", {"": dict(result.summary)}, {"": summary}),
    )


def turnover_periods(params: Any) -> tuple[list[tuple[int, date, date]], int]:
    """The periods the turnover report measures for ``params``, and the summary's."""
    start, end = _floor_params(params)
    if (params.by or "team") == "year":
        last = params.year or _census_year_of(end)
        periods = [(y, *_census_bounds(y)) for y in range(last - 4, last + 1)]
        return periods, last
    return [(params.year or 0, start, end)], params.year or 0


@floor("turnover", _turnover_check)
def _turnover_run(params: Any) -> dict[str, Any]:
    periods, main = turnover_periods(params)
    labels = {
        year: (
            f"{year - 1} to {year} (year to 30 September {year})"
            if year and (first, last) == _census_bounds(year)
            else f"{first.isoformat()} to {last.isoformat()}"
        )
        for year, first, last in periods
    }
    return {
        "found": turnover_figures(periods, params.team_id),
        "by": params.by or "team",
        "main": main,
        "years": [p[0] for p in periods],
        "year_labels": labels,
    }


# --- ASYE -------------------------------------------------------------------------------------

ASYE_ROW = (
    "team",
    "weeks_in",
    "next_review",
    "next_review_due",
    "overdue_reviews",
    "evidence_held",
    "evidence_required",
    "protected_used",
    "caseload_points",
    "caseload_cap",
)
OUTCOMES = ("passed", "failed", "deferred", "withdrawn")


def _json_points(sql: _Dialect) -> str:
    """SQL rows (programme_id, position, code, label, months, optional) of every
    programme's review points, in their order."""
    if sql.pg:
        return """SELECT p.id AS programme_id, j.position, j.point ->> 'code' AS code,
       j.point ->> 'label' AS label, CAST(j.point ->> 'months' AS INTEGER) AS months,
       CASE WHEN j.point ->> 'optional' = 'true' THEN 1 ELSE 0 END AS optional
FROM asye_programme p, json_array_elements(p.review_points) WITH ORDINALITY AS j(point, position)"""
    return """SELECT p.id AS programme_id, j.key AS position, json_extract(j.value, '$.code') AS code,
       json_extract(j.value, '$.label') AS label,
       CAST(json_extract(j.value, '$.months') AS INTEGER) AS months,
       CASE WHEN json_extract(j.value, '$.optional') THEN 1 ELSE 0 END AS optional
FROM asye_programme p, json_each(p.review_points) AS j"""


def _json_requirements(sql: _Dialect) -> str:
    """SQL rows (programme_id, kind, required) of every programme's evidence requirements."""
    if sql.pg:
        return """SELECT p.id AS programme_id, j.key AS kind,
       CAST(j.value ->> 'required' AS INTEGER) AS required
FROM asye_programme p, json_each(p.evidence_requirements) AS j"""
    return """SELECT p.id AS programme_id, j.key AS kind,
       CAST(json_extract(j.value, '$.required') AS INTEGER) AS required
FROM asye_programme p, json_each(p.evidence_requirements) AS j"""


def asye_retention(on: date, team_id: int | None = None) -> list[dict[str, Any]]:
    """Of the enrolments started by ``on`` (of people in the team then, if given) that
    passed by ``on``: those whose first (second) anniversary of passing has come, and how
    many held a post on it; in one query."""
    sql = _Dialect()
    scoped = "" if team_id is None else " AND sp.team_id = :team_id"
    found = {
        row.months: (_int(row.eligible), _int(row.retained))
        for row in _rows(
            f"""WITH horizons(months) AS (VALUES (12), (24)),
passed AS (
    SELECT e.staff_id, e.outcome_on FROM asye_enrolment e
    LEFT JOIN employment_spell sp ON sp.staff_id = e.staff_id AND {_in_force("sp", ":on")}
         AND {_latest_in_force("sp", ":on")}
    WHERE e.start_date <= :on AND e.outcome = 'passed' AND e.outcome_on <= :on{scoped}),
anniversaries AS (
    SELECT p.staff_id, h.months, {sql.add_months("p.outcome_on", "h.months")} AS day
    FROM passed p CROSS JOIN horizons h)
SELECT a.months, count(*) AS eligible,
       count(CASE WHEN EXISTS (SELECT 1 FROM employment_spell s WHERE s.staff_id = a.staff_id
                               AND {_in_force("s", "a.day")}) THEN 1 END) AS retained
FROM anniversaries a WHERE a.day <= :on GROUP BY a.months""",
            on=on,
            team_id=team_id,
        )
    }
    out = []
    for months, label in ((12, "One year after passing"), (24, "Two years after passing")):
        eligible, retained = found.get(months, (0, 0))
        out.append(
            {
                "measure": label,
                "eligible": eligible,
                "retained": retained,
                "retention_rate": _rate(retained, eligible),
            }
        )
    return out


def asye_figures(on: date, team_id: int | None = None) -> dict[str, Any]:
    """Every enrolment started by ``on`` with the person's team that day, and for those
    still current: weeks in, the review schedule (pushed back by pauses) against reviews
    held, evidence against the programme's requirements, protected hours used, and the
    latest caseload against the cap; in four queries (enrolments, reviews, retention,
    workshops)."""
    sql = _Dialect()
    scoped = "" if team_id is None else " AND sp.team_id = :team_id"
    base = sql.add_months("e.start_date", "pt.months")
    # A pause pushes a point back when it starts on or before the point as pushed back by
    # the pauses before it; once one does not, none after it does (they start later).
    first_not_pushing = (
        "SELECT min(pa2.start_date) FROM paused pa2 WHERE pa2.enrolment_id = d.id AND "
        f"pa2.start_date > {sql.add_days('d.base', 'coalesce(pa2.cum_before, 0)')}"
    )
    pushed = (
        "coalesce((SELECT sum(pa.days) FROM paused pa WHERE pa.enrolment_id = d.id AND "
        f"pa.start_date < coalesce(({first_not_pushing}), :far)), 0)"
    )
    shifted = sql.add_days("d.base", pushed)
    enrolments = _rows(
        f"""WITH scoped AS (
    SELECT e.id, e.staff_id, e.cohort_id, e.programme_id, e.start_date, e.outcome, e.outcome_on,
           coalesce(t.name, 'No team recorded') AS team,
           CASE WHEN e.outcome_on IS NULL OR e.outcome_on > :on THEN 1 ELSE 0 END AS current
    FROM asye_enrolment e
    LEFT JOIN employment_spell sp ON sp.staff_id = e.staff_id AND {_in_force("sp", ":on")}
         AND {_latest_in_force("sp", ":on")}
    LEFT JOIN team t ON t.id = sp.team_id
    WHERE e.start_date <= :on{scoped}),
evidence AS (
    SELECT e.id, r.required, count(v.id) AS held
    FROM scoped e JOIN ({_json_requirements(sql)}) r ON r.programme_id = e.programme_id
    LEFT JOIN asye_evidence v ON v.enrolment_id = e.id AND v.kind = r.kind AND v.dated <= :on
    WHERE e.current = 1 GROUP BY e.id, r.kind, r.required),
latest AS (
    SELECT n.staff_id, max(n.taken_on) AS day FROM caseload_snapshot n
    WHERE n.taken_on <= :on AND n.staff_id IN (SELECT staff_id FROM scoped WHERE current = 1)
    GROUP BY n.staff_id),
caseload AS (
    SELECT n.staff_id, n.case_points + n.extra_points + coalesce(w.stable_points, 0) AS points,
           w.asye_max, {sql.fte_micro("f")} AS fte
    FROM latest l JOIN caseload_snapshot n ON n.staff_id = l.staff_id AND n.taken_on = l.day
    LEFT JOIN weighting_scheme w ON w.id = (SELECT x.id FROM weighting_scheme x
         WHERE x.effective_from <= n.taken_on ORDER BY x.effective_from DESC LIMIT 1)
    LEFT JOIN employment_spell f ON f.staff_id = n.staff_id AND {_in_force("f", "n.taken_on")}
         AND {_latest_in_force("f", "n.taken_on")})
SELECT e.id, e.staff_id, c.name AS cohort, c.starts_on, e.start_date, e.outcome, e.outcome_on,
       e.team, e.current,
       (SELECT sum(held) FROM (SELECT CASE WHEN v.held < v.required THEN v.held ELSE v.required
                                      END AS held FROM evidence v WHERE v.id = e.id) h)
           AS evidence_held,
       (SELECT sum(required) FROM evidence v WHERE v.id = e.id) AS evidence_required,
       (SELECT sum(pt.hours) FROM asye_protected_time pt
        WHERE pt.enrolment_id = e.id AND pt.taken_on <= :on) AS protected_used,
       k.points, k.fte, k.asye_max, g.workload_cap_points
FROM scoped e JOIN asye_cohort c ON c.id = e.cohort_id
JOIN asye_programme g ON g.id = e.programme_id
LEFT JOIN caseload k ON k.staff_id = e.staff_id AND e.current = 1""",
        on=on,
        team_id=team_id,
    )
    current_ids = [row.id for row in enrolments if row.current]
    reviews = (
        _rows(
            f"""WITH paused AS (
    SELECT pa.enrolment_id, pa.start_date, {sql.days("pa.end_date", "pa.start_date")} + 1 AS days,
           sum({sql.days("pa.end_date", "pa.start_date")} + 1) OVER (
               PARTITION BY pa.enrolment_id ORDER BY pa.start_date
               ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS cum_before
    FROM asye_pause pa),
due AS (
    SELECT e.id, pt.position, pt.code, pt.label, pt.optional, {base} AS base
    FROM asye_enrolment e JOIN ({_json_points(sql)}) pt ON pt.programme_id = e.programme_id
    WHERE e.start_date <= :on AND (e.outcome_on IS NULL OR e.outcome_on > :on)),
shifted AS (
    SELECT d.id, d.position, d.code, d.label, d.optional, {shifted} AS due
    FROM due d)
SELECT s.id, s.position, s.code, s.label, s.optional, s.due,
       CASE WHEN EXISTS (SELECT 1 FROM asye_review r WHERE r.enrolment_id = s.id
                         AND r.point = s.code AND r.held_on <= :on) THEN 1 ELSE 0 END AS held
FROM shifted s""",
            on=on,
            far=date(9999, 12, 31),
        )
        if current_ids
        else []
    )
    schedule: dict[int, list[Any]] = defaultdict(list)
    for row in reviews:
        schedule[row.id].append(row)
    rows: dict[int, dict[str, Any]] = {}
    upcoming = 0
    for row in enrolments:
        if not row.current:
            continue
        overdue, next_review = 0, None
        for point in sorted(schedule[row.id], key=lambda p: _int(p.position)):
            due = _date(point.due)
            state = (
                "held"
                if point.held
                else "overdue"
                if due < on
                else "upcoming"
                if (due - on).days <= 14
                else "later"
            )
            if point.optional and state == "overdue":
                continue
            overdue += state == "overdue"
            upcoming += state == "upcoming"
            if state != "held" and next_review is None:
                next_review = (point.label, due)
        cap = points = None
        if row.points is not None:
            points = _dec(row.points)
            maximum = (
                row.workload_cap_points if row.workload_cap_points is not None else row.asye_max
            )
            if maximum is not None and row.fte is not None:
                cap = (_dec(maximum) * _dec(row.fte) / MILLION).quantize(TWO, ROUND_HALF_UP)
        rows[row.id] = {
            "team": row.team,
            "weeks_in": (on - _date(row.start_date)).days // 7,
            "next_review": next_review[0] if next_review else "",
            "next_review_due": next_review[1] if next_review else None,
            "overdue_reviews": overdue,
            "evidence_held": _int(row.evidence_held),
            "evidence_required": _int(row.evidence_required),
            "protected_used": _one_place(row.protected_used),
            "caseload_points": points,
            "caseload_cap": cap,
            "_over_cap": cap is not None and points is not None and points > cap,
        }
    outcomes: dict[str, dict[str, Any]] = {}
    for row in enrolments:
        cohort = outcomes.setdefault(
            row.cohort,
            {
                "starts_on": _date(row.starts_on),
                "enrolled": 0,
                **dict.fromkeys(OUTCOMES, 0),
                "in_progress": 0,
            },
        )
        cohort["enrolled"] += 1
        if row.current:
            cohort["in_progress"] += 1
        else:
            cohort[row.outcome] += 1
    retention = asye_retention(on, team_id)
    workshops = {
        row.name: {
            "workshops": _int(row.courses),
            "attendances": _int(row.attended),
            "people": _int(row.people),
        }
        for row in _rows(
            f"""SELECT d.name, count(DISTINCT c.id) AS courses, count(DISTINCT b.id) AS attended,
       count(DISTINCT b.staff_id) AS people
FROM booking b JOIN training_session s ON s.id = b.session_id JOIN course c ON c.id = s.course_id
JOIN course_domain cd ON cd.course_id = c.id JOIN framework_domain d ON d.id = cd.domain_id
WHERE c.is_asye_workshop IS TRUE AND b.status = 'booked' AND b.attendance = 'attended'
  AND s.starts_at < :stop_at
  AND b.staff_id IN (SELECT e.staff_id FROM asye_enrolment e
      LEFT JOIN employment_spell sp ON sp.staff_id = e.staff_id AND {_in_force("sp", ":on")}
           AND {_latest_in_force("sp", ":on")}
      WHERE e.start_date <= :on{scoped})
GROUP BY d.id, d.name""",
            on=on,
            stop_at=datetime.combine(on + timedelta(days=1), time.min),
            team_id=team_id,
        )
    }
    summary = {
        "current": len(rows),
        "overdue_reviews": sum(r["overdue_reviews"] for r in rows.values()),
        "upcoming_reviews": upcoming,
        "over_cap": sum(1 for r in rows.values() if r["_over_cap"]),
        "passed": sum(c["passed"] for c in outcomes.values()),
        "retention_1y_rate": retention[0]["retention_rate"],
        "retention_2y_rate": retention[1]["retention_rate"],
    }
    return {
        "rows": {k: {key: r[key] for key in ASYE_ROW} for k, r in rows.items()},
        "outcomes": outcomes,
        "retention": {r["measure"]: r for r in retention},
        "workshops": workshops,
        "summary": summary,
    }


def _asye_check(result: Any, figures: dict[str, Any]) -> None:
    sections = {s.key: s.rows for s in result.sections}
    outcome_keys = ("starts_on", "enrolled", *OUTCOMES, "in_progress")
    _expect(
        _differences(
            "enrolment",
            {r["_enrolment_id"]: _pick(r, ASYE_ROW) for r in result.rows},
            figures["rows"],
        ),
        _differences(
            "cohort",
            {r["cohort"]: _pick(r, outcome_keys) for r in sections["outcomes"]},
            figures["outcomes"],
        ),
        _differences(
            "retention",
            {r["measure"]: dict(r) for r in sections["retention"]},
            figures["retention"],
        ),
        _differences(
            "workshops",
            {
                r["domain"]: _pick(r, ("workshops", "attendances", "people"))
                for r in sections["workshops"]
            },
            figures["workshops"],
        ),
        _differences(
            "summary",
            {"": _pick(result.summary, figures["summary"])},
            {"": figures["summary"]},
        ),
    )


@floor("asye-cohort", _asye_check)
def _asye_run(params: Any) -> dict[str, Any]:
    return asye_figures(params.on or date.today(), params.team_id)


# --- performance: scorecards and the evaluation model --------------------------------------------

_YEAR_START = {"financial_year": 4, "academic_year": 9, "calendar_year": 1, "quarterly": 4}


@dataclass(frozen=True, order=True)
class _Period:
    start: date
    end: date
    frequency: str

    @property
    def label(self) -> str:
        if self.frequency == "monthly":
            return f"{MONTHS[self.start.month - 1]} {self.start.year}"
        if self.frequency == "calendar_year":
            return str(self.start.year)
        first = (
            self.start.year
            if self.start.month >= _YEAR_START[self.frequency]
            else self.start.year - 1
        )
        pair = f"{first}/{(first + 1) % 100:02d}"
        if self.frequency == "quarterly":
            return f"{pair} Q{(self.start.month - 4) % 12 // 3 + 1}"
        return pair


def _months_long(frequency: str) -> int:
    return {"monthly": 1, "quarterly": 3}.get(frequency, 12)


def _period_starting(frequency: str, start: date) -> _Period:
    index = start.year * 12 + start.month - 1 + _months_long(frequency)
    following = date(index // 12, index % 12 + 1, 1)
    return _Period(start, following - timedelta(days=1), frequency)


def _period_containing(frequency: str, day: date) -> _Period:
    length = _months_long(frequency)
    first_month = 1 if frequency == "monthly" else _YEAR_START[frequency]
    offset = (day.month - first_month) % length
    index = day.year * 12 + day.month - 1 - offset
    return _period_starting(frequency, date(index // 12, index % 12 + 1, 1))


def _shift(period: _Period, count: int) -> _Period:
    index = period.start.year * 12 + period.start.month - 1 + count * _months_long(period.frequency)
    return _period_starting(period.frequency, date(index // 12, index % 12 + 1, 1))


def _percent(share: Decimal | None) -> Decimal | None:
    """A proportion as a percentage, keeping its precision (0.7350 is 73.50)."""
    if share is None:
        return None
    exponent = share.as_tuple().exponent
    value = share * 100
    if isinstance(exponent, int) and exponent < 0:
        return value.quantize(Decimal(1).scaleb(min(exponent + 2, 0)))
    return value


class _Measures:
    """Computed measures' figures per period, each from the floor of the report figure its
    calculation publishes; a floor run for one period serves every measure that needs it."""

    def __init__(self) -> None:
        self.today = date.today()
        self._memo: dict[tuple[Any, ...], Any] = {}

    def _once(self, key: tuple[Any, ...], build: Callable[[], Any]) -> Any:
        if key not in self._memo:
            self._memo[key] = build()
        return self._memo[key]

    def value(
        self, calculation: str, argument: str | None, start: date, end: date
    ) -> Decimal | None:
        if start > self.today:
            return None
        day = min(end, self.today)
        if calculation in ("training-places-delivered", "staff-trained-in-practice-model"):
            found = self._once(
                ("training", start, end), lambda: training_figures(start, end, "practice_model")
            )
            if calculation == "training-places-delivered":
                return Decimal(found["total"]["attended"] + found["total"]["partly_attended"])
            row = found["rows"].get((argument or "").strip())
            return Decimal(row["staff_trained"] if row else 0)
        if calculation == "training-evaluations-good-or-better":
            found = self._once(("evaluation", start, end), lambda: evaluation_figures(start, end))
            return _percent(found["total"]["good_or_better_rate"])
        if calculation == "capability-appraisals":
            found = self._once(
                ("appraisals", start, end),
                lambda: appraisal_figures(start, end, "quarter", with_coverage=False),
            )
            return Decimal(found["summary"]["appraisals"])
        if calculation in ("supervisions-per-person", "supervision-within-policy"):
            tally = self._once(
                ("supervision", day), lambda: _supervision_tally(supervision_figures(day).values())
            )
            if calculation == "supervisions-per-person":
                return tally["sessions_per_person"]
            return _percent(tally["within_rate"])
        if calculation == "supervision-audits-good-or-better":
            found = self._once(("audits", start, end), lambda: audit_figures(start, end, "quarter"))
            return _percent(found["summary"]["good_or_better_rate"])
        if calculation == "asye-completion":
            passed, outcomes = _rows(
                """SELECT count(CASE WHEN outcome = 'passed' THEN 1 END), count(*)
FROM asye_enrolment WHERE outcome IS NOT NULL AND outcome_on >= :start AND outcome_on <= :end""",
                start=start,
                end=end,
            )[0]
            return _percent(_rate(_int(passed), _int(outcomes)))
        if calculation == "asye-retention":
            return _percent(asye_retention(day)[0]["retention_rate"])
        if calculation in ("sw-turnover", "sw-stability"):
            found = self._once(
                ("turnover", start, end), lambda: turnover_figures([(0, start, end)])
            )
            whole = _turnover_groups(found, {0}, "year").get(0)
            cell = whole["cell"] if whole else dict.fromkeys(TURNOVER_CELL, Decimal(0))
            if calculation == "sw-turnover":
                return _percent(_census_rate(cell["leavers_fte"], cell["fte"]))
            return _percent(_census_rate(cell["still_in_post"], cell["year_before"]))
        if calculation in ("caseload-within-desired", "average-caseload"):
            found = self._once(
                ("caseload", day),
                lambda: caseload_figures([(0, day - timedelta(days=CASELOAD_WINDOW), day)]),
            )
            tally = _caseload_tally(found["day"].get(0))
            if calculation == "average-caseload":
                return tally["average_caseload"]
            return _percent(tally["within_rate"])
        raise FloorMismatch(f"the floors have no calculation {calculation!r}")


def _number_text(value: Decimal, decimals: int) -> str:
    rounded = value.quantize(Decimal(1).scaleb(-max(decimals, 0)), ROUND_HALF_UP)
    shown = f"{rounded:,f}"
    if "." in shown:
        shown = shown.rstrip("0").rstrip(".")
    return "0" if shown in ("-0", "") else shown


def _shown(value: Decimal | None, note: str | None, unit: str, decimals: int) -> str:
    """A figure as a scorecard prints it."""
    if value is None:
        return note or ""
    shown = _number_text(value, decimals) + ("%" if unit == "percent" else "")
    return f"{shown} ({note})" if note else shown


def _measures_of(where: str, **values: Any) -> list[Any]:
    return _rows(
        f"""SELECT m.id, m.code, m.name, m.source, m.calculation, m.calculation_argument,
       m.frequency, m.unit, m.decimals, m.baseline_start, m.baseline_value
FROM measure m WHERE {where}""",
        **values,
    )


def _entered(measure_ids: list[int]) -> dict[tuple[int, date], tuple[Decimal | None, str | None]]:
    """Every entered actual by (measure id, period start)."""
    if not measure_ids:
        return {}
    ids = ", ".join(str(int(i)) for i in measure_ids)
    return {
        (row.measure_id, _date(row.start)): (
            None if row.value is None else _dec(row.value),
            row.note,
        )
        for row in _rows(
            f"""SELECT measure_id, start, value, note FROM measure_figure
WHERE kind = 'actual' AND measure_id IN ({ids})"""
        )
    }


def _actual(
    measure: Any, period: _Period, entered: Mapping[tuple[int, date], Any], computed: _Measures
) -> tuple[Decimal | None, str | None]:
    if measure.source == "computed":
        return computed.value(
            measure.calculation, measure.calculation_argument, period.start, period.end
        ), None
    return entered.get((measure.id, period.start), (None, None))


#: Periods of actuals, ending with the latest, that a scorecard row is judged over: the
#: previous period for the direction of travel, all of them for the current trend
#: (``workforce.reports.performance.HISTORY``).
SCORECARD_TREND = 4
_RAG_WORDS = {"green": "Green", "amber": "Amber", "red": "Red"}
_TRAVEL_WORDS = {
    "improving": "Improving",
    "worsening": "Worsening",
    "no_change": "No change",
    "up": "Going up",
    "down": "Going down",
}


def _span_label(frequency: str, start: date, end: date) -> str:
    """A target's span as the scorecard heads its column: one period's label, a financial
    year's for its twelve months or four quarters, otherwise "first to last"."""
    first = _period_containing(frequency, start)
    last = _period_containing(frequency, end)
    if first == last:
        return first.label
    year = _period_containing("financial_year", first.start)
    if frequency in ("monthly", "quarterly") and (year.start, year.end) == (first.start, last.end):
        return year.label
    return f"{first.label} to {last.label}"


def _against_target(
    actual: Decimal | None, target: Decimal | None, polarity: str, tolerance: Decimal
) -> str | None:
    """The RAG: green when the target is met (reached, or for lower-is-better not
    exceeded), amber when short of it by at most ``tolerance`` per cent of the target, red
    further off; None without an actual, a target or a polarity."""
    if actual is None or target is None or polarity not in ("higher", "lower"):
        return None
    short = target - actual if polarity == "higher" else actual - target
    if short <= 0:
        return "green"
    # Multiplied out rather than divided, so the band's edge is exact.
    return "amber" if short * 100 <= abs(target) * tolerance else "red"


def _travel(now: Decimal | None, before: Decimal | None, polarity: str) -> str | None:
    """Which way a figure went from ``before`` to ``now``, judged by the polarity (up or
    down for a measure with none); None without both."""
    if now is None or before is None:
        return None
    if now == before:
        return "no_change"
    if polarity not in ("higher", "lower"):
        return "up" if now > before else "down"
    return "improving" if (now > before) == (polarity == "higher") else "worsening"


def _trend_text(values: list[Decimal | None], polarity: str) -> str:
    """The current trend of ``values`` (oldest first): the latest change's direction and,
    beyond one, how many changes in a row before it went the same way (a period without a
    figure ends the run); empty without a change."""
    run: list[str] = []
    for index in range(len(values) - 1, 0, -1):
        step = _travel(values[index], values[index - 1], polarity)
        if step is None or (run and step != run[0]):
            break
        run.append(step)
    if not run:
        return ""
    words = _TRAVEL_WORDS[run[0]]
    return words if len(run) == 1 else f"{words} for {len(run)} periods"


def _share(part: Decimal | None, whole: Decimal | None) -> Decimal | None:
    """``part / whole`` to four places, half up; None without both or over zero."""
    if part is None or whole is None or whole == 0:
        return None
    return (part / whole).quantize(FOUR, ROUND_HALF_UP)


def _less(value: Decimal | None, other: Decimal | None) -> Decimal | None:
    return None if value is None or other is None else value - other


def _scorecard_entries(code: str) -> tuple[Any, list[Any], dict[int, list[Any]]]:
    """The scorecard (id, history), its measures in order with what the rows read of them,
    and each measure's targets in date order (three queries)."""
    (card,) = _rows("SELECT id, history FROM scorecard WHERE code = :code", code=code)
    entries = _rows(
        """SELECT e.published_direction, m.id, m.source, m.calculation,
       m.calculation_argument, m.frequency, m.unit, m.decimals, m.polarity, m.tolerance,
       m.baseline_start, m.baseline_value, m.baseline_note
FROM scorecard_measure e JOIN measure m ON m.id = e.measure_id
WHERE e.scorecard_id = :card ORDER BY e.position""",
        card=card.id,
    )
    targets: dict[int, list[Any]] = defaultdict(list)
    for row in _rows(
        """SELECT f.measure_id, f.start, f.end_on, f.value, f.note
FROM measure_figure f JOIN scorecard_measure e ON e.measure_id = f.measure_id
WHERE e.scorecard_id = :card AND f.kind = 'target'
ORDER BY f.measure_id, f.start, f.id""",
        card=card.id,
    ):
        targets[row.measure_id].append(
            SimpleNamespace(
                start=_date(row.start),
                end=_date(row.end_on),
                value=None if row.value is None else _dec(row.value),
                note=row.note,
            )
        )
    return card, entries, targets


def scorecard_figures(code: str, on: date) -> dict[str, Any]:
    """Each measure of the scorecard as its row shows it: the latest period, the text of
    its actual for each of its latest periods (the scorecard's history, and at least the
    four its trend is judged over) and of the latest, its baseline, the text of each of its
    targets by column, the target compared with, RAG, target met, variance, % of target,
    direction of travel, trend and change since baseline; the actual and target columns;
    and the summary (measures, green, amber, red, without a RAG, with data)."""
    card, entries, all_targets = _scorecard_entries(code)
    entered = _entered([entry.id for entry in entries])
    computed = _Measures()
    out: dict[int, dict[str, Any]] = {}
    frequencies: list[str] = []
    actual_columns: dict[str, tuple[int, date]] = {}
    first_shown: dict[str, date] = {}
    for measure in entries:
        if measure.frequency not in frequencies:
            frequencies.append(measure.frequency)
        order = frequencies.index(measure.frequency)
        unit, places, polarity = measure.unit, measure.decimals, measure.polarity
        current = _period_containing(measure.frequency, on)
        latest = current if current.end <= on else _shift(current, -1)
        if measure.source != "computed":
            starts = sorted(start for (mid, start) in entered if mid == measure.id and start <= on)
            if starts:
                latest = _period_starting(measure.frequency, starts[-1])
        # Latest first: the scorecard's history for its columns, the trend's for judging.
        shown: dict[str, str] = {}
        values: list[Decimal | None] = []
        latest_text = "No data yet"
        period = latest
        for back in range(max(int(card.history), SCORECARD_TREND)):
            value, note = _actual(measure, period, entered, computed)
            shown[period.label] = _shown(value, note, unit, places)
            values.append(value)
            # A column is shown for a period with a figure, or with a note entered for it.
            if back < int(card.history) and (
                value is not None or entered.get((measure.id, period.start), (None, None))[1]
            ):
                actual_columns.setdefault(period.label, (order, period.start))
                first = first_shown.get(measure.frequency, period.start)
                first_shown[measure.frequency] = min(first, period.start)
            if back == 0 and (value is not None or note):
                latest_text = _shown(value, note, unit, places)
            period = _shift(period, -1)
        actual = values[0]

        baseline_start = _date(measure.baseline_start)
        base_value = None if measure.baseline_value is None else _dec(measure.baseline_value)
        base_note, base_label = measure.baseline_note, None
        if baseline_start is not None:
            base_period = _period_starting(measure.frequency, baseline_start)
            base_label = base_period.label
            if base_value is None:
                # Unstated, it is the actual of its period (a computed one has no note).
                base_value, entered_note = _actual(measure, base_period, entered, computed)
                if measure.source != "computed":
                    base_note = base_note or entered_note
        baseline = _shown(base_value, base_note, unit, places)
        if base_label and base_value is not None:
            baseline += f" ({base_label})"

        targets = all_targets.get(measure.id, [])
        covering = next(
            (t for t in targets if t.start <= latest.start and t.end >= latest.end), None
        )
        later = [t for t in targets if t.start > latest.start]
        compared = covering or (min(later, key=lambda t: t.start) if later else None)
        target = compared.value if compared else None
        if compared is None:
            compared_text = "No target"
        else:
            compared_text = _span_label(measure.frequency, compared.start, compared.end)
            if covering is None:
                compared_text += " (next target)"

        rag = _against_target(actual, target, polarity, _dec(measure.tolerance))
        travel, since = _travel(actual, values[1], polarity), ""
        if travel is None and (baseline_start is None or baseline_start < latest.start):
            travel, since = _travel(actual, base_value, polarity), " (since baseline)"
        if travel is not None:
            direction = _TRAVEL_WORDS[travel] + since
        elif measure.published_direction:
            published = measure.published_direction
            direction = _TRAVEL_WORDS.get(published, published) + " (as published)"
        else:
            direction = ""
        out[measure.id] = {
            "periods": shown,
            "latest_period": latest.label,
            "latest": latest_text,
            "has_data": actual is not None,
            "baseline": baseline,
            # By column label; where two targets share one, the later in date order shows.
            "targets": {
                _span_label(measure.frequency, t.start, t.end): _shown(
                    t.value, t.note, unit, places
                )
                for t in targets
            },
            "target_spans": [(order, t.start, t.end) for t in targets],
            "target_compared": compared_text,
            "rag": _RAG_WORDS.get(rag or "", ""),
            "_rag": rag or "",
            "target_met": "" if rag is None else ("Yes" if rag == "green" else "No"),
            "variance": _share(_less(actual, target), target),
            "percent_of_target": _share(actual, target),
            "direction": direction,
            "_direction": travel or measure.published_direction or "",
            "trend": _trend_text(values[:SCORECARD_TREND][::-1], polarity),
            "baseline_change": _share(_less(actual, base_value), base_value),
        }
    # Target columns: each target that does not end before the earliest actual column of
    # its measure's frequency, by frequency (as first used) then start.
    target_columns: dict[str, tuple[int, date]] = {}
    for measure in entries:
        first = first_shown.get(measure.frequency)
        for order, start, end in out[measure.id]["target_spans"]:
            if first is None or end >= first:
                label = _span_label(measure.frequency, start, end)
                target_columns.setdefault(label, (order, start))
    rags = Counter(m["_rag"] for m in out.values())
    return {
        "measures": out,
        "actual_columns": sorted(actual_columns, key=lambda label: actual_columns[label]),
        "target_columns": sorted(target_columns, key=lambda label: target_columns[label]),
        "summary": {
            "measures": len(out),
            "green": rags["green"],
            "amber": rags["amber"],
            "red": rags["red"],
            "no_rag": rags[""],
            "with_data": sum(1 for m in out.values() if m["has_data"]),
        },
    }


#: A scorecard row's judged figures, compared as the row shows them.
SCORECARD_JUDGED = (
    "latest_period",
    "latest",
    "baseline",
    "target_compared",
    "rag",
    "_rag",
    "target_met",
    "variance",
    "percent_of_target",
    "direction",
    "_direction",
    "trend",
    "baseline_change",
)


def _scorecard_check(result: Any, figures: dict[str, Any]) -> None:
    """Each row's figures (its actuals for the periods the floor has, every target column,
    and the judged figures), the actual and target columns, and the summary."""
    actuals = {
        c.key: c.label.removeprefix("Actual ")
        for c in result.columns
        if c.key.startswith("actual_")
    }
    # Target columns are numbered (target_0, ...); target_compared and target_met are not.
    targets = {
        c.key: c.label.removeprefix("Target ")
        for c in result.columns
        if c.key.removeprefix("target_").isdigit()
    }
    got, want = {}, {}
    for row in result.rows:
        mine = figures["measures"].get(row["_measure_id"])
        if mine is None:
            got[row["_measure_id"]] = row["measure"]
            continue
        shown = {label: row[k] for k, label in actuals.items() if label in mine["periods"]}
        got[row["_measure_id"]] = {
            **_pick(row, SCORECARD_JUDGED),
            **shown,
            **{f"target {label}": row[k] for k, label in targets.items()},
        }
        want[row["_measure_id"]] = {
            **{key: mine[key] for key in SCORECARD_JUDGED},
            **{label: mine["periods"][label] for label in shown},
            **{f"target {label}": mine["targets"].get(label, "") for label in targets.values()},
        }
    columns = {"actual": list(actuals.values()), "target": list(targets.values())}
    _expect(
        _differences("measure", got, want),
        _differences(
            "columns",
            columns,
            {"actual": figures["actual_columns"], "target": figures["target_columns"]},
        ),
        _differences(
            "summary", {"": _pick(result.summary, figures["summary"])}, {"": figures["summary"]}
        ),
    )


@floor("scorecard", _scorecard_check)
def _scorecard_run(params: Any) -> dict[str, Any]:
    return scorecard_figures(params.scorecard or "", params.on or date.today())


#: Periods of each computed measure the evaluation model reads: the one shown and those
#: before it (``workforce.reports.performance.HISTORY``).
EVALUATION_HISTORY = 4


def evaluation_model_figures(code: str, start: date, end: date) -> dict[str, Any]:
    """Each evidence's linked measures: the period shown for the year (its last period
    ending in the year; for an entered measure, the last such with a figure), the value's
    text and whether there is data; and the counts per stage."""
    rows = _rows(
        """SELECT g.id AS stage_id, v.id AS evidence_id, l.measure_id
FROM strategy s JOIN evaluation_stage g ON g.strategy_id = s.id
JOIN evaluation_evidence v ON v.stage_id = g.id
LEFT JOIN evidence_measure l ON l.evidence_id = v.id
WHERE s.code = :code""",
        code=code,
    )
    counts = _rows(
        """SELECT count(DISTINCT g.id) AS stages, count(DISTINCT a.id) AS activities
FROM strategy s JOIN evaluation_stage g ON g.strategy_id = s.id
LEFT JOIN evaluation_activity a ON a.stage_id = g.id WHERE s.code = :code""",
        code=code,
    )[0]
    ids = sorted({row.measure_id for row in rows if row.measure_id is not None})
    measures = {m.id: m for m in _measures_of(f"m.id IN ({', '.join(map(str, ids)) or 'NULL'})")}
    entered = _entered(ids)
    computed = _Measures()
    lines: dict[tuple[int, int], dict[str, Any]] = {}
    evidence: dict[int, str] = {}
    for row in rows:
        if row.measure_id is None:
            evidence[row.evidence_id] = "Not measured in the app"
            continue
        measure = measures[row.measure_id]
        last = _period_containing(measure.frequency, end)
        if last.end > end:
            last = _shift(last, -1)
        period = last
        if measure.source != "computed":
            candidate = last
            while candidate.end >= start:
                if entered.get((measure.id, candidate.start), (None,))[0] is not None:
                    period = candidate
                    break
                candidate = _shift(candidate, -1)
        value, note = _actual(measure, period, entered, computed)
        if measure.source == "computed":
            # The report judges the figure against the periods before it (its direction of
            # travel and trend) and the baseline's period: the floor works them out too.
            for back in range(1, EVALUATION_HISTORY):
                _actual(measure, _shift(period, -back), entered, computed)
            if measure.baseline_start is not None and measure.baseline_value is None:
                baseline = _period_starting(measure.frequency, _date(measure.baseline_start))
                _actual(measure, baseline, entered, computed)
        lines[(row.evidence_id, row.measure_id)] = {
            "measure": measure.name,
            "period": period.label,
            "value": _shown(value, note, measure.unit, measure.decimals)
            if value is not None
            else "",
            "status": "Measured" if value is not None else "No data yet",
        }
        if value is not None:
            evidence[row.evidence_id] = "Measured"
        else:
            evidence.setdefault(row.evidence_id, "No data yet")
    tally = Counter(evidence.values())
    summary = {
        "stages": _int(counts.stages),
        "activities": _int(counts.activities),
        "evidence": len(evidence),
        "measured": tally["Measured"],
        "no_data": tally["No data yet"],
        "not_measured": tally["Not measured in the app"],
    }
    return {"lines": lines, "summary": summary}


def _evaluation_model_check(result: Any, figures: dict[str, Any]) -> None:
    keys = ("measure", "period", "value", "status")
    got = {
        (r["_evidence_id"], r["_measure_id"]): _pick(r, keys)
        for r in result.rows
        if r.get("_measure_id")
    }
    _expect(
        _differences("evidence", got, figures["lines"]),
        _differences(
            "summary",
            {"": _pick(result.summary, figures["summary"])},
            {"": figures["summary"]},
        ),
    )


@floor("evaluation-model", _evaluation_model_check)
def _evaluation_model_run(params: Any) -> dict[str, Any]:
    start, end = _floor_params(params)
    return evaluation_model_figures(params.strategy or "", start, end)


# --- the census return (not a registry report) -----------------------------------------------------

#: A non-agency spell with a census organisational role: the spells that make runs.
_CENSUS_EMPLOYEE = "{s}.org_role IS NOT NULL AND {s}.contract_type <> 'agency'"
#: An agency spell with a census organisational role.
_CENSUS_AGENCY = "{s}.org_role IS NOT NULL AND {s}.contract_type = 'agency'"
#: A Monday long before any record: weekdays are counted from it.
_MONDAY = date(1900, 1, 1)
SIX = Decimal("0.000001")


def _census_follows(sql: _Dialect, p: str, q: str) -> str:
    """SQL: spell ``q`` carries on ``p``'s run (a move of team or role, not a leaver): the
    same person, both non-agency census spells, ``p`` ended without a leaving reason 1 to 7
    days before ``q`` started."""
    return (
        f"{q}.staff_id = {p}.staff_id AND {_CENSUS_EMPLOYEE.format(s=p)} "
        f"AND {_CENSUS_EMPLOYEE.format(s=q)} AND {p}.leaving_reason IS NULL "
        f"AND {p}.end_date IS NOT NULL AND {sql.days(f'{q}.start_date', f'{p}.end_date')} "
        "BETWEEN 1 AND 7"
    )


def _census_lasts(sql: _Dialect) -> str:
    """The CTE ``lasts``: the last spell of each run reaching into the year (ended on or after
    1 October, or open), which no spell starting by 30 September carries on."""
    return f"""lasts AS (
    SELECT s.id, s.staff_id
    FROM employment_spell s
    WHERE {_CENSUS_EMPLOYEE.format(s="s")} AND s.start_date <= :reference
      AND (s.end_date IS NULL OR s.end_date >= :first)
      AND NOT EXISTS (SELECT 1 FROM employment_spell q WHERE {_census_follows(sql, "s", "q")}
                      AND q.start_date <= :reference))"""


def _weekdays(sql: _Dialect, first: str, last: str) -> str:
    """SQL: Monday-to-Friday days from ``first`` to ``last`` inclusive (0 when ``last`` is
    earlier): the weekdays from a Monday long ago up to the day after ``last``, less those
    up to ``first``. Up to ``n`` days after a Monday there are ``5 * (n / 7)`` weekdays in
    whole weeks and at most 5 more in the part week."""
    least = "least" if sql.pg else "min"

    def before(day: str) -> str:
        n = sql.days(day, sql.lit(_MONDAY))
        return f"(5 * ({n} / 7) + {least}({n} % 7, 5))"

    after_last = sql.add_days(last, "1")
    return f"CASE WHEN {last} < {first} THEN 0 ELSE {before(after_last)} - {before(first)} END"


def _census_normalised_swe(sql: _Dialect, column: str) -> str:
    """SQL: a Social Work England number upper-cased without white space (None when
    empty)."""
    char = "chr" if sql.pg else "char"
    cleaned = column
    for code in (32, 9, 10, 11, 12, 13, 160):
        cleaned = f"replace({cleaned}, {char}({code}), '')"
    return f"NULLIF(upper({cleaned}), '')"


def _census_flag(column: str) -> str:
    """SQL: "1" or "0" for a yes/no column (None when not recorded)."""
    return f"CASE WHEN {column} IS NULL THEN NULL WHEN {column} THEN '1' ELSE '0' END"


def _census_records(sql: _Dialect, first: date, reference: date) -> list[Any]:
    """One row per record of the return, each element's value in a column of its own (NULL
    where the record leaves the element out), in one query.

    Runs: the last spell of each run (``lasts``) is walked back, spell by spell, to the one
    that started it (``runs``, ``firsts``). Drafts: those runs, and each agency spell with a
    census role in force on 30 September. A person's main record (``main_rank`` 1, carrying
    their cases and absence) is the first of theirs in post, then not agency, then with the
    most senior role (the lowest code), then the latest start, then the first made (the
    lowest first spell). ``nth`` numbers a person's records starting the same day, in the
    order they were made, for a key that is unique. (Runs are followed as links between
    spells: where one spell could carry on two, or two could carry on one, the app gives it
    to the run made first and the floor's records differ, which the check reports.)

    Absence: working days lost inside the year, each absence's days counted whole when it
    lies inside the year and otherwise as the share of its weekdays inside the year (an open
    absence running to 30 September), summed per person, and whether any absence is in
    force on 30 September. Cases: the total of each person's latest caseload snapshot taken
    in the year, looked up for the records that carry them."""
    pg = sql.pg
    collate = ' COLLATE "C"' if pg else ""
    last_day = "coalesce(a.end_date, :reference)"
    share_from = "CASE WHEN a.start_date > :first THEN a.start_date ELSE :first END"
    share_to = f"CASE WHEN {last_day} < :reference THEN {last_day} ELSE :reference END"
    total = _weekdays(sql, "a.start_date", last_day)
    inside = _weekdays(sql, share_from, share_to)
    # PostgreSQL's numeric division keeps at least 16 digits; widen it to 24 places, near
    # the 28 significant digits of the app's decimal arithmetic. SQLite's is floating point,
    # read back by its shortest decimal form before rounding.
    days = "CAST(a.working_days_lost AS NUMERIC(40, 24))" if pg else "a.working_days_lost * 1.0"
    leaver = "d.agency = 0 AND d.end_date <= :reference"
    return _rows(
        f"""WITH RECURSIVE {_census_lasts(sql)},
runs(last_id, spell_id, step) AS (
    SELECT id, id, 0 FROM lasts
    UNION ALL
    SELECT r.last_id, p.id, r.step + 1
    FROM runs r JOIN employment_spell q ON q.id = r.spell_id
    JOIN employment_spell p ON {_census_follows(sql, "p", "q")}),
firsts AS (
    SELECT last_id, spell_id AS first_id,
           row_number() OVER (PARTITION BY last_id ORDER BY step DESC) AS n
    FROM runs),
drafts AS (
    SELECT f.staff_id, 0 AS agency, f.start_date, l.end_date, f.id AS first_id,
           CASE WHEN l.end_date IS NULL OR l.end_date > :reference THEN 1 ELSE 0 END AS in_post,
           f.start_origin, l.org_role, {sql.fte_micro("l")} AS fte, l.leaving_reason,
           l.leaver_destination, l.contract_weeks, l.cfkss_status
    FROM firsts r
    JOIN employment_spell f ON f.id = r.first_id
    JOIN employment_spell l ON l.id = r.last_id
    WHERE r.n = 1
    UNION ALL
    SELECT s.staff_id, 1, s.start_date, s.end_date, s.id, 1, s.start_origin, s.org_role,
           {sql.fte_micro("s")}, s.leaving_reason, s.leaver_destination, s.contract_weeks,
           s.cfkss_status
    FROM employment_spell s
    WHERE {_CENSUS_AGENCY.format(s="s")} AND {_in_force("s", ":reference")}),
ranked AS (
    SELECT d.*,
           row_number() OVER (
               PARTITION BY d.staff_id
               ORDER BY d.in_post DESC, d.agency, coalesce(d.org_role, '9'){collate},
                        d.start_date DESC, d.first_id) AS main_rank,
           row_number() OVER (
               PARTITION BY d.staff_id, d.agency, d.start_date ORDER BY d.first_id) AS nth
    FROM drafts d),
absent AS (
    SELECT a.staff_id,
           sum(CASE WHEN a.start_date >= :first AND {last_day} <= :reference
                    THEN a.working_days_lost
                    WHEN {total} = 0
                    THEN CASE WHEN a.start_date >= :first THEN a.working_days_lost ELSE 0 END
                    ELSE {days} * ({inside}) / ({total}) END) AS days,
           max(CASE WHEN a.end_date IS NULL OR a.end_date >= :reference THEN 1 ELSE 0 END)
               AS on_reference
    FROM absence a
    WHERE a.start_date <= :reference AND (a.end_date IS NULL OR a.end_date >= :first)
    GROUP BY a.staff_id)
SELECT d.staff_id, d.agency, d.start_date AS role_start, d.nth,
       {_census_normalised_swe(sql, "p.swe_number")} AS swe,
       d.fte,
       p.date_of_birth AS birth,
       NULLIF(p.gender, '') AS gender,
       NULLIF(p.ethnicity, '') AS ethnicity,
       p.qual_inst,
       NULLIF(p.qual_level, '') AS qual_level,
       {_census_flag("p.step_up_grad")} AS step_up,
       NULLIF(d.org_role, '') AS org_role,
       NULLIF(d.start_origin, '') AS start_origin,
       CASE WHEN {leaver} THEN d.end_date END AS role_end,
       CASE WHEN {leaver} THEN NULLIF(d.leaver_destination, '') END AS destination,
       CASE WHEN {leaver} THEN
           CASE WHEN d.leaving_reason IS NULL AND EXISTS (
                    SELECT 1 FROM employment_spell o
                    WHERE o.staff_id = d.staff_id AND o.org_role IS NULL
                      AND {sql.days("o.start_date", "d.end_date")} BETWEEN 1 AND 7)
                THEN '7' ELSE NULLIF(d.leaving_reason, '') END END AS reason_leave,
       CASE WHEN d.in_post = 1 THEN d.fte END AS fte30,
       CASE WHEN d.in_post = 1 AND d.main_rank = 1 AND n.id IS NOT NULL THEN
           (SELECT coalesce(sum(c.cases), 0) FROM caseload_count c WHERE c.snapshot_id = n.id)
           END AS cases30,
       CASE WHEN d.main_rank = 1 AND d.agency = 0 THEN coalesce(a.days, 0) END AS days_lost,
       d.contract_weeks AS weeks,
       {_census_flag("p.frontline_grad")} AS frontline,
       CASE WHEN d.in_post = 1 AND d.agency = 0 THEN
           CASE WHEN a.on_reference = 1 THEN '1' ELSE '0' END END AS absent30,
       CASE WHEN d.main_rank = 1 AND d.agency = 0 AND a.staff_id IS NOT NULL THEN 1 ELSE 0 END
           AS reasons,
       NULLIF(d.cfkss_status, '') AS cfkss
FROM ranked d
JOIN staff p ON p.id = d.staff_id
LEFT JOIN caseload_snapshot n ON n.staff_id = d.staff_id AND n.taken_on = (
    SELECT max(m.taken_on) FROM caseload_snapshot m
    WHERE m.staff_id = d.staff_id AND m.taken_on >= :first AND m.taken_on <= :reference)
LEFT JOIN absent a ON a.staff_id = d.staff_id""",
        first=first,
        reference=reference,
    )


def _census_reasons(first: date, reference: date) -> dict[int, list[str]]:
    """Each person's absence reasons in the year, each once, in the order of the first
    absence with it (then of the absences' ids), in one query."""
    found: dict[int, list[str]] = defaultdict(list)
    for staff_id, reason, _, _ in _rows(
        """SELECT a.staff_id, a.reason, min(a.start_date) AS since, min(a.id) AS first_id
FROM absence a
WHERE a.start_date <= :reference AND (a.end_date IS NULL OR a.end_date >= :first)
GROUP BY a.staff_id, a.reason
ORDER BY a.staff_id, since, first_id""",
        first=first,
        reference=reference,
    ):
        found[staff_id].append(reason)
    return found


def _census_vacancies(sql: _Dialect, first: date, reference: date) -> dict[str, str]:
    """The LA-level items, in one query: over the teams with an establishment in force on 30
    September (the latest from on or before it), funded FTE less the FTE in post of
    employees' runs in the team (each run's last spell, in post on 30 September), never
    below 0 for a team; and the FTE and people of agency spells in force on 30 September
    marked as covering a vacancy. FTE in millionths, funded FTE in hundredths."""
    row = _rows(
        f"""WITH {_census_lasts(sql)},
in_post AS (
    SELECT l.team_id, sum({sql.fte_micro("l")}) AS fte
    FROM lasts t JOIN employment_spell l ON l.id = t.id
    WHERE l.end_date IS NULL OR l.end_date > :reference
    GROUP BY l.team_id),
funded AS (
    SELECT e.team_id, CAST(round(e.funded_fte * 100) AS INTEGER) * 10000 AS fte
    FROM team_establishment e
    WHERE e.effective_from <= :reference
      AND NOT EXISTS (SELECT 1 FROM team_establishment later
                      WHERE later.team_id = e.team_id AND later.effective_from > e.effective_from
                        AND later.effective_from <= :reference))
SELECT (SELECT sum(CASE WHEN f.fte > coalesce(i.fte, 0) THEN f.fte - coalesce(i.fte, 0)
                        ELSE 0 END)
        FROM funded f LEFT JOIN in_post i ON i.team_id = f.team_id) AS vacant,
       (SELECT sum({sql.fte_micro("s")}) FROM employment_spell s
        WHERE {_CENSUS_AGENCY.format(s="s")} AND {_in_force("s", ":reference")}
          AND s.covers_vacancy) AS agency_fte,
       (SELECT count(DISTINCT s.staff_id) FROM employment_spell s
        WHERE {_CENSUS_AGENCY.format(s="s")} AND {_in_force("s", ":reference")}
          AND s.covers_vacancy) AS agency_headcount""",
        first=first,
        reference=reference,
    )[0]
    return {
        "NumberOfVacancies": str((_dec(row.vacant) / MILLION).quantize(TWO, ROUND_HALF_UP)),
        "NoAgencyFTE": str((_dec(row.agency_fte) / MILLION).quantize(TWO, ROUND_HALF_UP)),
        "NoAgencyHeadcount": str(_int(row.agency_headcount)),
    }


def _one(value: str | None) -> list[str] | None:
    """An element's one value as a list (None: the element is left out)."""
    return None if value is None else [value]


def _census_key(staff_id: int, agency: str, start: str, nth: int) -> tuple[Any, ...]:
    """A record's key: (staff id, ``AgencyWorker``, ``RoleStartDate``), with the record's
    number among the person's starting that day appended when it is not the first."""
    return (staff_id, agency, start) if nth == 1 else (staff_id, agency, start, nth)


def census_figures(year: int) -> dict[str, Any]:
    """Every record of the census return for census year ``year`` (1 October of the year
    before to 30 September), each element's values as the return writes them, keyed by
    ``_census_key``, and the LA-level vacancy items, in three queries (records, absence
    reasons, vacancies). Python only puts the columns into lists of text: dates as ISO
    dates, FTE to six places, working days lost to two places and contract weeks to one
    (half up), and the qualifying institutions split on ";"."""
    import gc  # only the census floor pauses the collector

    # As ``build_return`` does (``workforce.collector``): left running, the cyclic collector
    # walks the tens of thousands of rows, dicts and lists made here again and again as they
    # pile up (three quarters of the floor's Python time at national scale), though none is
    # in a cycle. Reference counting frees them as usual.
    if not gc.isenabled():
        return _census_figures(year)
    gc.disable()
    try:
        return _census_figures(year)
    finally:
        if not gc.get_freeze_count():
            # What was made goes straight to the oldest generation (as the app's does).
            gc.freeze()
            gc.unfreeze()
        gc.enable()


def _census_figures(year: int) -> dict[str, Any]:
    """``census_figures`` with the collector paused."""
    sql = _Dialect()
    first, reference = _census_bounds(year)
    reasons = _census_reasons(first, reference)
    # Dates and FTE take few distinct values: each is written once.
    days: dict[Any, str] = {}
    ftes: dict[Any, str] = {}

    def day(value: Any) -> str:
        found = days.get(value)
        if found is None:
            shown = _date(value)
            assert shown is not None
            found = days[value] = shown.isoformat()
        return found

    def fte(micro: Any) -> str:
        found = ftes.get(micro)
        if found is None:
            found = ftes[micro] = str((Decimal(int(micro)) / MILLION).quantize(SIX, ROUND_HALF_UP))
        return found

    records: dict[tuple[Any, ...], dict[str, list[str]]] = {}
    for (
        staff_id,
        agency,
        role_start,
        nth,
        swe,
        fte_micro,
        birth,
        gender,
        ethnicity,
        qual_inst,
        qual_level,
        step_up,
        org_role,
        start_origin,
        role_end,
        destination,
        reason_leave,
        fte30,
        cases30,
        days_lost,
        weeks,
        frontline,
        absent30,
        has_reasons,
        cfkss,
    ) in _census_records(sql, first, reference):
        # The columns come in the schema's order; each is NULL where the record leaves the
        # element out.
        start = day(role_start)
        # Several institutions are recorded separated by ";"; none is sent as one empty one.
        institutions = [part.strip() for part in (qual_inst or "").split(";") if part.strip()]
        # Each element's values in the schema's order; None leaves the element out.
        elements: list[tuple[str, list[str] | None]] = [
            ("AgencyWorker", [str(agency)]),
            ("SWENo", _one(swe)),
            ("FTE", [fte(fte_micro)]),
            ("PersonBirthDate", None if birth is None else [day(birth)]),
            ("GenderCurrent", _one(gender)),
            ("Ethnicity", _one(ethnicity)),
            ("QualInst", institutions or [""]),
            ("QualLevel", _one(qual_level)),
            ("StepUpGrad", _one(step_up)),
            ("OrgRole", _one(org_role)),
            ("RoleStartDate", [start]),
            ("StartOrigin", _one(start_origin)),
            ("RoleEndDate", None if role_end is None else [day(role_end)]),
            ("LeaverDestination", _one(destination)),
            ("ReasonLeave", _one(reason_leave)),
            ("FTE30", None if fte30 is None else [fte(fte30)]),
            ("Cases30", None if cases30 is None else [str(int(cases30))]),
            (
                "WorkingDaysLost",
                None if days_lost is None else [str(_dec(days_lost).quantize(TWO, ROUND_HALF_UP))],
            ),
            (
                "ContractWeeks",
                None if weeks is None else [str(_dec(weeks).quantize(ONE, ROUND_HALF_UP))],
            ),
            ("FrontlineGrad", _one(frontline)),
            ("Absat30Sept", _one(absent30)),
            ("ReasonAbsence", list(reasons[staff_id]) if has_reasons else None),
            ("CFKSSstatus", _one(cfkss)),
        ]
        values = {name: found for name, found in elements if found is not None}
        key = _census_key(staff_id, values["AgencyWorker"][0], start, nth)
        assert key not in records, f"two census records with the key {key!r}"
        records[key] = values
    return {"records": records, "vacancies": _census_vacancies(sql, first, reference)}


def _census_check(result: Any, figures: dict[str, Any]) -> None:
    """Every record of ``result`` (``build_return(year)``) against the floor's, element by
    element (a record or an element missing on either side counts), and the LA-level
    vacancy items."""
    got: dict[tuple[Any, ...], dict[str, list[str]]] = {}
    seen: Counter[tuple[Any, ...]] = Counter()
    for record in result.records:
        agency = record.values.get("AgencyWorker", ["?"])[0]
        start = record.values.get("RoleStartDate", ["?"])[0]
        seen[(record.staff_id, agency, start)] += 1
        got[_census_key(record.staff_id, agency, start, seen[(record.staff_id, agency, start)])] = (
            record.values
        )
    want = figures["records"]
    missing = [f"record {key!r}: missing from the report" for key in want if key not in got]
    extra = [f"record {key!r}: not in the floor" for key in got if key not in want]
    both = [key for key in want if key in got]
    _expect(
        missing,
        extra,
        _differences(
            "record",
            {(key, name): value for key in both for name, value in got[key].items()},
            {(key, name): value for key in both for name, value in want[key].items()},
        ),
        _differences("vacancies", result.vacancies, figures["vacancies"]),
    )


@floor("census-xml", _census_check)
def _census_run(params: Any) -> dict[str, Any]:
    """``params.year`` is the census year (default: the latest whose 30 September has
    come); ``result`` for the check is ``workforce.services.census.build_return(year)``."""
    year = getattr(params, "year", None)
    if year is None:
        today = date.today()
        year = today.year if today >= date(today.year, 9, 30) else today.year - 1
    return census_figures(year)
