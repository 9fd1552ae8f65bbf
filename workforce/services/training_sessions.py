"""Training sessions, bookings, the waiting list and attendance registers.

Times: ``TrainingSession.starts_at`` and ``ends_at`` are naive wall-clock times in
Europe/London (what the officer typed); :func:`local_now` is "now" on the same clock, and
the calendar download converts them to UTC.

Rules, enforced here rather than in the views:

- A session never holds more booked places than its capacity. A booking made when the
  session is full goes on the waiting list. The count is taken again after locking the
  session (``SELECT ... FOR UPDATE`` on PostgreSQL; on SQLite a no-op write takes the
  database's single write lock), so two officers booking the last place at once cannot
  both get it.
- When a booked place frees (a booking is cancelled, or capacity is raised) the first
  people on the waiting list, in the order they asked, are moved into the free places.
- Bookings are only made on scheduled sessions; registers are never marked on cancelled
  sessions, nor for anyone whose booking is not a booked place.
- Marking a register completes the session when it has ended and every booked place has
  a mark.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, TypeVar

from sqlalchemy import Select, case, exists, func, or_, select, update
from sqlalchemy.orm import joinedload

from workforce.clock import LONDON, local_now
from workforce.extensions import db
from workforce.models import Booking, Course, Staff, TrainingSession, Venue
from workforce.models._base import utcnow
from workforce.models.training import ATTENDANCE, SESSION_STATUSES
from workforce.services import ServiceError

MAX_CAPACITY = 100_000
T = TypeVar("T")


# --- pure rules -------------------------------------------------------------------------


def status_for_new_booking(capacity: int, booked: int) -> str:
    """'booked' while a place is free, otherwise 'waiting'."""
    return "booked" if booked < capacity else "waiting"


def places_left(capacity: int, booked: int) -> int:
    """Free places (never negative)."""
    return max(0, capacity - booked)


def to_promote(capacity: int, booked: int, waiting: Sequence[T]) -> list[T]:
    """Who moves from the waiting list (already in the order they asked) into free places."""
    return list(waiting[: places_left(capacity, booked)])


def capacity_problem(capacity: int | None, booked: int) -> str | None:
    """Why ``capacity`` will not do for a session with ``booked`` places taken, or None."""
    if capacity is None or capacity < 1:
        return "Capacity must be at least 1"
    if capacity > MAX_CAPACITY:
        return f"Capacity must be at most {MAX_CAPACITY:,}"
    if capacity < booked:
        return (
            f"{booked} people are booked, so capacity cannot be less than {booked}. "
            "Cancel bookings first"
        )
    return None


def parse_clock(text: str) -> time | None:
    """A time of day from "9:30", "09:30", "9.30", "0930", "14:00", "9am" or "2:15pm";
    None if it is not one."""
    value = text.strip().lower().replace(" ", "")
    suffix = ""
    if value.endswith(("am", "pm")):
        value, suffix = value[:-2], value[-2:]
    value = value.replace(".", ":")
    if ":" not in value and value.isdigit() and len(value) in (3, 4) and not suffix:
        value = f"{value[:-2]}:{value[-2:]}"
    hours_text, _, minutes_text = value.partition(":")
    if not hours_text.isdigit() or (minutes_text and not minutes_text.isdigit()):
        return None
    if minutes_text and len(minutes_text) != 2:
        return None
    hours, minutes = int(hours_text), int(minutes_text or 0)
    if not minutes_text and not suffix:
        return None
    if suffix:
        if not 1 <= hours <= 12:
            return None
        hours = hours % 12 + (12 if suffix == "pm" else 0)
    if hours > 23 or minutes > 59:
        return None
    return time(hours, minutes)


def clock(value: datetime | time) -> str:
    """A time the GOV.UK way: 9am, 9:30am, midday, 5:15pm, midnight."""
    if value.hour == 12 and value.minute == 0:
        return "midday"
    if value.hour == 0 and value.minute == 0:
        return "midnight"
    hour = value.hour % 12 or 12
    minutes = f":{value.minute:02d}" if value.minute else ""
    return f"{hour}{minutes}{'am' if value.hour < 12 else 'pm'}"


#: Words accepted for each attendance code (codes and labels too), lower-cased.
ATTENDANCE_WORDS: dict[str, str] = {
    **{code: code for code in ATTENDANCE},
    **{label.lower(): code for code, label in ATTENDANCE.items()},
    "did not attend": "did_not_attend",
    "dna": "did_not_attend",
    "absent": "did_not_attend",
    "partly": "partial",
    "partial attendance": "partial",
    "present": "attended",
}


def parse_attendance(text: str) -> str:
    """An attendance code from a code, label or common word; ValueError if not one."""
    key = " ".join(text.strip().lower().replace("-", " ").split())
    code = ATTENDANCE_WORDS.get(key) or ATTENDANCE_WORDS.get(key.replace(" ", "_"))
    if code is None:
        raise ValueError("must be attended, partial or did_not_attend")
    return code


# --- the calendar file (RFC 5545) ---------------------------------------------------------


def ical_escape(text: str) -> str:
    """Escape a TEXT value: backslash, semicolon, comma and newlines."""
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\r", "\\n")
        .replace("\n", "\\n")
    )


def ical_fold(line: str) -> str:
    """Fold a content line into pieces of at most 75 octets, joined by CRLF and a space."""
    pieces: list[str] = []
    current = ""
    size = 0
    limit = 75
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            pieces.append(current)
            current, size, limit = "", 0, 74  # continuation lines start with a space
        current += char
        size += width
    pieces.append(current)
    return "\r\n ".join(pieces)


def ical_utc(local: datetime) -> str:
    """A Europe/London wall-clock time as an RFC 5545 UTC date-time (…Z)."""
    aware = local.replace(tzinfo=LONDON) if local.tzinfo is None else local
    return aware.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def session_location(session: TrainingSession) -> str:
    """Venue name, its address and any detail, on one line."""
    parts: list[str] = []
    if session.venue is not None:
        parts.append(session.venue.name)
        if session.venue.address:
            parts.append(", ".join(p.strip() for p in session.venue.address.splitlines() if p))
    if session.location_detail:
        parts.append(session.location_detail)
    return ", ".join(parts)


def session_calendar(session: TrainingSession, uid_domain: str, url: str, stamp: datetime) -> str:
    """An iCalendar file with one VEVENT for ``session``, lines ending CRLF."""
    description = [session.course.title]
    if session.course.description:
        description.append(session.course.description.strip())
    if session.trainer:
        description.append(f"Trainer: {session.trainer}")
    if session.status == "cancelled" and session.cancellation_reason:
        description.append(f"Cancelled: {session.cancellation_reason}")
    description.append(url)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Workforce//Training sessions//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:training-session-{session.id}@{uid_domain}",
        f"DTSTAMP:{stamp.astimezone(UTC).strftime('%Y%m%dT%H%M%SZ')}",
        f"DTSTART:{ical_utc(session.starts_at)}",
        f"DTEND:{ical_utc(session.ends_at)}",
        f"SUMMARY:{ical_escape(session.course.title)}",
    ]
    location = session_location(session)
    if location:
        lines.append(f"LOCATION:{ical_escape(location)}")
    lines += [
        f"DESCRIPTION:{ical_escape(chr(10).join(description))}",
        f"URL:{url}",
        "STATUS:" + ("CANCELLED" if session.status == "cancelled" else "CONFIRMED"),
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "".join(ical_fold(line) + "\r\n" for line in lines)


# --- queries ----------------------------------------------------------------------------


def _places_with_status(status: str) -> Any:
    """SQL: how many bookings on the session in the row have ``status`` (a correlated
    count, so a page of sessions counts only its own bookings)."""
    return (
        select(func.count(Booking.id))
        .where(Booking.session_id == TrainingSession.id, Booking.status == status)
        .correlate(TrainingSession)
        .scalar_subquery()
    )


@dataclass
class SessionFilters:
    """What a list of sessions is narrowed to."""

    course_id: int | None = None
    #: The first day of a month.
    month: date | None = None
    past: bool = False


def session_list_query(filters: SessionFilters, now: datetime | None = None) -> Select[Any]:
    """Rows of (session, booked, waiting).

    Upcoming: scheduled sessions that have not ended, soonest first. Past: sessions that
    have ended (any status), latest first.
    """
    now = now or local_now()
    booked = _places_with_status("booked").label("booked")
    waiting = _places_with_status("waiting").label("waiting")
    query = select(TrainingSession, booked, waiting).options(
        joinedload(TrainingSession.course), joinedload(TrainingSession.venue)
    )
    if filters.past:
        query = query.where(TrainingSession.ends_at < now).order_by(
            TrainingSession.starts_at.desc(), TrainingSession.id.desc()
        )
    else:
        query = query.where(
            TrainingSession.status == "scheduled", TrainingSession.ends_at >= now
        ).order_by(TrainingSession.starts_at, TrainingSession.id)
    if filters.course_id:
        query = query.where(TrainingSession.course_id == filters.course_id)
    if filters.month:
        first = datetime.combine(filters.month.replace(day=1), time())
        following = (first + timedelta(days=32)).replace(day=1)
        query = query.where(
            TrainingSession.starts_at >= first, TrainingSession.starts_at < following
        )
    return query


@dataclass
class PlaceCounts:
    """Places on one session."""

    capacity: int
    booked: int
    waiting: int
    cancelled: int

    @property
    def left(self) -> int:
        """Free places."""
        return places_left(self.capacity, self.booked)


def place_counts(session: TrainingSession) -> PlaceCounts:
    """How many are booked, waiting and cancelled on ``session``."""
    rows = dict(
        db.session.execute(
            select(Booking.status, func.count())
            .where(Booking.session_id == session.id)
            .group_by(Booking.status)
        ).all()
    )
    return PlaceCounts(
        capacity=session.capacity,
        booked=rows.get("booked", 0),
        waiting=rows.get("waiting", 0),
        cancelled=rows.get("cancelled", 0),
    )


def session_bookings(session: TrainingSession, condition: Any = True) -> dict[str, list[Booking]]:
    """The session's bookings by status ('booked' by name, 'waiting' in the order they asked,
    'cancelled' latest first), limited to the people ``condition`` (on ``Staff``) allows."""
    bookings = db.session.scalars(
        select(Booking)
        .join(Staff, Staff.id == Booking.staff_id)
        .where(Booking.session_id == session.id, condition)
        .options(joinedload(Booking.staff))
        .order_by(Booking.requested_at, Booking.id)
    ).all()
    grouped: dict[str, list[Booking]] = {"booked": [], "waiting": [], "cancelled": []}
    for booking in bookings:
        grouped.setdefault(booking.status, []).append(booking)
    grouped["booked"].sort(key=lambda b: (b.staff.last_name.lower(), b.staff.first_name.lower()))
    grouped["cancelled"].sort(key=lambda b: b.cancelled_at or b.requested_at, reverse=True)
    return grouped


def own_booking_statuses(staff_id: int | None, session_ids: Sequence[int]) -> dict[int, str]:
    """The status of ``staff_id``'s booking on each of ``session_ids`` that has one."""
    if staff_id is None or not session_ids:
        return {}
    return dict(
        db.session.execute(
            select(Booking.session_id, Booking.status).where(
                Booking.staff_id == staff_id, Booking.session_id.in_(list(session_ids))
            )
        ).all()
    )


