"""Session pages through the browser's eyes: lists, scheduling, bookings, registers, the
calendar file, and who may do what."""

from __future__ import annotations

import html
import itertools
import re
from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select

from tests import builders
from workforce.extensions import db
from workforce.models import Booking, Course, TrainingSession, Venue
from workforce.services import training_sessions as service

ROLES = ("admin", "hr", "ld_officer", "supervisor", "practitioner", "senior_leader")
OFFICERS = {"admin", "ld_officer"}
_titles = itertools.count(1)


def make_course(title: str | None = None, **values: Any) -> Course:
    course = Course(
        title=title or f"Restorative practice {next(_titles)}",
        provider="in_house",
        delivery_mode="face_to_face",
        cpd_hours=Decimal("3"),
        cost_per_place=Decimal("0"),
        active=values.pop("active", True),
        **values,
    )
    db.session.add(course)
    db.session.commit()
    return course


def make_session(
    course: Course | None = None, *, days: int = 7, capacity: int = 3, **values: Any
) -> TrainingSession:
    course = course or make_course()
    start = datetime.combine(service.local_now().date() + timedelta(days=days), time(9, 30))
    session = TrainingSession(
        course_id=course.id,
        starts_at=start,
        ends_at=start + timedelta(hours=values.pop("hours", 3)),
        capacity=capacity,
        status=values.pop("status", "scheduled"),
        **values,
    )
    db.session.add(session)
    db.session.commit()
    return session


def book(session: TrainingSession, *people: Any) -> list[Booking]:
    bookings = [service.book(session, person) for person in people]
    db.session.commit()
    return bookings


def text(response: Any) -> str:
    return response.get_data(as_text=True)


def flashes(response: Any) -> str:
    found = re.findall(r"govuk-notification-banner__heading\">([^<]*)<", text(response))
    return " ".join(" ".join(html.unescape(message).split()) for message in found)


@pytest.fixture
def world(db_session: Any) -> dict[str, Any]:
    team_a, team_b = builders.make_team("Team A"), builders.make_team("Team B")
    manager = builders.make_staff(team_a, first_name="Mona", last_name="Manager")
    report = builders.make_staff(team_a, manager=manager, first_name="Rory", last_name="Report")
    stranger = builders.make_staff(team_b, first_name="Stan", last_name="Stranger")
    extra = [
        builders.make_staff(team_b, first_name=f"Extra{n}", last_name="Person") for n in range(3)
    ]
    session = make_session(make_course("Signs of Safety"), capacity=3)
    return {
        "manager": manager,
        "report": report,
        "stranger": stranger,
        "extra": extra,
        "session": session,
    }


def sign_in(client: Any, role: str, world: dict[str, Any]) -> Any:
    # Supervisors are the manager; practitioners are the report.
    staff = {"supervisor": world["manager"], "practitioner": world["report"]}.get(role)
    user = builders.make_user(role, staff=staff)
    response = client.post("/login", data={"email": user.email, "password": builders.PASSWORD})
    assert response.status_code == 302
    return user


# --------------------------------------------------------------------------- permissions

OFFICER_PAGES = [
    "/training/sessions/new",
    "/training/sessions/{session}/edit",
    "/training/sessions/{session}/cancel",
    "/training/sessions/{session}/book",
    "/training/sessions/{session}/book?q=Stan",
    "/training/sessions/{session}/register",
    "/training/sessions/{session}/register/import",
    "/training/sessions/{session}/register/template.csv",
    "/training/bookings/{booking}/cancel",
]
EVERYONE_PAGES = [
    "/training/",
    "/training/?when=past",
    "/training/sessions/{session}",
    "/training/sessions/{session}/calendar.ics",
]
OFFICER_POSTS = [
    ("/training/sessions/new", {}),
    ("/training/sessions/{session}/edit", {}),
    ("/training/sessions/{session}/cancel", {"reason": "No"}),
    ("/training/sessions/{session}/bookings", {"staff_id": "{stranger}"}),
    ("/training/bookings/{booking}/cancel", {"reason": "No"}),
    ("/training/sessions/{session}/register", {"attendance-{booking}": "attended"}),
    ("/training/sessions/{session}/register/all", {}),
    ("/training/sessions/{session}/register/import", {}),
    ("/training/sessions/{session}/register/import/confirm", {"token": "0" * 32}),
]


