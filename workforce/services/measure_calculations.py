"""The named calculations behind computed performance measures.

A computed measure names one of these (``Measure.calculation``) and, when the calculation
takes one, an argument (``Measure.calculation_argument``: which practice model, say). A
calculation turns a period (its first and last day) into one figure from the app's own
data, or None when the data holds nothing to compute it from. Figures are in the measure's
unit: a percentage is 0 to 100 (73.5 is 73.5%), as scorecards print them.

Each figure is the one the report that publishes it gives for the whole authority (no
viewer): the reports stay the definition, and the tests compare every calculation with
its report. A calculation does not build the report, though: it counts just the figure,
for every period asked for at once (``compute_many``), in one set-based query grouped by
period (the periods are a small derived table), so a scorecard's or an evaluation model's
trends cost one query per kind of figure, not a report per period.

Two kinds of figure:

- **flows** count what happened in the period (training places, appraisals, audits, ASYE
  outcomes, leavers): from the period's first day to its last;
- **stocks** stand on one day (supervision compliance, ASYE retention, caseloads): the
  period's last day, or today while the period is under way (a standing on a day still to
  come would judge sessions and snapshots not yet taken).

A period still to come (its first day after today) has no figure (None), not a zero; a
period ending before it starts is a ``CalculationError``.

Measures that read the same figures (turnover and stability; places delivered and staff
trained) share one query per reading of the data while a ``sharing`` block is open: each
kind of figure is remembered by period or standing day, and only the periods not yet
counted are queried.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

#: A period as calculations take it: its first and last day.
Span = tuple[date, date]
#: Figures for many periods at once: one figure (or None) per span, in order.
ManyFigures = Callable[[Sequence[Span], str | None], list[Decimal | None]]


ONE_DAY = timedelta(days=1)


class CalculationError(ValueError):
    """A calculation that cannot run as configured (an unknown practice model, say)."""


@dataclass(frozen=True)
class Calculation:
    """A named way of computing a measure's figure for a period."""

    name: str
    label: str
    description: str
    #: The unit the figure is in (one of ``workforce.models.performance.UNITS``).
    unit: str
    compute: Callable[[date, date, str | None], Decimal | None]
    #: What the argument is, for calculations that take one ("practice model"); None
    #: when it takes none.
    argument: str | None = None
    #: The argument's allowed values as (value, label), for the form; None for no list.
    choices: Callable[[], list[tuple[str, str]]] | None = None
    #: The figures for many periods at once (one query for all of them); None: ``compute``
    #: is called for each period.
    compute_many: ManyFigures | None = None


CALCULATIONS: dict[str, Calculation] = {}

#: Figures already counted while a ``sharing`` block is open, by kind of figure and then by
#: period or day: measures reading the same figures (turnover and stability, say) and the
#: periods of one measure's trend share the queries.
_SHARED: ContextVar[dict[Any, Any] | None] = ContextVar("shared_builds", default=None)


@contextmanager
def sharing(memo: dict[Any, Any]) -> Iterator[None]:
    """Within the block, calculations share the figures they count through ``memo`` (keep
    one memo for one reading of the data, such as one page or one export)."""
    token = _SHARED.set(memo)
    try:
        yield
    finally:
        _SHARED.reset(token)


def _counted(kind: str, keys: Iterable[Any], count: Callable[[list[Any]], dict[Any, Any]]) -> Any:
    """``count(keys)`` (figures by key: a period or a day) for the keys not yet counted of
    ``kind`` in the ``sharing`` memo (all of them without one); the figures by key."""
    memo = _SHARED.get()
    store: dict[Any, Any] = {} if memo is None else memo.setdefault(("figures", kind), {})
    missing = sorted({key for key in keys if key not in store})
    if missing:
        if memo is None or not memo.get(("tuned",)):
            _tune()
            if memo is not None:
                memo["tuned",] = True
        found = count(missing)
        for key in missing:
            store[key] = found.get(key)
    return store


def _tune() -> None:
    """On PostgreSQL, for this transaction: no JIT compilation (the planner's estimates for
    range joins on a small table of periods are far above the work done, which switches on
    JIT: seconds of compiling for a query that runs in a fraction of one, on a 50,000-person
    authority), and enough memory for the per-person groupings to be hashed or sorted in
    memory rather than on disk."""
    from sqlalchemy import text

    from workforce.extensions import db

    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SET LOCAL jit = off"))
        db.session.execute(text("SET LOCAL work_mem = '32MB'"))