def course_choices(include_id: int | None = None) -> list[tuple[str, str]]:
    """Active courses by title (plus ``include_id``, the session's own course, if inactive)."""
    rows = db.session.execute(
        select(Course.id, Course.title, Course.active)
        .where(or_(Course.active.is_(True), Course.id == (include_id or -1)))
        .order_by(func.lower(Course.title))
    ).all()
    return [(str(i), title if active else f"{title} (inactive)") for i, title, active in rows]


def all_course_choices() -> list[tuple[str, str]]:
    """Every course that has a session, by title (for filtering lists)."""
    rows = db.session.execute(
        select(Course.id, Course.title)
        .where(exists().where(TrainingSession.course_id == Course.id))
        .order_by(func.lower(Course.title))
    ).all()
    return [(str(i), title) for i, title in rows]


def venue_choices(include_id: int | None = None) -> list[tuple[str, str]]:
    """Active venues by name (plus ``include_id``, the session's own venue, if inactive)."""
    rows = db.session.execute(
        select(Venue.id, Venue.name, Venue.active)
        .where(or_(Venue.active.is_(True), Venue.id == (include_id or -1)))
        .order_by(func.lower(Venue.name))
    ).all()
    return [(str(i), name if active else f"{name} (inactive)") for i, name, active in rows]