def fill(template: str, world: dict[str, Any], booking: Booking) -> str:
    return template.format(
        session=world["session"].id, booking=booking.id, stranger=world["stranger"].id
    )


@pytest.mark.parametrize("role", ROLES)
def test_who_may_open_each_page(client, world, role):
    (booking,) = book(world["session"], world["report"])
    sign_in(client, role, world)
    for template in EVERYONE_PAGES:
        assert client.get(fill(template, world, booking)).status_code == 200, template
    for template in OFFICER_PAGES:
        response = client.get(fill(template, world, booking))
        assert response.status_code == (200 if role in OFFICERS else 403), template


@pytest.mark.parametrize("role", sorted(set(ROLES) - OFFICERS))
def test_other_roles_cannot_change_sessions_bookings_or_registers(client, world, role, db_session):
    (booking,) = book(world["session"], world["report"])
    sign_in(client, role, world)
    for template, data in OFFICER_POSTS:
        form = {fill(k, world, booking): fill(v, world, booking) for k, v in data.items()}
        response = client.post(fill(template, world, booking), data=form)
        assert response.status_code == 403, template
    db_session.expire_all()
    assert db_session.scalar(select(func.count()).select_from(Booking)) == 1
    assert db_session.get(Booking, booking.id).status == "booked"
    assert db_session.get(Booking, booking.id).attendance is None
    assert db_session.get(TrainingSession, world["session"].id).status == "scheduled"


def test_signed_out_users_are_sent_to_sign_in(client, world):
    for url in ("/training/", f"/training/sessions/{world['session'].id}"):
        response = client.get(url)
        assert response.status_code == 302
        assert "/login" in response.headers["Location"]


def test_missing_sessions_and_bookings_are_not_found(client, world):
    sign_in(client, "ld_officer", world)
    assert client.get("/training/sessions/999999").status_code == 404
    assert client.get("/training/sessions/999999/calendar.ics").status_code == 404
    assert client.get("/training/bookings/999999/cancel").status_code == 404
    assert (
        client.get(f"/training/sessions/{world['session'].id}/register/template.pdf").status_code
        == 404
    )


def test_who_sees_whose_bookings(client, world):
    session = world["session"]
    book(session, world["report"], world["stranger"], world["manager"], world["extra"][0])
    url = f"/training/sessions/{session.id}"

    sign_in(client, "practitioner", world)  # the report
    page = text(client.get(url))
    assert "You are booked on this session." in page
    assert "Stan Stranger" not in page
    assert "Mona Manager" not in page
    assert ">3<" in page  # booked count is public
    client.post("/logout")

    sign_in(client, "supervisor", world)  # the manager
    page = text(client.get(url))
    assert "Rory Report" in page  # someone they manage
    assert "Stan Stranger" not in page
    assert "You are booked on this session." in page
    client.post("/logout")

    sign_in(client, "hr", world)
    page = text(client.get(url))
    assert "Rory Report" not in page
    assert "Stan Stranger" not in page
    client.post("/logout")

    sign_in(client, "ld_officer", world)
    page = text(client.get(url))
    for name in ("Rory Report", "Stan Stranger", "Mona Manager", "Extra0 Person"):
        assert name in page
    assert "Waiting list" in page


# --------------------------------------------------------------------------- the upcoming list