def calculation(
    name: str,
    *,
    label: str,
    description: str,
    unit: str,
    argument: str | None = None,
    choices: Callable[[], list[tuple[str, str]]] | None = None,
) -> Callable[[ManyFigures], ManyFigures]:
    """Register the decorated function, which gives the figures for many periods at once,
    as calculation ``name``."""

    def decorator(many: ManyFigures) -> ManyFigures:
        if name in CALCULATIONS:
            raise ValueError(f"a calculation named {name!r} is registered already")

        def one(start: date, end: date, argument: str | None) -> Decimal | None:
            return many([(start, end)], argument)[0]

        CALCULATIONS[name] = Calculation(
            name, label, description, unit, one, argument, choices, compute_many=many
        )
        return many

    return decorator


def _found(name: str, argument: str | None) -> Calculation:
    found = CALCULATIONS.get(name)
    if found is None:
        raise CalculationError(f"There is no calculation called {name!r}")
    if found.argument and not argument:
        raise CalculationError(f"The calculation {found.label!r} needs a {found.argument}")
    return found


def check(name: str, argument: str | None = None) -> None:
    """Raise ``CalculationError`` if there is no calculation ``name``, or it needs an
    argument and has none (what can be told without reading any data)."""
    _found(name, argument)


def compute(name: str, start: date, end: date, argument: str | None = None) -> Decimal | None:
    """The figure calculation ``name`` gives for ``start`` to ``end``."""
    return compute_many(name, [(start, end)], argument)[0]


def compute_many(
    name: str, spans: Sequence[Span], argument: str | None = None
) -> list[Decimal | None]:
    """The figures calculation ``name`` gives for each of ``spans`` (first and last days),
    in order: the same as ``compute`` for each, counted together."""
    found = _found(name, argument)
    if not spans:
        return []
    if found.compute_many is not None:
        return found.compute_many(list(spans), argument)
    return [found.compute(start, end, argument) for start, end in spans]


def _percent(share: object) -> Decimal | None:
    """A report's proportion (0.735) as a percentage (73.5)."""
    if share is None:
        return None
    value = Decimal(str(share))
    exponent = value.as_tuple().exponent
    percent = value * 100
    # Keep the report's precision, moved two places (0.7350 is 73.50, 0.159 is 15.9).
    if isinstance(exponent, int) and exponent < 0:
        return percent.quantize(Decimal(1).scaleb(min(exponent + 2, 0)))
    return percent


def _decimal(value: object) -> Decimal | None:
    return None if value is None else Decimal(str(value))


# --- shared pieces --------------------------------------------------------------------------


def _check_period(start: date, end: date) -> None:
    if start > end:
        raise CalculationError(
            f"The period must end on or after its first day ({start:%d %B %Y} is after "
            f"{end:%d %B %Y})"
        )


def _not_begun(start: date) -> bool:
    """Whether the period is still to come, so there is nothing yet to count."""
    return start > date.today()


def _standing_day(start: date, end: date) -> date | None:
    """The day a snapshot calculation stands on: the period's last day, or today while the
    period is under way; None for a period still to come."""
    _check_period(start, end)
    if _not_begun(start):
        return None
    return min(end, date.today())


def _period(start: date, end: date) -> bool:
    """Check the period; whether there is anything to count in it yet."""
    _check_period(start, end)
    return not _not_begun(start)


def _flows(spans: Sequence[Span]) -> list[Span | None]:
    """Each span checked: itself, or None for one still to come."""
    return [(start, end) if _period(start, end) else None for start, end in spans]


def _stocks(spans: Sequence[Span]) -> list[date | None]:
    """Each span's standing day (None for one still to come)."""
    return [_standing_day(start, end) for start, end in spans]


def _spans_table(keys: Sequence[Span], *, times: bool = False) -> Any:
    """SQL: a small derived table of the periods: ``i`` (the index in ``keys``), ``first``
    and ``last`` day; with ``times``, ``from_time`` and ``before_time`` (midnight starting
    the first day and the day after the last) for timestamps."""
    from sqlalchemy import Date, DateTime, Integer, literal, select, union_all

    selects = []
    for index, (first, last) in enumerate(keys):
        columns = [
            literal(index, Integer).label("i"),
            literal(first, Date).label("first"),
            literal(last, Date).label("last"),
        ]
        if times:
            columns += [
                literal(datetime.combine(first, time.min), DateTime).label("from_time"),
                literal(datetime.combine(last + timedelta(days=1), time.min), DateTime).label(
                    "before_time"
                ),
            ]
        selects.append(select(*columns))
    query = selects[0] if len(selects) == 1 else union_all(*selects)
    return query.subquery("spans")


