"""Evaluations of sessions by the people who attended them, and the follow-up question on
impact to their supervisors some months later.

Who may fill in an evaluation: the attendee (signed in, their account linked to the staff
record booked), or an L&D officer typing a paper form. One evaluation per booking. An
attendee may change their own evaluation for ``ATTENDEE_EDIT_DAYS`` days after first
submitting it; after that (and for paper forms) only an L&D officer may change it.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, and_, exists, func, or_, select
from sqlalchemy.orm import contains_eager, selectinload

from workforce.clock import local_now
from workforce.extensions import db
from workforce.metrics.evaluation import (
    EvaluationSummary,
    Ratings,
    follow_up_due_on,
    is_valid_rating,
    summarise,
)
from workforce.models import (
    Booking,
    Course,
    EmploymentSpell,
    Evaluation,
    ImpactFollowUp,
    Staff,
    TrainingSession,
    User,
)
from workforce.models._base import utcnow
from workforce.models.training import PRACTICE_CHANGED
from workforce.services import ServiceError

#: Days after first submitting it that an attendee may still change their evaluation.
ATTENDEE_EDIT_DAYS = 14
#: A follow-up unanswered this many days after it fell due is shown as overdue.
OVERDUE_AFTER_DAYS = 28
#: A follow-up that fell due longer ago than this is not created: too late to ask.
STALE_AFTER_DAYS = 365
#: The longest follow-up interval a course may have (months), to bound the search.
LONGEST_FOLLOW_UP_MONTHS = 36
#: Attendance that lets someone evaluate a session (and earns a follow-up).
EVALUABLE_ATTENDANCE = ("attended", "partial")
RATING_FIELDS: dict[str, str] = {
    "overall": "Overall rating",
    "relevance": "Relevance to your work",
    "confidence_before": "Confidence before the session",
    "confidence_after": "Confidence after the session",
}
MAX_TEXT = 5000
_CHUNK = 500


def _as_utc(moment: datetime) -> datetime:
    """SQLite returns stored UTC times without a zone; say what they are."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


# --- evaluations ---------------------------------------------------------------------------


@dataclass
class EvaluationDetails:
    """What an evaluation form holds."""

    overall: int | None
    relevance: int | None
    confidence_before: int | None
    confidence_after: int | None
    will_do_differently: str | None = None
    comments: str | None = None


def evaluation_problem(booking: Booking, now: datetime | None = None) -> str | None:
    """Why ``booking`` cannot be evaluated (yet), or None when it can.

    ``now`` is London time without a zone, as session times are stored.
    """
    now = now or local_now()
    session = booking.session
    if session.status == "cancelled":
        return "This session was cancelled, so it cannot be evaluated"
    if booking.status != "booked" or booking.attendance not in EVALUABLE_ATTENDANCE:
        return "Only people who attended or partly attended a session can evaluate it"
    if session.ends_at > now:
        return "This session has not ended yet. Evaluate it after it finishes."
    return None


def is_attendee(user: User, booking: Booking) -> bool:
    """Whether ``user`` is the person booked."""
    return user.staff_id is not None and user.staff_id == booking.staff_id


def is_officer(user: User) -> bool:
    """Whether ``user`` may enter and correct anyone's evaluation (L&D officers, admins)."""
    return user.has_role("ld_officer")


def attendee_may_change(evaluation: Evaluation, at: datetime | None = None) -> bool:
    """Whether the attendee may still change their own evaluation."""
    if evaluation.source != "self" or evaluation.created_at is None:
        return False
    at = at or utcnow()
    return _as_utc(at) <= _as_utc(evaluation.created_at) + timedelta(days=ATTENDEE_EDIT_DAYS)


def may_edit_evaluation(user: User, booking: Booking, at: datetime | None = None) -> bool:
    """Whether ``user`` may fill in (or change) the evaluation of ``booking`` now."""
    if is_officer(user):
        return True
    if not is_attendee(user, booking):
        return False
    return booking.evaluation is None or attendee_may_change(booking.evaluation, at)


def _text(value: str | None, label: str, field_name: str) -> str | None:
    text = (value or "").strip()
    if len(text) > MAX_TEXT:
        raise ServiceError(f"{label} must be {MAX_TEXT:,} characters or fewer", field=field_name)
    return text or None