# --- sessions ---------------------------------------------------------------------------


@dataclass
class SessionDetails:
    """What an officer enters for a session."""

    course_id: int | None
    day: date | None
    start: time | None
    end: time | None
    capacity: int | None
    venue_id: int | None = None
    location_detail: str | None = None
    trainer: str | None = None
    status: str = "scheduled"


def _check_details(details: SessionDetails, session: TrainingSession | None) -> None:
    if not details.course_id:
        raise ServiceError("Select a course", field="course_id")
    course = db.session.get(Course, details.course_id)
    if course is None:
        raise ServiceError("Select a course", field="course_id")
    if not course.active and (session is None or session.course_id != course.id):
        raise ServiceError("That course is no longer offered", field="course_id")
    if details.venue_id:
        venue = db.session.get(Venue, details.venue_id)
        if venue is None:
            raise ServiceError("Select a venue", field="venue_id")
        if not venue.active and (session is None or session.venue_id != venue.id):
            raise ServiceError("That venue is no longer in use", field="venue_id")
    if details.day is None:
        raise ServiceError("Enter the date of the session", field="day")
    if details.start is None:
        raise ServiceError("Enter the start time", field="start")
    if details.end is None:
        raise ServiceError("Enter the end time", field="end")
    if details.end <= details.start:
        raise ServiceError("The end time must be after the start time", field="end")
    for name, limit in (("location_detail", 200), ("trainer", 200)):
        value = getattr(details, name)
        if value and len(value) > limit:
            raise ServiceError(f"Use {limit} characters or fewer", field=name)
    if details.status not in SESSION_STATUSES:
        raise ServiceError("Select a status", field="status")