def _by_period(keys: Sequence[Any], rows: Iterable[Any]) -> dict[Any, list[Any]]:
    """Rows whose first column is an index into ``keys``, by key."""
    out: dict[Any, list[Any]] = defaultdict(list)
    for row in rows:
        out[keys[int(row[0])]].append(tuple(row[1:]))
    return out


def _int(value: Any) -> int:
    return int(value or 0)


# --- training -------------------------------------------------------------------------------


def _training_counts(keys: list[Span]) -> dict[Span, Any]:
    """Per period: places attended in full or in part on delivered sessions starting in it,
    and per practice model the different people who attended one of its courses in full
    (courses with no practice model train nobody in one, so their people are not counted)."""
    from sqlalchemy import and_, func, select

    from workforce.extensions import db
    from workforce.models import Booking, Course, TrainingSession
    from workforce.reports.training import delivered

    spans = _spans_table(keys, times=True)
    # The periods' delivered sessions, each with its practice model, read once.
    sessions = (
        select(
            spans.c.i.label("i"),
            TrainingSession.id.label("session_id"),
            Course.practice_model_id.label("model"),
        )
        .select_from(TrainingSession)
        .join(Course, Course.id == TrainingSession.course_id)
        .join(
            spans,
            and_(
                TrainingSession.starts_at >= spans.c.from_time,
                TrainingSession.starts_at < spans.c.before_time,
            ),
        )
        .where(delivered())
        .cte("period_sessions")
    )
    places = (
        select(sessions.c.i, func.count())
        .select_from(sessions)
        .join(Booking, Booking.session_id == sessions.c.session_id)
        .where(Booking.status == "booked", Booking.attendance.in_(("attended", "partial")))
        .group_by(sessions.c.i)
    )
    # Different people per practice model: only the places of courses that have one, so
    # the de-duplication handles a third as many places as grouping every place by person.
    trained_people = (
        select(sessions.c.i, sessions.c.model, Booking.staff_id)
        .select_from(sessions)
        .join(Booking, Booking.session_id == sessions.c.session_id)
        .where(
            sessions.c.model.is_not(None),
            Booking.status == "booked",
            Booking.attendance == "attended",
        )
        .distinct()
        .subquery("trained_people")
    )
    trained = select(trained_people.c.i, trained_people.c.model, func.count()).group_by(
        trained_people.c.i, trained_people.c.model
    )
    found_places = _by_period(keys, db.session.execute(places))
    found_trained = _by_period(keys, db.session.execute(trained))
    return {
        key: {
            "places": sum(_int(count) for (count,) in found_places.get(key, [])),
            "trained": {model: _int(count) for model, count in found_trained.get(key, [])},
        }
        for key in keys
    }


def _when(condition: Any, value: Any) -> Any:
    """SQL: ``value`` where ``condition`` holds, else NULL."""
    from sqlalchemy import case

    return case((condition, value))


@calculation(
    "training-places-delivered",
    label="Training places delivered",
    description=(
        "Places on training sessions starting in the period that were delivered (marked "
        "completed, or not cancelled with a marked register) where the person attended in "
        "full or in part: the training statistics report's 'Attended' plus 'Partly "
        "attended'. Did-not-attend, unmarked, waiting-list and cancelled places never count."
    ),
    unit="count",
)
def training_places_delivered(spans: Sequence[Span], argument: str | None) -> list[Decimal | None]:
    """Attended plus partly attended places of the training statistics report."""
    periods = _flows(spans)
    counted = _counted("training", [p for p in periods if p], _training_counts)
    return [None if p is None else Decimal(counted[p]["places"]) for p in periods]


def _practice_model_choices() -> list[tuple[str, str]]:
    from sqlalchemy import select

    from workforce.extensions import db
    from workforce.models import PracticeModel

    names = db.session.scalars(
        select(PracticeModel.name)
        .where(PracticeModel.active.is_(True))
        .order_by(PracticeModel.name)
    )
    return [(name, name) for name in names]


def _practice_model_id(name: str) -> int | None:
    from sqlalchemy import select

    from workforce.extensions import db
    from workforce.models import PracticeModel

    memo = _SHARED.get()
    if memo is None:
        return db.session.scalar(select(PracticeModel.id).where(PracticeModel.name == name))
    # Many measures read from one memo (a page of them) look their models up once.
    if ("practice models",) not in memo:
        memo["practice models",] = dict(
            db.session.execute(select(PracticeModel.name, PracticeModel.id)).all()
        )
    found: int | None = memo["practice models",].get(name)
    return found