def save_evaluation(
    booking: Booking, details: EvaluationDetails, user: User, now: datetime | None = None
) -> Evaluation:
    """Record or change the evaluation of ``booking``.

    The attendee's own is marked "self"; one an officer enters for someone else is marked
    "paper" with the officer as the person who entered it.
    """
    problem = evaluation_problem(booking, now)
    if problem:
        raise ServiceError(problem)
    attendee, officer = is_attendee(user, booking), is_officer(user)
    if not (attendee or officer):
        raise ServiceError("You can only evaluate sessions you attended")
    evaluation = booking.evaluation
    if evaluation is not None and not officer and not attendee_may_change(evaluation):
        raise ServiceError(
            "This evaluation can no longer be changed. Ask the learning and development team "
            "if something in it is wrong."
        )
    values: dict[str, Any] = {}
    for name, label in RATING_FIELDS.items():
        value = getattr(details, name)
        if not is_valid_rating(value):
            raise ServiceError(f"{label}: choose a rating from 1 to 5", field=name)
        values[name] = value
    values["will_do_differently"] = _text(
        details.will_do_differently, "What you will do differently", "will_do_differently"
    )
    values["comments"] = _text(details.comments, "Comments", "comments")
    if evaluation is None:
        evaluation = Evaluation(
            booking=booking,
            source="self" if attendee else "paper",
            entered_by_user_id=user.id,
            **values,
        )
        db.session.add(evaluation)
    else:
        for name, value in values.items():
            if getattr(evaluation, name) != value:
                setattr(evaluation, name, value)
    db.session.flush()
    return evaluation


def _attended() -> Any:
    return (Booking.status == "booked") & Booking.attendance.in_(EVALUABLE_ATTENDANCE)


def sessions_to_evaluate(staff_id: int, now: datetime | None = None) -> list[Booking]:
    """The person's attended sessions that have ended and that they have not evaluated."""
    now = now or local_now()
    query = (
        select(Booking)
        .join(Booking.session)
        .join(TrainingSession.course)
        .outerjoin(Evaluation, Evaluation.booking_id == Booking.id)
        .options(contains_eager(Booking.session).contains_eager(TrainingSession.course))
        .where(
            Booking.staff_id == staff_id,
            _attended(),
            TrainingSession.status != "cancelled",
            TrainingSession.ends_at <= now,
            Evaluation.id.is_(None),
        )
        .order_by(TrainingSession.starts_at.desc())
    )
    return list(db.session.scalars(query))


def _unevaluated_place(session: Any = TrainingSession) -> Any:
    """SQL: the session in the row has a place attended without an evaluation.

    Asked as "the first such place is there" (a subquery with LIMIT 1) rather than EXISTS:
    the database then stops at the session's first place not evaluated, where it would
    turn EXISTS into a join that reads every place of every session.
    """
    first_missing = (
        select(Booking.id)
        .where(
            Booking.session_id == session.id,
            _attended(),
            ~exists().where(Evaluation.booking_id == Booking.id),
        )
        .correlate(session)
        .limit(1)
        .scalar_subquery()
    )
    return first_missing.is_not(None)


def evaluation_worklist_query(
    now: datetime | None = None, q: str = "", outstanding_only: bool = False
) -> Select[Any]:
    """Rows of (session, course title, attended, evaluated) for sessions that have ended
    and had someone attend.

    The two counts are correlated subqueries, so a page of sessions counts only its own
    places (and counting the rows counts none); "outstanding" asks only whether one place
    attended has no evaluation.
    """
    now = now or local_now()
    attended = (
        select(func.count(Booking.id))
        .where(Booking.session_id == TrainingSession.id, _attended())
        .correlate(TrainingSession)
        .scalar_subquery()
    )
    evaluated = (
        select(func.count(Evaluation.id))
        .join(Booking, Booking.id == Evaluation.booking_id)
        .where(Booking.session_id == TrainingSession.id, _attended())
        .correlate(TrainingSession)
        .scalar_subquery()
    )
    query = (
        select(
            TrainingSession, Course.title, attended.label("attended"), evaluated.label("evaluated")
        )
        .join(Course, Course.id == TrainingSession.course_id)
        .where(TrainingSession.ends_at <= now, TrainingSession.status != "cancelled")
    )
    if q.strip():
        query = query.where(func.lower(Course.title).contains(q.strip().lower(), autoescape=True))
    if outstanding_only:
        query = query.where(_unevaluated_place())
    else:
        query = query.where(exists().where(Booking.session_id == TrainingSession.id, _attended()))
    return query.order_by(TrainingSession.starts_at.desc(), TrainingSession.id)


def session_attendees(session: TrainingSession) -> list[Booking]:
    """Bookings on ``session`` that attended or partly attended, by name."""
    query = (
        select(Booking)
        .join(Staff, Staff.id == Booking.staff_id)
        .options(contains_eager(Booking.staff), selectinload(Booking.evaluation))
        .where(Booking.session_id == session.id, _attended())
        .order_by(Staff.last_name, Staff.first_name, Staff.id)
    )
    return list(db.session.scalars(query))