def test_upcoming_sessions_in_date_order_with_places_left_and_filters(client, world, db_session):
    other = make_course("Solihull approach")
    later = make_session(other, days=40, capacity=10)
    soon = make_session(other, days=2, capacity=2)
    make_session(other, days=5, status="cancelled")
    gone = make_session(other, days=-10, status="completed")
    book(soon, world["report"], world["stranger"], world["manager"])
    book(world["session"], world["report"])
    sign_in(client, "practitioner", world)

    page = text(client.get("/training/"))
    assert "Schedule a session" not in page
    order = re.findall(r"/training/sessions/(\d+)\"", page)
    assert order == [str(soon.id), str(world["session"].id), str(later.id)]
    assert "Full" in page and "1 waiting" in page
    assert "2 of 3" in page  # world session: 1 booked of 3
    assert "10 of 10" in page
    assert "You are booked" in page
    assert "Past sessions" in page

    filtered = text(client.get(f"/training/?course={other.id}"))
    assert re.findall(r"/training/sessions/(\d+)\"", filtered) == [str(soon.id), str(later.id)]
    month = f"{later.starts_at:%Y-%m}"
    in_month = re.findall(
        r"/training/sessions/(\d+)\"", text(client.get(f"/training/?month={month}"))
    )
    assert str(later.id) in in_month
    assert all(
        db_session.get(TrainingSession, int(i)).starts_at.strftime("%Y-%m") == month
        for i in in_month
    )
    past = text(client.get("/training/?when=past"))
    assert re.findall(r"/training/sessions/(\d+)\"", past) == [str(gone.id)]


def test_the_list_is_paginated(client, world, app):
    course = make_course()
    size = app.config["PAGE_SIZE"]
    for n in range(size + 2):
        make_session(course, days=3 + n)
    sign_in(client, "practitioner", world)
    first = text(client.get(f"/training/?course={course.id}"))
    assert f"Showing 1 to {size} of {size + 2} sessions" in first
    second = text(client.get(f"/training/?course={course.id}&page=2"))
    assert f"Showing {size + 1} to {size + 2} of {size + 2} sessions" in second


def test_officers_see_schedule_a_session(client, world):
    sign_in(client, "ld_officer", world)
    assert "Schedule a session" in text(client.get("/training/"))


# --------------------------------------------------------------------------- scheduling


def session_form(course: Course, **values: Any) -> dict[str, Any]:
    day = service.local_now().date() + timedelta(days=21)
    data = {
        "course_id": str(course.id),
        "day": [str(day.day), str(day.month), str(day.year)],
        "start": "09:30",
        "end": "16:00",
        "venue_id": "",
        "location_detail": "",
        "trainer": "Pat Trainer",
        "capacity": "3",
        "status": "scheduled",
    }
    data.update(values)
    return data


def test_schedule_a_session(client, world, db_session):
    course = make_course("Family group conferencing")
    venue = Venue(name="Horncastle venue", active=True)
    db_session.add(venue)
    db_session.commit()
    sign_in(client, "ld_officer", world)
    form = text(client.get(f"/training/sessions/new?course={course.id}"))
    assert f'<option value="{course.id}" selected' in form
    response = client.post(
        "/training/sessions/new", data=session_form(course, venue_id=str(venue.id))
    )
    assert response.status_code == 302
    session = db_session.scalars(
        select(TrainingSession).where(TrainingSession.course_id == course.id)
    ).one()
    assert response.headers["Location"].endswith(f"/training/sessions/{session.id}")
    assert (session.starts_at.time(), session.ends_at.time()) == (time(9, 30), time(16, 0))
    assert (session.venue_id, session.capacity, session.trainer) == (venue.id, 3, "Pat Trainer")
    page = text(client.get(response.headers["Location"]))
    assert "Session scheduled." in page
    assert "9:30am to 4pm" in page
    assert "Horncastle venue" in page


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"end": "09:00"}, "The end time must be after the start time"),
        ({"capacity": "0"}, "Places must be at least 1"),
        ({"capacity": "lots"}, "Places must be a whole number"),
        ({"start": "half nine"}, "Enter the start time as hours and minutes, like 09:30"),
        ({"course_id": ""}, "Select a course"),
        ({"day": ["31", "2", "2031"]}, "Date must be a real date"),
    ],
)
def test_bad_session_details_show_the_error_summary_and_keep_input(
    client, world, values, message, db_session
):
    course = make_course()
    sign_in(client, "ld_officer", world)
    before = db_session.scalar(select(func.count()).select_from(TrainingSession))
    response = client.post("/training/sessions/new", data=session_form(course, **values))
    assert response.status_code == 200
    page = text(response)
    assert "govuk-error-summary" in page
    assert message in page
    assert 'value="Pat Trainer"' in page
    assert db_session.scalar(select(func.count()).select_from(TrainingSession)) == before