@calculation(
    "staff-trained-in-practice-model",
    label="Staff trained in a practice model",
    description=(
        "Different people who attended in full at least one delivered session, starting in "
        "the period, of a course of the chosen practice model: the 'Staff trained' of that "
        "practice model's row in the training statistics report (by practice model). Partly "
        "attended places do not count."
    ),
    unit="count",
    argument="practice model",
    choices=_practice_model_choices,
)
def staff_trained_in_practice_model(
    spans: Sequence[Span], argument: str | None
) -> list[Decimal | None]:
    """The practice model's staff trained in the training statistics report."""
    name = (argument or "").strip()
    if not name:
        raise CalculationError(
            "The calculation 'Staff trained in a practice model' needs a practice model"
        )
    model_id = _practice_model_id(name)
    if model_id is None:
        raise CalculationError(f"There is no practice model called {name!r}")
    periods = _flows(spans)
    counted = _counted("training", [p for p in periods if p], _training_counts)
    return [None if p is None else Decimal(counted[p]["trained"].get(model_id, 0)) for p in periods]


def _evaluation_counts(keys: list[Span]) -> dict[Span, tuple[int, int]]:
    """Per period: evaluations returned for places on delivered sessions starting in it,
    and those rating the training good or better."""
    from sqlalchemy import and_, func, select

    from workforce.extensions import db
    from workforce.metrics.training import GOOD_OR_BETTER
    from workforce.models import Booking, Evaluation, TrainingSession
    from workforce.reports.sql import count_when
    from workforce.reports.training import delivered

    spans = _spans_table(keys, times=True)
    # Counted per session first, then the delivered sessions of each period added up: the
    # evaluations meet their bookings in one hashed pass, not once per period's sessions.
    per_session = (
        select(
            Booking.session_id.label("session_id"),
            func.count().label("returned"),
            count_when(Evaluation.overall >= GOOD_OR_BETTER).label("good"),
        )
        .select_from(Evaluation)
        .join(Booking, Booking.id == Evaluation.booking_id)
        .where(Booking.status == "booked")
        .group_by(Booking.session_id)
        .subquery("per_session")
    )
    query = (
        select(spans.c.i, func.sum(per_session.c.returned), func.sum(per_session.c.good))
        .select_from(per_session)
        .join(TrainingSession, TrainingSession.id == per_session.c.session_id)
        .join(
            spans,
            and_(
                TrainingSession.starts_at >= spans.c.from_time,
                TrainingSession.starts_at < spans.c.before_time,
            ),
        )
        .where(delivered())
        .group_by(spans.c.i)
    )
    return {
        key: (_int(rows[0][0]), _int(rows[0][1]))
        for key, rows in _by_period(keys, db.session.execute(query)).items()
    }


@calculation(
    "training-evaluations-good-or-better",
    label="Training evaluations rating it good or better",
    description=(
        "Evaluations returned for places on delivered sessions starting in the period that "
        "rate the training 4 or 5 overall (of 1 to 5), over the evaluations returned: the "
        "training evaluation report's 'Good or better (%)'. None without evaluations."
    ),
    unit="percent",
)
def training_evaluations_good_or_better(
    spans: Sequence[Span], argument: str | None
) -> list[Decimal | None]:
    """The training evaluation report's good or better rate, as a percentage."""
    from workforce.metrics.training import good_or_better_rate

    periods = _flows(spans)
    counted = _counted("evaluations", [p for p in periods if p], _evaluation_counts)
    out: list[Decimal | None] = []
    for p in periods:
        evaluations, good = (counted.get(p) or (0, 0)) if p else (0, 0)
        out.append(None if p is None else _percent(good_or_better_rate(good, evaluations)))
    return out


# --- capability -----------------------------------------------------------------------------


def _appraisal_counts(keys: list[Span]) -> dict[Span, int]:
    """Per period: annual appraisals signed off with an assessment date in it."""
    from sqlalchemy import and_, func, select

    from workforce.extensions import db
    from workforce.models import Assessment

    spans = _spans_table(keys)
    query = (
        select(spans.c.i, func.count())
        .select_from(Assessment)
        .join(
            spans,
            and_(Assessment.assessed_on >= spans.c.first, Assessment.assessed_on <= spans.c.last),
        )
        .where(Assessment.status == "signed_off", Assessment.kind == "appraisal")
        .group_by(spans.c.i)
    )
    return {
        key: _int(rows[0][0]) for key, rows in _by_period(keys, db.session.execute(query)).items()
    }


