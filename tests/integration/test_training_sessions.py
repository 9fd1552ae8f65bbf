"""The sessions service: scheduling, bookings, the waiting list and registers, on the database."""

from __future__ import annotations

import itertools
import threading
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select

from tests import builders
from workforce.extensions import db
from workforce.models import AuditEvent, Booking, Course, TrainingSession, Venue
from workforce.services import ServiceError
from workforce.services import training_sessions as service
from workforce.services.training_sessions import SessionDetails, SessionFilters

_titles = itertools.count(1)


def make_course(title: str | None = None, **values: Any) -> Course:
    course = Course(
        title=title or f"Signs of Safety {next(_titles)}",
        provider=values.pop("provider", "in_house"),
        delivery_mode=values.pop("delivery_mode", "face_to_face"),
        cpd_hours=values.pop("cpd_hours", Decimal("6")),
        cost_per_place=values.pop("cost_per_place", Decimal("0")),
        active=values.pop("active", True),
        **values,
    )
    db.session.add(course)
    db.session.commit()
    return course


def make_session(
    course: Course | None = None,
    *,
    days: int = 7,
    capacity: int = 3,
    status: str = "scheduled",
    hours: int = 3,
    **values: Any,
) -> TrainingSession:
    """A session starting ``days`` from now (negative: in the past) at 09:30."""
    course = course or make_course()
    start = datetime.combine(service.local_now().date() + timedelta(days=days), time(9, 30))
    session = TrainingSession(
        course_id=course.id,
        starts_at=start,
        ends_at=start + timedelta(hours=hours),
        capacity=capacity,
        status=status,
        **values,
    )
    db.session.add(session)
    db.session.commit()
    return session


def details(course: Course, **values: Any) -> SessionDetails:
    defaults: dict[str, Any] = {
        "course_id": course.id,
        "day": date.today() + timedelta(days=14),
        "start": time(9, 30),
        "end": time(16, 0),
        "capacity": 12,
    }
    defaults.update(values)
    return SessionDetails(**defaults)


def book(session: TrainingSession, staff: Any) -> Booking:
    booking = service.book(session, staff)
    db.session.commit()
    return booking


def statuses(session: TrainingSession) -> dict[str, str]:
    db.session.expire_all()
    return {
        b.staff.staff_number: b.status
        for b in db.session.scalars(select(Booking).where(Booking.session_id == session.id))
    }


@pytest.fixture
def people(db_session: Any) -> list[Any]:
    team = builders.make_team("Learning team")
    return [builders.make_staff(team, staff_number=f"P{n}") for n in range(1, 7)]


# --------------------------------------------------------------------------- scheduling


def test_create_session_stores_local_times_and_details(db_session):
    course = make_course()
    venue = Venue(name="Learning House, Lincoln", address="1 High Street\nLincoln", active=True)
    db_session.add(venue)
    db_session.commit()
    session = service.create_session(
        details(
            course,
            venue_id=venue.id,
            location_detail="  Room 2 ",
            trainer="A. Trainer",
            day=date(2030, 6, 3),
        )
    )
    db_session.commit()
    assert session.starts_at == datetime(2030, 6, 3, 9, 30)
    assert session.ends_at == datetime(2030, 6, 3, 16, 0)
    assert (session.venue_id, session.location_detail, session.trainer) == (
        venue.id,
        "Room 2",
        "A. Trainer",
    )
    assert (session.capacity, session.status) == (12, "scheduled")
    assert (
        service.session_location(session)
        == "Learning House, Lincoln, 1 High Street, Lincoln, Room 2"
    )
    created = db_session.scalars(
        select(AuditEvent).where(AuditEvent.entity_type == "TrainingSession")
    ).one()
    assert created.action == "create"


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"end": time(9, 0)}, "end", "The end time must be after the start time"),
        ({"end": time(9, 30)}, "end", "The end time must be after the start time"),
        ({"capacity": 0}, "capacity", "Capacity must be at least 1"),
        ({"capacity": None}, "capacity", "Capacity must be at least 1"),
        ({"course_id": None}, "course_id", "Select a course"),
        ({"course_id": 999999}, "course_id", "Select a course"),
        ({"venue_id": 999999}, "venue_id", "Select a venue"),
        ({"status": "cancelled"}, "status", "A new session cannot be cancelled"),
        ({"status": "completed"}, "status", "A session can only be completed once it has ended"),
    ],
)
def test_create_session_refuses_bad_details(db_session, values, field, message):
    course = make_course()
    with pytest.raises(ServiceError) as raised:
        service.create_session(details(course, **values))
    assert (raised.value.field, raised.value.message) == (field, message)
    db_session.rollback()
    assert db_session.scalar(select(func.count()).select_from(TrainingSession)) == 0