def course_evaluation_summary(course_id: int) -> EvaluationSummary:
    """What the evaluations of every session of a course say."""
    rows = db.session.execute(
        select(
            Evaluation.overall,
            Evaluation.relevance,
            Evaluation.confidence_before,
            Evaluation.confidence_after,
        )
        .join(Booking, Booking.id == Evaluation.booking_id)
        .join(TrainingSession, TrainingSession.id == Booking.session_id)
        .where(TrainingSession.course_id == course_id)
    ).all()
    return summarise(Ratings(*row) for row in rows)


# --- impact follow-ups ----------------------------------------------------------------------


def _line_managers_on(wanted: Iterable[tuple[int, date]]) -> dict[tuple[int, date], int | None]:
    """The line manager of each person's spell in force on the date (the latest started,
    where two overlap), for (staff id, date) pairs."""
    pairs = set(wanted)
    staff_ids = sorted({staff_id for staff_id, _ in pairs})
    spells: dict[int, list[tuple[date, date | None, int, int | None]]] = {}
    for start in range(0, len(staff_ids), _CHUNK):
        chunk = staff_ids[start : start + _CHUNK]
        for row in db.session.execute(
            select(
                EmploymentSpell.staff_id,
                EmploymentSpell.start_date,
                EmploymentSpell.end_date,
                EmploymentSpell.id,
                EmploymentSpell.line_manager_id,
            ).where(EmploymentSpell.staff_id.in_(chunk))
        ):
            spells.setdefault(row.staff_id, []).append(
                (row.start_date, row.end_date, row.id, row.line_manager_id)
            )
    result: dict[tuple[int, date], int | None] = {}
    for staff_id, on in pairs:
        in_force = [
            s for s in spells.get(staff_id, []) if s[0] <= on and (s[1] is None or s[1] >= on)
        ]
        result[(staff_id, on)] = max(in_force, key=lambda s: (s[0], s[2]))[3] if in_force else None
    return result