@calculation(
    "capability-appraisals",
    label="Performance appraisals against the capabilities framework",
    description=(
        "Annual appraisals signed off with an assessment date in the period (drafts, "
        "supervisor assessments, ASYE reviews and self-assessments are not appraisals): the "
        "capability appraisals report's 'Annual appraisals completed'."
    ),
    unit="count",
)
def capability_appraisals(spans: Sequence[Span], argument: str | None) -> list[Decimal | None]:
    """The appraisals report's count of annual appraisals."""
    periods = _flows(spans)
    counted = _counted("appraisals", [p for p in periods if p], _appraisal_counts)
    return [None if p is None else Decimal(counted.get(p) or 0) for p in periods]


# --- supervision ----------------------------------------------------------------------------


def _supervision_tallies(days: list[date]) -> dict[date, dict[str, Any]]:
    """On each day, the supervision compliance report's figures for the whole authority
    (``tally_compliance`` of ``workforce.reports.supervision``, which adds up what its
    ``judge_people`` finds): the people in post judged against a supervision policy, those
    within it, and their sessions in the 12 months up to the day."""
    from workforce.metrics.supervision import sessions_per_person_per_year
    from workforce.metrics.training import TWO_PLACES, rate
    from workforce.reports.supervision import Tally, tally_compliance

    out: dict[date, dict[str, Any]] = {}
    for day, tallies in tally_compliance(days).items():
        tally = tallies.get(None, Tally())
        per_person = sessions_per_person_per_year(tally.sessions, tally.with_policy)
        out[day] = {
            "people": tally.with_policy,
            "within": tally.within,
            "within_rate": rate(tally.within, tally.with_policy),
            "sessions": tally.sessions,
            "sessions_per_person": None
            if per_person is None
            else Decimal(str(per_person)).quantize(TWO_PLACES, ROUND_HALF_UP),
        }
    return out


def _supervision(spans: Sequence[Span], figure: str) -> list[Decimal | None]:
    days = _stocks(spans)
    counted = _counted("supervision", [d for d in days if d], _supervision_tallies)
    out: list[Decimal | None] = []
    for day in days:
        if day is None:
            out.append(None)
            continue
        tally = counted[day]
        if figure == "per_person":
            out.append(_decimal(tally["sessions_per_person"]))
        else:
            out.append(_percent(tally["within_rate"]))
    return out


@calculation(
    "supervisions-per-person",
    label="Supervisions held per person per year",
    description=(
        "Standing on the period's last day (today, while the period is under way): the "
        "supervision sessions held in the 12 months up to that day by the people in post on "
        "it with a supervision policy (days with a session held, each person's count; group "
        "sessions count for every attendee), divided by the number of those people: the "
        "supervision compliance report's 'Sessions per person per year'. None with nobody "
        "in post under a policy."
    ),
    unit="number",
)
def supervisions_per_person(spans: Sequence[Span], argument: str | None) -> list[Decimal | None]:
    """The supervision compliance report's sessions per person per year on the last day."""
    return _supervision(spans, "per_person")


@calculation(
    "supervision-within-policy",
    label="Staff supervised within policy",
    description=(
        "Standing on the period's last day (today, while the period is under way): people in "
        "post with a supervision policy who are within it (not overdue, and at least as many "
        "full-length sessions in the 12 months as the policy expects), over those people: the "
        "supervision compliance report's 'Within policy (%)'. None with nobody in post under "
        "a policy."
    ),
    unit="percent",
)
def supervision_within_policy(spans: Sequence[Span], argument: str | None) -> list[Decimal | None]:
    """The supervision compliance report's within-policy rate on the last day."""
    return _supervision(spans, "within")


def _audit_counts(keys: list[Span]) -> dict[Span, tuple[int, int]]:
    """Per period: supervision audits dated in it, and those graded good or outstanding."""
    from sqlalchemy import and_, func, select

    from workforce.extensions import db
    from workforce.metrics.supervision import GOOD_OR_BETTER
    from workforce.models.supervision import SupervisionAudit
    from workforce.reports.sql import count_when

    spans = _spans_table(keys)
    query = (
        select(
            spans.c.i,
            func.count(),
            count_when(SupervisionAudit.grade.in_(sorted(GOOD_OR_BETTER))),
        )
        .select_from(SupervisionAudit)
        .join(
            spans,
            and_(
                SupervisionAudit.audited_on >= spans.c.first,
                SupervisionAudit.audited_on <= spans.c.last,
            ),
        )
        .group_by(spans.c.i)
    )
    return {
        key: (_int(rows[0][0]), _int(rows[0][1]))
        for key, rows in _by_period(keys, db.session.execute(query)).items()
    }