def test_inactive_courses_cannot_be_scheduled_but_existing_sessions_keep_them(db_session):
    old = make_course("Old course", active=False)
    with pytest.raises(ServiceError, match="no longer offered"):
        service.create_session(details(old))
    db_session.rollback()
    session = make_session(old)
    service.update_session(session, details(old, trainer="New trainer"))
    db_session.commit()
    assert session.trainer == "New trainer"
    assert [label for _, label in service.course_choices()] == []
    assert service.course_choices(old.id) == [(str(old.id), "Old course (inactive)")]


def test_a_past_session_can_be_recorded_as_completed(db_session):
    course = make_course()
    session = service.create_session(
        details(course, day=date.today() - timedelta(days=3), status="completed")
    )
    assert session.status == "completed"


def test_capacity_cannot_drop_below_the_number_booked(db_session, people):
    session = make_session(capacity=3)
    for person in people[:3]:
        book(session, person)
    with pytest.raises(ServiceError) as raised:
        service.update_session(session, details(session.course, capacity=2))
    assert raised.value.field == "capacity"
    assert "3 people are booked" in raised.value.message
    db_session.rollback()
    db_session.refresh(session)
    assert session.capacity == 3


def test_raising_capacity_moves_the_waiting_list_into_the_new_places(db_session, people):
    session = make_session(capacity=2)
    for person in people[:5]:
        book(session, person)
    promoted = service.update_session(
        session, details(session.course, capacity=4, day=session.starts_at.date())
    )
    db_session.commit()
    assert [b.staff.staff_number for b in promoted] == ["P3", "P4"]
    assert statuses(session) == {
        "P1": "booked",
        "P2": "booked",
        "P3": "booked",
        "P4": "booked",
        "P5": "waiting",
    }


def test_completing_needs_the_session_to_have_ended(db_session):
    session = make_session(days=2)
    with pytest.raises(ServiceError, match="once it has ended"):
        service.update_session(
            session, details(session.course, day=session.starts_at.date(), status="completed")
        )
    db_session.rollback()
    past = make_session(days=-2)
    service.update_session(
        past, details(past.course, day=past.starts_at.date(), status="completed")
    )
    assert past.status == "completed"


def test_cancelling_needs_a_reason_keeps_bookings_and_can_be_undone(db_session, people):
    session = make_session(capacity=1)
    book(session, people[0])
    book(session, people[1])
    with pytest.raises(ServiceError, match="Enter the reason"):
        service.cancel_session(session, "   ")
    db_session.rollback()
    with pytest.raises(ServiceError, match="Use 'Cancel session'"):
        service.update_session(
            session, details(session.course, day=session.starts_at.date(), status="cancelled")
        )
    db_session.rollback()
    service.cancel_session(session, "Trainer unwell")
    db_session.commit()
    assert (session.status, session.cancellation_reason) == ("cancelled", "Trainer unwell")
    assert statuses(session) == {"P1": "booked", "P2": "waiting"}
    with pytest.raises(ServiceError, match="already cancelled"):
        service.cancel_session(session, "again")
    db_session.rollback()
    service.update_session(
        session, details(session.course, day=session.starts_at.date(), capacity=1)
    )
    db_session.commit()
    assert (session.status, session.cancellation_reason) == ("scheduled", None)


def test_a_session_with_attendance_recorded_cannot_be_cancelled(db_session, people):
    session = make_session(days=-1)
    booking = book(session, people[0])
    service.mark_register(session, {booking.id: "attended"})
    db_session.commit()
    with pytest.raises(ServiceError, match="Attendance has been recorded"):
        service.cancel_session(session, "Mistake")


# --------------------------------------------------------------------------- bookings


def test_three_places_four_people_one_waits(db_session, people):
    session = make_session(capacity=3)
    results = [book(session, person).status for person in people[:4]]
    assert results == ["booked", "booked", "booked", "waiting"]
    counts = service.place_counts(session)
    assert (counts.booked, counts.waiting, counts.left) == (3, 1, 0)


def test_never_over_capacity(db_session, people):
    session = make_session(capacity=2)
    for person in people:
        book(session, person)
    booked = db_session.scalar(
        select(func.count()).where(Booking.session_id == session.id, Booking.status == "booked")
    )
    waiting = db_session.scalar(
        select(func.count()).where(Booking.session_id == session.id, Booking.status == "waiting")
    )
    assert (booked, waiting) == (2, 4)