def _months_before(day: date, months: int) -> date:
    """``day`` moved back ``months`` calendar months, kept within the target month."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def _ended_between(months: int, oldest_due: date, latest_due: date) -> tuple[date, date]:
    """The first and last day a session can end for its follow-up, ``months`` later, to
    fall due from ``oldest_due`` to ``latest_due`` (the due date never goes down as the
    end date goes up, so the days between are exactly those)."""
    one_day = timedelta(days=1)
    first = _months_before(oldest_due, months)
    while follow_up_due_on(first, months) >= oldest_due:
        first -= one_day
    while follow_up_due_on(first, months) < oldest_due:
        first += one_day
    last = _months_before(latest_due, months)
    while follow_up_due_on(last, months) <= latest_due:
        last += one_day
    while follow_up_due_on(last, months) > latest_due:
        last -= one_day
    return first, last


def schedule_impact_follow_ups(today: date | None = None) -> int:
    """Create the follow-ups that have fallen due; return how many were created.

    Each attended (or partly attended) booking on a session that was not cancelled, whose
    course has an impact follow-up interval, gets one follow-up due that many months after
    the session ended. It is created once due, addressed to the line manager of the
    attendee's spell in force on the due date (none if they had no spell then). Running it
    again creates nothing new. A follow-up that fell due more than ``STALE_AFTER_DAYS`` ago
    (historical records loaded late, say) is not created: it is too late to ask.
    """
    today = today or date.today()
    end_of_today = datetime.combine(today + timedelta(days=1), time.min)
    oldest_due = today - timedelta(days=STALE_AFTER_DAYS)
    earliest_end = datetime.combine(
        oldest_due - timedelta(days=31 * LONGEST_FOLLOW_UP_MONTHS + 1), time.min
    )
    intervals = db.session.scalars(
        select(Course.impact_follow_up_months).where(Course.impact_follow_up_months > 0).distinct()
    ).all()
    if not intervals:
        return 0
    # Only sessions whose follow-up falls due in the window: for each interval, those that
    # ended in the days it maps into the window (most places already have their follow-up).
    windows = {months: _ended_between(months, oldest_due, today) for months in intervals}
    first = datetime.combine(min(lo for lo, _ in windows.values()), time.min)
    after = datetime.combine(max(hi for _, hi in windows.values()) + timedelta(days=1), time.min)
    rows = db.session.execute(
        select(
            Booking.id,
            Booking.staff_id,
            TrainingSession.ends_at,
            Course.impact_follow_up_months,
        )
        .join(TrainingSession, TrainingSession.id == Booking.session_id)
        .join(Course, Course.id == TrainingSession.course_id)
        .where(
            ~exists().where(ImpactFollowUp.booking_id == Booking.id),
            _attended(),
            TrainingSession.status != "cancelled",
            TrainingSession.ends_at < end_of_today,
            TrainingSession.ends_at >= earliest_end,
            TrainingSession.ends_at >= first,
            TrainingSession.ends_at < after,
            or_(
                *(
                    and_(
                        Course.impact_follow_up_months == months,
                        TrainingSession.ends_at >= datetime.combine(lo, time.min),
                        TrainingSession.ends_at
                        < datetime.combine(hi + timedelta(days=1), time.min),
                    )
                    for months, (lo, hi) in windows.items()
                )
            ),
        )
    ).all()
    due = [
        (booking_id, staff_id, follow_up_due_on(ends_at.date(), months))
        for booking_id, staff_id, ends_at, months in rows
    ]
    due = [item for item in due if oldest_due <= item[2] <= today]
    if not due:
        return 0
    managers = _line_managers_on((staff_id, due_on) for _, staff_id, due_on in due)
    for booking_id, staff_id, due_on in due:
        db.session.add(
            ImpactFollowUp(
                booking_id=booking_id,
                due_on=due_on,
                supervisor_staff_id=managers[(staff_id, due_on)],
            )
        )
    db.session.flush()
    return len(due)


def may_answer_follow_up(user: User, follow_up: ImpactFollowUp) -> bool:
    """The named supervisor, an L&D officer or an admin may answer."""
    if is_officer(user):
        return True
    return user.staff_id is not None and user.staff_id == follow_up.supervisor_staff_id


FOLLOW_UP_SCOPES = {"mine": "Due to me", "all": "Everyone's"}
FOLLOW_UP_STATES = {"due": "Waiting for an answer", "answered": "Answered"}


def follow_ups_query(
    user: User, scope: str = "mine", state: str = "due", today: date | None = None
) -> Select[Any]:
    """Follow-ups that have fallen due, for the user to answer or read.

    Supervisors see those addressed to them; L&D officers and admins may see everyone's.
    """
    today = today or date.today()
    # Every follow-up has its booking, session, course and person (required keys), so
    # outer joins give the same rows; they let the database skip the joins when counting.
    query = (
        select(ImpactFollowUp)
        .outerjoin(ImpactFollowUp.booking)
        .outerjoin(Booking.session)
        .outerjoin(TrainingSession.course)
        .outerjoin(Staff, Staff.id == Booking.staff_id)
        .options(
            contains_eager(ImpactFollowUp.booking)
            .contains_eager(Booking.session)
            .contains_eager(TrainingSession.course),
            contains_eager(ImpactFollowUp.booking).contains_eager(Booking.staff),
        )
        .where(ImpactFollowUp.due_on <= today)
    )
    if scope == "all" and is_officer(user):
        # Everyone's list names each supervisor: load them together, not one by one.
        query = query.options(selectinload(ImpactFollowUp.supervisor))
    else:
        query = query.where(ImpactFollowUp.supervisor_staff_id == (user.staff_id or -1))
    if state == "answered":
        query = query.where(ImpactFollowUp.responded_at.is_not(None)).order_by(
            ImpactFollowUp.responded_at.desc(), ImpactFollowUp.id.desc()
        )
    else:
        query = query.where(ImpactFollowUp.responded_at.is_(None)).order_by(
            ImpactFollowUp.due_on, Staff.last_name, ImpactFollowUp.id
        )
    return query


def count_rows(query: Select[Any]) -> int:
    """How many rows ``query`` returns."""
    return db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0


def is_overdue(follow_up: ImpactFollowUp, today: date | None = None) -> bool:
    """Unanswered more than ``OVERDUE_AFTER_DAYS`` after it fell due."""
    today = today or date.today()
    return follow_up.responded_at is None and (
        today > follow_up.due_on + timedelta(days=OVERDUE_AFTER_DAYS)
    )


def answer_follow_up(
    follow_up: ImpactFollowUp,
    practice_changed: str | None,
    example: str | None,
    user: User,
    today: date | None = None,
) -> ImpactFollowUp:
    """Record (or correct) the supervisor's answer: has practice changed, with an example."""
    today = today or date.today()
    if not may_answer_follow_up(user, follow_up):
        raise ServiceError("Only the attendee's supervisor can answer this follow-up")
    if follow_up.due_on > today:
        raise ServiceError(f"This follow-up is not due until {follow_up.due_on:%d/%m/%Y}")
    if practice_changed not in PRACTICE_CHANGED:
        raise ServiceError("Select whether practice has changed", field="practice_changed")
    text = _text(example, "The example", "example")
    if practice_changed in ("yes", "partly") and not text:
        raise ServiceError("Give an example of how practice has changed", field="example")
    follow_up.practice_changed = practice_changed
    follow_up.example = text
    follow_up.responded_at = utcnow()
    follow_up.responded_by_user_id = user.id
    db.session.flush()
    return follow_up