@calculation(
    "supervision-audits-good-or-better",
    label="Supervision audits rated good or better",
    description=(
        "Quality audits of supervision records carried out in the period (by audit date) "
        "graded good or outstanding, over the audits carried out: the supervision audit "
        "report's 'Good or better (%)'. None without audits."
    ),
    unit="percent",
)
def supervision_audits_good_or_better(
    spans: Sequence[Span], argument: str | None
) -> list[Decimal | None]:
    """The supervision audit report's good or better rate, as a percentage."""
    from workforce.metrics.training import RATE_PLACES

    periods = _flows(spans)
    counted = _counted("audits", [p for p in periods if p], _audit_counts)
    out: list[Decimal | None] = []
    for p in periods:
        audits, good = (counted.get(p) or (0, 0)) if p else (0, 0)
        if p is None or not audits:
            out.append(None)
            continue
        # As the report: the share as a float (``share_good_or_better``), to four places.
        share = Decimal(str(good / audits)).quantize(RATE_PLACES, ROUND_HALF_UP)
        out.append(_percent(share))
    return out


# --- ASYE -----------------------------------------------------------------------------------


def _asye_outcomes(keys: list[Span]) -> dict[Span, tuple[int, int]]:
    """Per period: ASYE outcomes dated in it, and those that passed."""
    from sqlalchemy import and_, func, select

    from workforce.extensions import db
    from workforce.models.asye import AsyeEnrolment
    from workforce.reports.sql import count_when

    spans = _spans_table(keys)
    query = (
        select(spans.c.i, func.count(), count_when(AsyeEnrolment.outcome == "passed"))
        .select_from(AsyeEnrolment)
        .join(
            spans,
            and_(
                AsyeEnrolment.outcome_on >= spans.c.first,
                AsyeEnrolment.outcome_on <= spans.c.last,
            ),
        )
        .where(AsyeEnrolment.outcome.is_not(None))
        .group_by(spans.c.i)
    )
    return {
        key: (_int(rows[0][0]), _int(rows[0][1]))
        for key, rows in _by_period(keys, db.session.execute(query)).items()
    }


@calculation(
    "asye-completion",
    label="ASYE completed successfully",
    description=(
        "Of the ASYE enrolments whose outcome is dated in the period (passed, failed, "
        "deferred or withdrawn), the share that passed; enrolments still under way are left "
        "out. None when no outcome is dated in the period."
    ),
    unit="percent",
)
def asye_completion(spans: Sequence[Span], argument: str | None) -> list[Decimal | None]:
    """Passed over all outcomes dated in the period."""
    from workforce.metrics.training import rate

    periods = _flows(spans)
    counted = _counted("asye outcomes", [p for p in periods if p], _asye_outcomes)
    out: list[Decimal | None] = []
    for p in periods:
        outcomes, passed = (counted.get(p) or (0, 0)) if p else (0, 0)
        out.append(None if p is None else _percent(rate(passed, outcomes)))
    return out


def _asye_retention(days: list[date]) -> dict[date, Decimal | None]:
    """On each day, the ASYE cohort dashboard's one-year retention (``retention_rows`` of
    ``workforce.reports.asye``): of the enrolments started by the day that passed by it and
    whose first anniversary of passing has come, the share whose person held a post (any
    spell) on that anniversary. Two queries for every day: those who passed by the last
    day, and their spells."""
    from sqlalchemy import select

    from workforce.extensions import db
    from workforce.metrics.supervision import add_months
    from workforce.metrics.training import rate
    from workforce.models import EmploymentSpell
    from workforce.models.asye import AsyeEnrolment
    from workforce.reports.sql import as_date

    last = max(days)
    passed_by = (
        select(AsyeEnrolment.staff_id, AsyeEnrolment.start_date, AsyeEnrolment.outcome_on)
        .where(
            AsyeEnrolment.start_date <= last,
            AsyeEnrolment.outcome == "passed",
            AsyeEnrolment.outcome_on <= last,
        )
        .subquery("passed_by")
    )
    passed = [
        (staff_id, as_date(started), as_date(outcome_on))
        for staff_id, started, outcome_on in db.session.execute(select(passed_by))
    ]
    spells: dict[int, list[tuple[date, date | None]]] = defaultdict(list)
    if passed:
        query = select(
            EmploymentSpell.staff_id, EmploymentSpell.start_date, EmploymentSpell.end_date
        ).where(EmploymentSpell.staff_id.in_(select(passed_by.c.staff_id)))
        for staff_id, start, end in db.session.execute(query):
            spells[staff_id].append((as_date(start), as_date(end)))
    out: dict[date, Decimal | None] = {}
    for day in days:
        eligible = retained = 0
        for staff_id, started, outcome_on in passed:
            if started > day or outcome_on > day:
                continue
            anniversary = add_months(outcome_on, 12)
            if anniversary > day:
                continue
            eligible += 1
            retained += any(
                s <= anniversary and (e is None or e >= anniversary) for s, e in spells[staff_id]
            )
        out[day] = rate(retained, eligible)
    return out