def test_capacity_below_bookings_is_refused_on_edit(client, world, db_session):
    session = world["session"]
    book(session, world["report"], world["stranger"])
    sign_in(client, "ld_officer", world)
    day = session.starts_at.date()
    data = session_form(
        session.course, capacity="1", day=[str(day.day), str(day.month), str(day.year)]
    )
    response = client.post(f"/training/sessions/{session.id}/edit", data=data)
    assert response.status_code == 200
    assert "2 people are booked, so capacity cannot be less than 2" in text(response)
    db_session.expire_all()
    assert db_session.get(TrainingSession, session.id).capacity == 3


def test_edit_form_shows_the_current_values(client, world):
    sign_in(client, "ld_officer", world)
    page = text(client.get(f"/training/sessions/{world['session'].id}/edit"))
    assert 'value="09:30"' in page
    assert 'value="12:30"' in page
    assert 'value="3"' in page


def test_cancel_a_session_with_a_reason_after_confirming(client, world, db_session):
    session = world["session"]
    sign_in(client, "ld_officer", world)
    page = text(client.get(f"/training/sessions/{session.id}/cancel"))
    assert "data-confirm=" in page
    missing = client.post(f"/training/sessions/{session.id}/cancel", data={"reason": ""})
    assert "Enter the reason for cancelling" in text(missing)
    done = client.post(f"/training/sessions/{session.id}/cancel", data={"reason": "Trainer ill"})
    assert done.status_code == 302
    db_session.expire_all()
    cancelled = db_session.get(TrainingSession, session.id)
    assert (cancelled.status, cancelled.cancellation_reason) == ("cancelled", "Trainer ill")
    detail = text(client.get(done.headers["Location"]))
    assert "This session was cancelled: Trainer ill" in detail
    assert str(session.id) not in re.findall(
        r"/training/sessions/(\d+)\"", text(client.get("/training/"))
    )


# --------------------------------------------------------------------------- bookings


def test_search_lists_current_staff_with_a_book_button(client, world):
    session = world["session"]
    book(session, world["report"])
    sign_in(client, "ld_officer", world)
    page = text(client.get(f"/training/sessions/{session.id}/book?q=report"))
    assert "Report, Rory" in page
    assert "Booked" in page  # already booked: a tag, no button
    assert f'name="staff_id" value="{world["report"].id}"' not in page
    by_number = text(
        client.get(f"/training/sessions/{session.id}/book?q={world['stranger'].staff_number}")
    )
    assert "Stranger, Stan" in by_number
    assert f'name="staff_id" value="{world["stranger"].id}"' in by_number
    nobody = text(client.get(f"/training/sessions/{session.id}/book?q=zzzz"))
    assert "No one in post matches" in nobody


def test_booking_four_into_three_places_puts_one_on_the_waiting_list(client, world, db_session):
    session = world["session"]
    sign_in(client, "ld_officer", world)
    people = [world["report"], world["stranger"], world["manager"], world["extra"][0]]
    messages = []
    for person in people:
        response = client.post(
            f"/training/sessions/{session.id}/bookings",
            data={"staff_id": person.id, "q": person.last_name},
        )
        assert response.status_code == 302
        assert f"q={person.last_name}" in response.headers["Location"]
        messages.append(flashes(client.get(response.headers["Location"])))
    assert messages[0] == "Rory Report is booked on this session."
    assert messages[3].startswith(
        "The session is full, so Extra0 Person is on the waiting list (number 1)"
    )
    db_session.expire_all()
    assert (
        db_session.scalar(
            select(func.count()).where(Booking.session_id == session.id, Booking.status == "booked")
        )
        == 3
    )
    detail = text(client.get(f"/training/sessions/{session.id}"))
    assert "Extra0 Person" in detail.split("Waiting list")[-1]