def test_booking_the_same_person_twice_is_refused(db_session, people):
    session = make_session(capacity=1)
    book(session, people[0])
    book(session, people[1])
    with pytest.raises(ServiceError) as raised:
        service.book(session, people[0])
    assert raised.value.message == f"{people[0].full_name} is already booked on this session"
    db_session.rollback()
    with pytest.raises(ServiceError) as raised:
        service.book(session, people[1])
    assert raised.value.message == (
        f"{people[1].full_name} is already on the waiting list for this session"
    )
    db_session.rollback()
    assert db_session.scalar(select(func.count()).select_from(Booking)) == 2


@pytest.mark.parametrize("status", ["cancelled", "completed"])
def test_booking_onto_a_session_that_is_not_scheduled_is_refused(db_session, people, status):
    session = make_session(days=-3, status=status)
    with pytest.raises(ServiceError, match=f"This session is {status}"):
        service.book(session, people[0])
    db_session.rollback()
    assert db_session.scalar(select(func.count()).select_from(Booking)) == 0


def test_a_leaver_cannot_be_booked(db_session):
    team = builders.make_team()
    leaver = builders.make_staff(
        team, start=date(2019, 1, 1), end=date.today() - timedelta(days=30), leaving_reason="1"
    )
    session = make_session()
    with pytest.raises(ServiceError, match="is not employed on the day of the session"):
        service.book(session, leaver)


def test_cancelling_a_place_promotes_the_first_to_ask(db_session, people):
    session = make_session(capacity=2)
    first, second, late, early = (book(session, p) for p in people[:4])
    assert (late.status, early.status) == ("waiting", "waiting")
    # the waiting list is served in the order people asked, whatever the row order
    late.requested_at = datetime(2030, 1, 2, tzinfo=UTC)
    early.requested_at = datetime(2030, 1, 1, tzinfo=UTC)
    db_session.commit()
    promoted = service.cancel_booking(first, "On leave")
    db_session.commit()
    assert promoted is not None and promoted.id == early.id
    assert statuses(session) == {"P1": "cancelled", "P2": "booked", "P3": "waiting", "P4": "booked"}
    db_session.refresh(first)
    assert first.cancellation_reason == "On leave"
    assert first.cancelled_at is not None


def test_cancelling_a_waiting_place_promotes_no_one(db_session, people):
    session = make_session(capacity=1)
    book(session, people[0])
    waiting = book(session, people[1])
    book(session, people[2])
    assert service.cancel_booking(waiting, "No longer needed") is None
    db_session.commit()
    assert statuses(session) == {"P1": "booked", "P2": "cancelled", "P3": "waiting"}


def test_cancelling_needs_a_reason_and_not_twice(db_session, people):
    session = make_session()
    booking = book(session, people[0])
    with pytest.raises(ServiceError, match="Enter the reason"):
        service.cancel_booking(booking, "")
    db_session.rollback()
    service.cancel_booking(booking, "Sick")
    db_session.commit()
    with pytest.raises(ServiceError, match="already cancelled"):
        service.cancel_booking(booking, "Sick")


def test_a_cancelled_booking_can_be_made_again_at_the_back_of_the_queue(db_session, people):
    session = make_session(capacity=1)
    first = book(session, people[0])
    service.cancel_booking(first, "Clash")
    db_session.commit()
    book(session, people[1])
    again = book(session, people[0])
    assert again.id == first.id
    assert (again.status, again.cancellation_reason, again.cancelled_at) == ("waiting", None, None)