@calculation(
    "asye-retention",
    label="Retention one year after passing the ASYE",
    description=(
        "Standing on the period's last day (today, while the period is under way): of the "
        "social workers who passed the ASYE and whose first anniversary of passing has come "
        "by that day, the share who held a post on that anniversary: the ASYE cohort "
        "dashboard's 'Retention one year after passing (%)'. None when nobody has reached "
        "the anniversary."
    ),
    unit="percent",
)
def asye_retention(spans: Sequence[Span], argument: str | None) -> list[Decimal | None]:
    """The ASYE cohort dashboard's one-year retention on the last day, counted as the
    dashboard's retention rows count it (without the rest of the dashboard)."""
    days = _stocks(spans)
    counted = _counted("asye retention", [d for d in days if d], _asye_retention)
    return [None if day is None else _percent(counted[day]) for day in days]


# --- turnover (the DfE census definitions) --------------------------------------------------


def _turnover_counts(keys: list[Span]) -> dict[Span, dict[str, Any]]:
    """Per period, as the turnover report counts them (``workforce.reports.turnover``): the
    non-agency FTE in post at the end, the FTE of the non-agency roles ended in it by
    leaving, and of the people in post a year before the end, those still in post at it.
    Sums of FTE are added up per team and role as the report adds them."""
    from sqlalchemy import Date, and_, exists, func, literal, or_, select, union_all
    from sqlalchemy.orm import aliased

    from workforce.extensions import db
    from workforce.metrics.turnover import add_years
    from workforce.models import EmploymentSpell
    from workforce.reports.sql import as_decimal, count_when, shift_days
    from workforce.reports.turnover import AGENCY, in_stock

    selects = [
        select(
            literal(index).label("i"),
            literal(first, Date).label("first"),
            literal(last, Date).label("last"),
            literal(add_years(last, -1), Date).label("year_before"),
        )
        for index, (first, last) in enumerate(keys)
    ]
    periods = (selects[0] if len(selects) == 1 else union_all(*selects)).subquery("periods")
    s = EmploymentSpell

    def in_scope(spell: Any) -> Any:
        return and_(spell.org_role.is_not(None), spell.contract_type != AGENCY)

    other = aliased(EmploymentSpell, name="successor")
    has_successor = exists().where(
        other.staff_id == s.staff_id,
        other.id != s.id,
        in_scope(other),
        other.start_date <= shift_days(s.end_date, 1),
        or_(other.end_date.is_(None), other.end_date > s.end_date),
    )
    figures: dict[Span, dict[str, Any]] = {
        key: {"fte": Decimal(0), "leavers_fte": Decimal(0), "year_before": 0, "still": 0}
        for key in keys
    }
    in_post = (
        select(periods.c.i, s.team_id, s.org_role, func.sum(s.fte))
        .select_from(s)
        .join(periods, in_stock(s, periods.c.last))
        .where(in_scope(s))
        .group_by(periods.c.i, s.team_id, s.org_role)
    )
    for index, _team, _role, fte in db.session.execute(in_post):
        figures[keys[int(index)]]["fte"] += as_decimal(fte)
    leavers = (
        select(periods.c.i, s.team_id, s.org_role, func.sum(s.fte))
        .select_from(s)
        .join(periods, s.end_date.between(periods.c.first, periods.c.last))
        .where(in_scope(s), ~has_successor)
        .group_by(periods.c.i, s.team_id, s.org_role)
    )
    for index, _team, _role, fte in db.session.execute(leavers):
        figures[keys[int(index)]]["leavers_fte"] += as_decimal(fte)
    later = aliased(EmploymentSpell, name="still")
    still = exists().where(
        later.staff_id == s.staff_id, in_scope(later), in_stock(later, periods.c.last)
    )
    people = (
        select(periods.c.i, s.staff_id, func.max(_when(still, 1)).label("still"))
        .select_from(s)
        .join(periods, in_stock(s, periods.c.year_before))
        .where(in_scope(s))
        .group_by(periods.c.i, s.staff_id)
        .subquery("year_before")
    )
    stability = select(people.c.i, func.count(), count_when(people.c.still == 1)).group_by(
        people.c.i
    )
    for index, before, kept in db.session.execute(stability):
        figures[keys[int(index)]]["year_before"] = _int(before)
        figures[keys[int(index)]]["still"] = _int(kept)
    return figures