def _apply_details(session: TrainingSession, details: SessionDetails) -> None:
    session.course_id = details.course_id  # type: ignore[assignment]
    session.starts_at = datetime.combine(details.day, details.start)  # type: ignore[arg-type]
    session.ends_at = datetime.combine(details.day, details.end)  # type: ignore[arg-type]
    session.venue_id = details.venue_id or None
    session.location_detail = (details.location_detail or "").strip() or None
    session.trainer = (details.trainer or "").strip() or None
    session.capacity = details.capacity  # type: ignore[assignment]


def _check_completion(details: SessionDetails, now: datetime) -> None:
    ends = datetime.combine(details.day, details.end)  # type: ignore[arg-type]
    if details.status == "completed" and ends > now:
        raise ServiceError("A session can only be completed once it has ended", field="status")


def create_session(details: SessionDetails) -> TrainingSession:
    """Schedule a session (or record one that has happened, as completed)."""
    _check_details(details, None)
    if details.status == "cancelled":
        raise ServiceError("A new session cannot be cancelled", field="status")
    _check_completion(details, local_now())
    if problem := capacity_problem(details.capacity, 0):
        raise ServiceError(problem, field="capacity")
    session = TrainingSession(status=details.status)
    _apply_details(session, details)
    db.session.add(session)
    db.session.flush()
    return session