def test_concurrent_bookings_for_the_last_place_never_overbook(app, db_session, people):
    session = make_session(capacity=3)
    for person in people[:2]:
        book(session, person)
    session_id = session.id
    ids = [p.id for p in people[2:6]]
    barrier = threading.Barrier(len(ids))
    outcomes: list[str] = []
    problems: list[BaseException] = []

    def worker(staff_id: int) -> None:
        try:
            with app.app_context():
                from workforce.models import Staff

                target = db.session.get(TrainingSession, session_id)
                person = db.session.get(Staff, staff_id)
                person.spells  # noqa: B018  (load before racing)
                barrier.wait(timeout=10)
                booking = service.book(target, person)
                db.session.commit()
                outcomes.append(booking.status)
                db.session.remove()
        except BaseException as error:  # noqa: BLE001
            problems.append(error)

    threads = [threading.Thread(target=worker, args=(i,)) for i in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert problems == []
    assert sorted(outcomes) == ["booked", "waiting", "waiting", "waiting"]
    db_session.expire_all()
    assert service.place_counts(db_session.get(TrainingSession, session_id)).booked == 3


# --------------------------------------------------------------------------- registers


def test_mark_register_records_and_clears_marks(db_session, people):
    session = make_session(days=3)
    a, b, c = (book(session, p) for p in people[:3])
    result = service.mark_register(session, {a.id: "attended", b.id: "partial", c.id: None})
    db_session.commit()
    assert (result.changed, result.completed) == (2, False)  # not ended yet
    db_session.expire_all()
    assert [x.attendance for x in (a, b, c)] == ["attended", "partial", None]
    result = service.mark_register(session, {a.id: None, c.id: "did_not_attend"})
    db_session.commit()
    assert result.changed == 2
    db_session.expire_all()
    assert [x.attendance for x in (a, b, c)] == [None, "partial", "did_not_attend"]


def test_mark_all_attended_marks_every_booked_place_and_completes_an_ended_session(
    db_session, people
):
    session = make_session(days=-1, capacity=2)
    a, b, waiting = (book(session, p) for p in people[:3])
    service.mark_register(session, {a.id: "did_not_attend"})
    result = service.mark_all_attended(session)
    db_session.commit()
    assert (result.changed, result.completed) == (2, True)
    db_session.expire_all()
    assert (a.attendance, b.attendance, waiting.attendance) == ("attended", "attended", None)
    assert session.status == "completed"


def test_an_ended_session_completes_only_when_everyone_booked_is_marked(db_session, people):
    session = make_session(days=-1)
    a, b = (book(session, p) for p in people[:2])
    assert service.mark_register(session, {a.id: "attended"}).completed is False
    assert session.status == "scheduled"
    assert service.mark_register(session, {b.id: "did_not_attend"}).completed is True
    assert session.status == "completed"


def test_marking_a_cancelled_session_is_refused(db_session, people):
    session = make_session()
    booking = book(session, people[0])
    service.cancel_session(session, "Venue flooded")
    db_session.commit()
    for mark in (
        lambda: service.mark_register(session, {booking.id: "attended"}),
        lambda: service.mark_all_attended(session),
    ):
        with pytest.raises(ServiceError) as raised:
            mark()
        assert (
            raised.value.message == "This session was cancelled, so attendance cannot be recorded"
        )
        db_session.rollback()
    db_session.refresh(booking)
    assert booking.attendance is None


def test_marking_someone_not_booked_is_refused_and_nothing_changes(db_session, people):
    session = make_session(capacity=1)
    booked = book(session, people[0])
    waiting = book(session, people[1])
    other = book(make_session(make_course("Other course")), people[2])
    with pytest.raises(ServiceError) as raised:
        service.mark_register(session, {booked.id: "attended", waiting.id: "attended"})
    assert raised.value.message == (
        f"{people[1].full_name} is not booked on this session (their booking is on the waiting list)"
    )
    db_session.rollback()
    with pytest.raises(ServiceError, match="not booked on this session"):
        service.mark_register(session, {other.id: "attended"})
    db_session.rollback()
    db_session.expire_all()
    assert booked.attendance is None
    assert other.attendance is None


def test_mark_all_with_no_one_booked_says_so(db_session):
    with pytest.raises(ServiceError, match="No one is booked"):
        service.mark_all_attended(make_session())


# --------------------------------------------------------------------------- lists


def test_upcoming_list_is_scheduled_sessions_in_date_order_with_places(db_session, people):
    course, other = make_course("Course A"), make_course("Course B")
    later = make_session(course, days=20, capacity=5)
    sooner = make_session(other, days=5, capacity=1)
    make_session(course, days=10, status="cancelled")
    past = make_session(course, days=-5, status="completed")
    book(sooner, people[0])
    book(sooner, people[1])
    rows = db_session.execute(service.session_list_query(SessionFilters())).all()
    assert [(s.id, booked, waiting) for s, booked, waiting in rows] == [
        (sooner.id, 1, 1),
        (later.id, 0, 0),
    ]
    by_course = db_session.execute(service.session_list_query(SessionFilters(course_id=other.id)))
    assert [row[0].id for row in by_course] == [sooner.id]
    month = later.starts_at.date().replace(day=1)
    in_month = db_session.execute(service.session_list_query(SessionFilters(month=month))).all()
    assert later.id in [row[0].id for row in in_month]
    assert all(row[0].starts_at.date().replace(day=1) == month for row in in_month)
    past_rows = db_session.execute(service.session_list_query(SessionFilters(past=True))).all()
    assert [row[0].id for row in past_rows] == [past.id]