def _turnover(spans: Sequence[Span], figure: str) -> list[Decimal | None]:
    from workforce.metrics.turnover import published_rate, turnover_rate

    periods = _flows(spans)
    counted = _counted("turnover", [p for p in periods if p], _turnover_counts)
    out: list[Decimal | None] = []
    for p in periods:
        if p is None:
            out.append(None)
            continue
        found = counted[p]
        if figure == "turnover":
            out.append(_percent(turnover_rate(found["leavers_fte"], found["fte"])))
        else:
            before = found["year_before"]
            out.append(_percent(published_rate(found["still"], before) if before else None))
    return out


@calculation(
    "sw-turnover",
    label="Social worker turnover",
    description=(
        "The DfE census turnover rate of child and family social workers over the period: "
        "the FTE of non-agency leavers in the period (the FTE of the roles ended; moves "
        "within the authority are not leaves) over the non-agency FTE in post on its last "
        "day, as the turnover report gives it (one decimal place). The DfE publishes it for "
        "the census year (1 October to 30 September); a shorter period is not annualised. "
        "None with nobody in post."
    ),
    unit="percent",
)
def sw_turnover(spans: Sequence[Span], argument: str | None) -> list[Decimal | None]:
    """The turnover report's turnover rate (FTE) for the period."""
    return _turnover(spans, "turnover")


@calculation(
    "sw-stability",
    label="Social worker stability",
    description=(
        "Child and family social workers (non-agency) in post a year before the period's "
        "last day who are still in post on it, over those in post a year before: the "
        "turnover report's 'Stability' (one decimal place). It depends only on the last "
        "day. None with nobody in post a year before."
    ),
    unit="percent",
)
def sw_stability(spans: Sequence[Span], argument: str | None) -> list[Decimal | None]:
    """The turnover report's stability rate for the period."""
    return _turnover(spans, "stability")


# --- caseload -------------------------------------------------------------------------------


def _caseload_tallies(days: list[date]) -> dict[date, dict[str, Any]]:
    """On each day, the caseload report's team figures, from its trend query (each day's
    workers judged in the database by the report's rules), one query for every day."""
    from workforce.reports.caseload import WINDOW_DAYS, trend_figures

    found = trend_figures(
        [(index, day - timedelta(days=WINDOW_DAYS), day) for index, day in enumerate(days)]
    )
    return {day: found.get(index) for index, day in enumerate(days)}


def _caseload(spans: Sequence[Span], figure: str) -> list[Decimal | None]:
    days = _stocks(spans)
    counted = _counted("caseload", [d for d in days if d], _caseload_tallies)
    out: list[Decimal | None] = []
    for day in days:
        tally = counted.get(day) if day else None
        if day is None or tally is None:
            out.append(None)
        elif figure == "average":
            out.append(_decimal(tally["average_caseload"]))
        else:
            out.append(_percent(tally["within_rate"]))
    return out


@calculation(
    "caseload-within-desired",
    label="Social workers within the desired caseload",
    description=(
        "Standing on the period's last day (today, while the period is under way): workers in "
        "post whose latest caseload snapshot (taken in the 45 days up to that day) puts their "
        "weighted utilisation in a band within the desired level, over the workers with a "
        "capacity under a weighting scheme: the caseload report's 'Within the desired level "
        "(%)'. None without any such worker."
    ),
    unit="percent",
)
def caseload_within_desired(spans: Sequence[Span], argument: str | None) -> list[Decimal | None]:
    """The caseload report's within-desired rate on the last day."""
    return _caseload(spans, "within")


@calculation(
    "average-caseload",
    label="Average caseload",
    description=(
        "Standing on the period's last day (today, while the period is under way): cases held "
        "by the workers in post with a caseload snapshot in the 45 days up to that day, over "
        "the FTE of those holding at least one case (the DfE census caseload, one decimal "
        "place): the caseload report's 'Average cases per case-holding FTE'. None without "
        "case holders."
    ),
    unit="number",
)
def average_caseload(spans: Sequence[Span], argument: str | None) -> list[Decimal | None]:
    """The caseload report's average cases per case-holding FTE on the last day."""
    return _caseload(spans, "average")