def _lock(session: TrainingSession) -> None:
    """Hold the session against concurrent bookings until the transaction ends, and reload it."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(
            select(TrainingSession)
            .where(TrainingSession.id == session.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).scalar_one()
    else:
        # SQLite has one writer at a time: a write takes that lock for the transaction.
        db.session.execute(
            update(TrainingSession.__table__)
            .where(TrainingSession.__table__.c.id == session.id)
            .values(id=TrainingSession.__table__.c.id)
        )
        db.session.refresh(session)


def _booked_count(session_id: int) -> int:
    return (
        db.session.scalar(
            select(func.count()).where(Booking.session_id == session_id, Booking.status == "booked")
        )
        or 0
    )


def _fill_places(session: TrainingSession) -> list[Booking]:
    """Move people from the waiting list into free places, first asked first served."""
    booked = _booked_count(session.id)
    free = places_left(session.capacity, booked)
    if not free or session.status != "scheduled":
        return []
    waiting = db.session.scalars(
        select(Booking)
        .where(Booking.session_id == session.id, Booking.status == "waiting")
        .order_by(Booking.requested_at, Booking.id)
        .limit(free)
    ).all()
    promoted = to_promote(session.capacity, booked, waiting)
    for booking in promoted:
        booking.status = "booked"
    db.session.flush()
    return promoted


def update_session(session: TrainingSession, details: SessionDetails) -> list[Booking]:
    """Change a session; return anyone moved off the waiting list by a larger capacity.

    Cancelling goes through :func:`cancel_session` (it needs a reason). A cancelled
    session can be reinstated by setting it back to scheduled.
    """
    _lock(session)
    _check_details(details, session)
    if details.status == "cancelled" and session.status != "cancelled":
        raise ServiceError("Use 'Cancel session' to cancel a session", field="status")
    _check_completion(details, local_now())
    if problem := capacity_problem(details.capacity, _booked_count(session.id)):
        raise ServiceError(problem, field="capacity")
    _apply_details(session, details)
    if details.status != session.status:
        session.status = details.status
        if details.status != "cancelled":
            session.cancellation_reason = None
    db.session.flush()
    return _fill_places(session)


def cancel_session(session: TrainingSession, reason: str) -> None:
    """Cancel a session. Its bookings are kept, so reinstating it restores them."""
    _lock(session)
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("Enter the reason for cancelling the session", field="reason")
    if session.status == "cancelled":
        raise ServiceError("This session is already cancelled", field="reason")
    marked = db.session.scalar(
        select(func.count()).where(
            Booking.session_id == session.id, Booking.attendance.is_not(None)
        )
    )
    if marked:
        raise ServiceError(
            "Attendance has been recorded for this session, so it cannot be cancelled",
            field="reason",
        )
    session.status = "cancelled"
    session.cancellation_reason = reason
    db.session.flush()


# --- bookings ---------------------------------------------------------------------------


def _employed_on(staff: Staff, on: date) -> bool:
    return any(s.end_date is None or s.end_date >= on for s in staff.spells)


def book(session: TrainingSession, staff: Staff) -> Booking:
    """Book ``staff`` onto ``session``: a place if one is free, else the waiting list.

    Someone whose booking was cancelled can be booked again (at the back of any queue).
    """
    _lock(session)
    if session.status != "scheduled":
        raise ServiceError(
            f"This session is {SESSION_STATUSES[session.status].lower()}, so no one can be booked on it",
            field="staff_id",
        )
    if not _employed_on(staff, session.starts_at.date()):
        raise ServiceError(
            f"{staff.full_name} is not employed on the day of the session", field="staff_id"
        )
    booking = db.session.scalar(
        select(Booking).where(Booking.session_id == session.id, Booking.staff_id == staff.id)
    )
    if booking is not None and booking.status == "booked":
        raise ServiceError(f"{staff.full_name} is already booked on this session", field="staff_id")
    if booking is not None and booking.status == "waiting":
        raise ServiceError(
            f"{staff.full_name} is already on the waiting list for this session", field="staff_id"
        )
    status = status_for_new_booking(session.capacity, _booked_count(session.id))
    if booking is None:
        booking = Booking(session_id=session.id, staff_id=staff.id)
        db.session.add(booking)
    booking.status = status
    booking.requested_at = utcnow()
    booking.cancelled_at = None
    booking.cancellation_reason = None
    booking.attendance = None
    db.session.flush()
    return booking


def cancel_booking(booking: Booking, reason: str) -> Booking | None:
    """Cancel a place or a place on the waiting list; return who was promoted into it."""
    session = booking.session
    _lock(session)
    db.session.refresh(booking)
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("Enter the reason for cancelling", field="reason")
    if booking.status == "cancelled":
        raise ServiceError("This booking is already cancelled", field="reason")
    if session.status != "scheduled":
        raise ServiceError(
            f"This session is {SESSION_STATUSES[session.status].lower()}; its bookings cannot change",
            field="reason",
        )
    if booking.attendance is not None:
        raise ServiceError(
            "Attendance has been recorded for this booking; clear it on the register first",
            field="reason",
        )
    freed = booking.status == "booked"
    booking.status = "cancelled"
    booking.cancelled_at = utcnow()
    booking.cancellation_reason = reason
    db.session.flush()
    if not freed:
        return None
    promoted = _fill_places(session)
    return promoted[0] if promoted else None


# --- the register -----------------------------------------------------------------------


def complete_if_done(session: TrainingSession, now: datetime | None = None) -> bool:
    """Complete a scheduled session that has ended once every booked place has a mark."""
    return session.id in complete_sessions_if_done([session.id], now)


def complete_sessions_if_done(ids: Sequence[int], now: datetime | None = None) -> list[int]:
    """Complete each of the scheduled sessions ``ids`` that has ended and has every booked
    place marked (and at least one); return the ids completed."""
    now = now or local_now()
    unique = sorted(set(ids))
    done: list[int] = []
    for start in range(0, len(unique), 900):
        chunk = unique[start : start + 900]
        marked = func.sum(case((Booking.attendance.is_not(None), 1), else_=0))
        ready = db.session.scalars(
            select(TrainingSession)
            .join(Booking, Booking.session_id == TrainingSession.id)
            .where(
                TrainingSession.id.in_(chunk),
                TrainingSession.status == "scheduled",
                TrainingSession.ends_at <= now,
                Booking.status == "booked",
            )
            .group_by(TrainingSession.id)
            .having(marked == func.count(Booking.id))
        ).all()
        for session in ready:
            session.status = "completed"
            done.append(session.id)
    db.session.flush()
    return sorted(done)


def _refuse_cancelled(session: TrainingSession) -> None:
    if session.status == "cancelled":
        raise ServiceError(
            "This session was cancelled, so attendance cannot be recorded", field="register"
        )


@dataclass
class RegisterResult:
    """What marking a register did."""

    changed: int
    completed: bool


def mark_register(session: TrainingSession, marks: Mapping[int, str | None]) -> RegisterResult:
    """Record attendance by booking id (None clears a mark). Every mark is checked first."""
    _refuse_cancelled(session)
    bookings = {
        b.id: b
        for b in db.session.scalars(
            select(Booking)
            .where(Booking.session_id == session.id, Booking.id.in_(list(marks) or [-1]))
            .options(joinedload(Booking.staff))
        )
    }
    for booking_id, value in marks.items():
        booking = bookings.get(booking_id)
        if booking is None:
            raise ServiceError("That person is not booked on this session", field="register")
        if booking.status != "booked":
            where = "on the waiting list" if booking.status == "waiting" else "cancelled"
            raise ServiceError(
                f"{booking.staff.full_name} is not booked on this session (their booking is {where})",
                field="register",
            )
        if value is not None and value not in ATTENDANCE:
            raise ServiceError(
                "Choose attended, partly attended or did not attend", field="register"
            )
    changed = 0
    for booking_id, value in marks.items():
        booking = bookings[booking_id]
        if booking.attendance != value:
            booking.attendance = value
            changed += 1
    db.session.flush()
    return RegisterResult(changed=changed, completed=complete_if_done(session))


def mark_all_attended(session: TrainingSession) -> RegisterResult:
    """Mark every booked place attended."""
    _refuse_cancelled(session)
    ids = db.session.scalars(
        select(Booking.id).where(Booking.session_id == session.id, Booking.status == "booked")
    ).all()
    if not ids:
        raise ServiceError("No one is booked on this session", field="register")
    return mark_register(session, dict.fromkeys(ids, "attended"))