def test_booking_someone_twice_is_refused_with_a_message(client, world, db_session):
    session = world["session"]
    book(session, world["report"])
    sign_in(client, "ld_officer", world)
    response = client.post(
        f"/training/sessions/{session.id}/bookings",
        data={"staff_id": world["report"].id},
        follow_redirects=True,
    )
    assert "Rory Report is already booked on this session" in text(response)
    assert db_session.scalar(select(func.count()).select_from(Booking)) == 1


def test_booking_onto_a_cancelled_session_is_refused(client, world, db_session):
    session = world["session"]
    service.cancel_session(session, "Snow")
    db_session.commit()
    sign_in(client, "ld_officer", world)
    response = client.post(
        f"/training/sessions/{session.id}/bookings",
        data={"staff_id": world["report"].id},
        follow_redirects=True,
    )
    assert "This session is cancelled, so no one can be booked on it" in text(response)
    assert db_session.scalar(select(func.count()).select_from(Booking)) == 0


def test_cancelling_a_booking_promotes_the_first_waiting_and_says_so(client, world, db_session):
    session = world["session"]
    first, *_ = book(
        session,
        world["report"],
        world["stranger"],
        world["manager"],
        world["extra"][0],
        world["extra"][1],
    )
    sign_in(client, "ld_officer", world)
    page = text(client.get(f"/training/bookings/{first.id}/cancel"))
    assert "data-confirm=" in page
    missing = client.post(f"/training/bookings/{first.id}/cancel", data={"reason": ""})
    assert "Enter the reason for cancelling" in text(missing)
    response = client.post(f"/training/bookings/{first.id}/cancel", data={"reason": "Court"})
    assert response.status_code == 302
    message = flashes(client.get(response.headers["Location"]))
    assert message == (
        "Rory Report's booking has been cancelled. "
        "Extra0 Person has been moved from the waiting list into the place."
    )
    db_session.expire_all()
    statuses = {
        b.staff.first_name: b.status
        for b in db_session.scalars(select(Booking).where(Booking.session_id == session.id))
    }
    assert statuses == {
        "Rory": "cancelled",
        "Stan": "booked",
        "Mona": "booked",
        "Extra0": "booked",
        "Extra1": "waiting",
    }


# --------------------------------------------------------------------------- the register


def test_mark_the_register(client, world, db_session):
    session = make_session(days=-1, capacity=2)
    a, b, waiting = book(session, world["report"], world["stranger"], world["manager"])
    sign_in(client, "ld_officer", world)
    page = text(client.get(f"/training/sessions/{session.id}/register"))
    assert f'name="attendance-{a.id}"' in page
    assert f'name="attendance-{waiting.id}"' not in page
    assert "Mark all attended" in page
    response = client.post(
        f"/training/sessions/{session.id}/register",
        data={f"attendance-{a.id}": "attended", f"attendance-{b.id}": "partial"},
    )
    assert response.status_code == 302
    message = flashes(client.get(response.headers["Location"]))
    assert "Register saved: 2 marks changed." in message
    assert "now completed" in message
    db_session.expire_all()
    assert (db_session.get(Booking, a.id).attendance, db_session.get(Booking, b.id).attendance) == (
        "attended",
        "partial",
    )
    assert db_session.get(TrainingSession, session.id).status == "completed"


def test_mark_all_attended(client, world, db_session):
    session = world["session"]
    a, b = book(session, world["report"], world["stranger"])
    sign_in(client, "ld_officer", world)
    response = client.post(f"/training/sessions/{session.id}/register/all")
    assert response.status_code == 302
    assert "Register saved: 2 marks changed." in flashes(client.get(response.headers["Location"]))
    db_session.expire_all()
    assert {db_session.get(Booking, i).attendance for i in (a.id, b.id)} == {"attended"}
    assert db_session.get(TrainingSession, session.id).status == "scheduled"  # not ended yet


def test_marking_a_cancelled_session_is_refused_with_a_message(client, world, db_session):
    session = world["session"]
    (booking,) = book(session, world["report"])
    service.cancel_session(session, "Snow")
    db_session.commit()
    sign_in(client, "ld_officer", world)
    page = text(client.get(f"/training/sessions/{session.id}/register"))
    assert "This session was cancelled, so attendance cannot be recorded." in page
    for url, data in (
        (f"/training/sessions/{session.id}/register", {f"attendance-{booking.id}": "attended"}),
        (f"/training/sessions/{session.id}/register/all", {}),
    ):
        response = client.post(url, data=data)
        assert response.status_code == 200
        assert "govuk-error-summary" in text(response)
        assert "This session was cancelled, so attendance cannot be recorded" in text(response)
    db_session.expire_all()
    assert db_session.get(Booking, booking.id).attendance is None


def test_marking_someone_not_booked_is_refused_with_a_message(client, world, db_session):
    session = make_session(capacity=1)
    booked, waiting = book(session, world["report"], world["stranger"])
    sign_in(client, "ld_officer", world)
    response = client.post(
        f"/training/sessions/{session.id}/register",
        data={f"attendance-{booked.id}": "attended", f"attendance-{waiting.id}": "attended"},
    )
    assert response.status_code == 200
    assert (
        "Stan Stranger is not booked on this session (their booking is on the waiting list)"
        in text(response)
    )
    bad_value = client.post(
        f"/training/sessions/{session.id}/register", data={f"attendance-{booked.id}": "cancelled"}
    )
    assert "Choose attended, partly attended or did not attend" in text(bad_value)
    db_session.expire_all()
    assert db_session.get(Booking, booked.id).attendance is None
    assert db_session.get(Booking, waiting.id).attendance is None


# --------------------------------------------------------------------------- the calendar file


def test_calendar_download(client, world, db_session):
    venue = Venue(name="Learning House, Lincoln", active=True)
    db_session.add(venue)
    db_session.flush()
    session = world["session"]
    session.venue_id = venue.id
    session.trainer = "Pat; Trainer"
    db_session.commit()
    sign_in(client, "practitioner", world)
    response = client.get(f"/training/sessions/{session.id}/calendar.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert "attachment" in response.headers["Content-Disposition"]
    assert ".ics" in response.headers["Content-Disposition"]
    body = response.get_data(as_text=True)
    assert body.startswith("BEGIN:VCALENDAR\r\n")
    assert body.endswith("END:VCALENDAR\r\n")
    unfolded = body.replace("\r\n ", "")
    values = dict(line.partition(":")[::2] for line in unfolded.split("\r\n") if line)
    assert values["UID"] == f"training-session-{session.id}@localhost"
    assert values["SUMMARY"] == "Signs of Safety"
    assert values["LOCATION"] == "Learning House\\, Lincoln"
    assert values["DTSTART"] == service.ical_utc(session.starts_at)
    assert values["DTEND"] == service.ical_utc(session.ends_at)
    assert re.fullmatch(r"\d{8}T\d{6}Z", values["DTSTAMP"])
    assert "Trainer: Pat\\; Trainer" in values["DESCRIPTION"]
    assert values["URL"].endswith(f"/training/sessions/{session.id}")


def test_an_attendee_sees_their_mark_and_a_link_to_evaluate(app, client, world, db_session):
    session = make_session(days=-2)
    (booking,) = book(session, world["report"])
    service.mark_register(session, {booking.id: "partial"})
    db_session.commit()
    sign_in(client, "practitioner", world)
    page = text(client.get(f"/training/sessions/{session.id}"))
    assert "You were booked on this session: partly attended." in page
    link = f"/training/bookings/{booking.id}/evaluation"
    assert (link in page) == ("training.evaluation_form" in app.view_functions)
