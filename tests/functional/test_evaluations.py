"""Evaluations and impact follow-ups through the interface and the command line."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select

from tests import builders
from workforce.clock import local_now
from workforce.extensions import db
from workforce.metrics.evaluation import follow_up_due_on
from workforce.models import Booking, Course, Evaluation, ImpactFollowUp, TrainingSession

RATINGS = {
    "overall": "5",
    "relevance": "4",
    "confidence_before": "2",
    "confidence_after": "4",
    "will_do_differently": "Use safety mapping in visits",
    "comments": "Very practical",
}


def make_booking(
    staff: Any,
    *,
    days_ago: int = 2,
    attendance: str | None = "attended",
    follow_up_months: int | None = 3,
    title: str = "Signs of Safety foundation",
) -> Booking:
    """A booking on a session that ended ``days_ago`` days ago (negative: in the future)."""
    course = db.session.scalar(select(Course).where(Course.title == title))
    if course is None:
        course = Course(
            title=title,
            provider="in_house",
            delivery_mode="workshop",
            cpd_hours=Decimal("6"),
            cost_per_place=Decimal("0"),
            impact_follow_up_months=follow_up_months,
        )
        db.session.add(course)
        db.session.flush()
    ends = local_now() - timedelta(days=days_ago)
    session = TrainingSession(
        course_id=course.id, starts_at=ends - timedelta(hours=6), ends_at=ends, capacity=10
    )
    db.session.add(session)
    db.session.flush()
    booking = Booking(
        session_id=session.id, staff_id=staff.id, status="booked", attendance=attendance
    )
    db.session.add(booking)
    db.session.commit()
    return booking


@pytest.fixture
def people(db_session):
    team = builders.make_team("Assessment")
    manager = builders.make_staff(team, first_name="Mona", last_name="Manager")
    attendee = builders.make_staff(team, manager=manager, first_name="Ada", last_name="Attendee")
    stranger = builders.make_staff(builders.make_team("Elsewhere"), first_name="Stan")
    return {"manager": manager, "attendee": attendee, "stranger": stranger}


# --------------------------------------------------------------------------- evaluations


def test_attendee_sees_sessions_to_evaluate_and_evaluates_one(client, login, people):
    booking = make_booking(people["attendee"])
    login("practitioner", staff=people["attendee"])
    record = client.get(f"/training/people/{people['attendee'].id}").get_data(as_text=True)
    assert "Sessions to evaluate" in record
    assert f"/training/bookings/{booking.id}/evaluation" in record
    form = client.get(f"/training/bookings/{booking.id}/evaluation").get_data(as_text=True)
    assert "Evaluate this session" in form and "5 – Excellent" in form
    response = client.post(f"/training/bookings/{booking.id}/evaluation", data=RATINGS)
    assert response.status_code == 302
    evaluation = db.session.scalar(select(Evaluation))
    assert (evaluation.overall, evaluation.confidence_after, evaluation.source) == (5, 4, "self")
    assert evaluation.will_do_differently == "Use safety mapping in visits"
    record = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Evaluation of Signs of Safety foundation saved" in record
    assert "Sessions to evaluate" not in record and "Evaluated" in record


def test_attendee_changes_their_evaluation_within_the_window_then_it_locks(client, login, people):
    booking = make_booking(people["attendee"])
    login("practitioner", staff=people["attendee"])
    client.post(f"/training/bookings/{booking.id}/evaluation", data=RATINGS)
    page = client.get(f"/training/bookings/{booking.id}/evaluation").get_data(as_text=True)
    assert 'value="5" checked' in page
    client.post(f"/training/bookings/{booking.id}/evaluation", data={**RATINGS, "overall": "3"})
    evaluation = db.session.scalar(select(Evaluation))
    assert evaluation.overall == 3
    evaluation.created_at = datetime.now() - timedelta(days=15)
    db.session.commit()
    page = client.get(f"/training/bookings/{booking.id}/evaluation").get_data(as_text=True)
    assert "can no longer be changed" in page and "<form" not in page.split("<main")[1]
    client.post(f"/training/bookings/{booking.id}/evaluation", data={**RATINGS, "overall": "1"})
    assert db.session.scalar(select(Evaluation.overall)) == 3


def test_ratings_outside_1_to_5_are_refused(client, login, people):
    booking = make_booking(people["attendee"])
    login("practitioner", staff=people["attendee"])
    response = client.post(
        f"/training/bookings/{booking.id}/evaluation",
        data={**RATINGS, "overall": "7", "relevance": "abc"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "There is a problem" in page
    assert "Overall rating: choose a rating from 1 to 5" in page
    assert "Relevance to your work: choose a rating from 1 to 5" in page
    assert "Use safety mapping in visits" in page
    assert db.session.scalar(select(func.count(Evaluation.id))) == 0
    missing = client.post(
        f"/training/bookings/{booking.id}/evaluation",
        data={k: v for k, v in RATINGS.items() if k != "confidence_before"},
    ).get_data(as_text=True)
    assert "Select your confidence before the session" in missing


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"attendance": "did_not_attend"}, "Only people who attended"),
        ({"attendance": None}, "Only people who attended"),
        ({"days_ago": -2}, "has not ended yet"),
    ],
)
def test_evaluations_are_refused_for_sessions_not_attended_or_not_over(
    client, login, people, values, message
):
    booking = make_booking(people["attendee"], **values)
    login("practitioner", staff=people["attendee"])
    page = client.get(f"/training/bookings/{booking.id}/evaluation").get_data(as_text=True)
    assert "This session cannot be evaluated" in page and message in page
    client.post(f"/training/bookings/{booking.id}/evaluation", data=RATINGS)
    assert db.session.scalar(select(func.count(Evaluation.id))) == 0


def test_others_cannot_evaluate_someone_elses_session(client, login, people):
    booking = make_booking(people["attendee"])
    login("practitioner", staff=people["stranger"])
    assert client.get(f"/training/bookings/{booking.id}/evaluation").status_code == 404
    assert (
        client.post(f"/training/bookings/{booking.id}/evaluation", data=RATINGS).status_code == 404
    )
    client.post("/logout")
    # The attendee's supervisor may see the person, but not fill in their evaluation.
    login("supervisor", staff=people["manager"])
    assert client.get(f"/training/bookings/{booking.id}/evaluation").status_code == 403
    assert db.session.scalar(select(func.count(Evaluation.id))) == 0
    assert client.get("/training/bookings/999999/evaluation").status_code == 404


def test_officer_enters_paper_forms_from_the_session_page(client, login, people):
    booking = make_booking(people["attendee"])
    make_booking(people["stranger"], title="Signs of Safety foundation")
    officer = login("ld_officer")
    listing = client.get("/training/evaluations?outstanding=1").get_data(as_text=True)
    assert "Signs of Safety foundation" in listing and "of 2 sessions" in listing
    session_page = client.get(f"/training/evaluations/sessions/{booking.session_id}").get_data(
        as_text=True
    )
    assert "Attendee, Ada" in session_page and "Enter paper form" in session_page
    form = client.get(f"/training/bookings/{booking.id}/evaluation").get_data(as_text=True)
    assert "Enter an evaluation for Ada Attendee" in form
    response = client.post(f"/training/bookings/{booking.id}/evaluation", data=RATINGS)
    assert response.headers["Location"].endswith(
        f"/training/evaluations/sessions/{booking.session_id}"
    )
    evaluation = db.session.scalar(select(Evaluation))
    assert (evaluation.source, evaluation.entered_by_user_id) == ("paper", officer.id)
    session_page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Paper form" in session_page and "100.0%" in session_page
    listing = client.get("/training/evaluations?outstanding=1").get_data(as_text=True)
    assert "of 1 session" in listing


@pytest.mark.parametrize("role", ["practitioner", "supervisor", "hr", "senior_leader"])
def test_evaluation_lists_are_for_officers(client, login, role):
    login(role)
    assert client.get("/training/evaluations").status_code == 403


# --------------------------------------------------------------------------- follow-ups


def due_follow_up_booking(staff: Any) -> Booking:
    """A booking whose three-month follow-up fell due yesterday or earlier."""
    booking = make_booking(staff, days_ago=100)
    assert follow_up_due_on(booking.session.ends_at.date(), 3) <= date.today()
    return booking


def test_supervisor_sees_and_answers_a_due_follow_up(client, login, people):
    booking = due_follow_up_booking(people["attendee"])
    make_booking(people["attendee"], days_ago=10, title="Triple P Standard")  # not yet due
    supervisor = login("supervisor", staff=people["manager"])
    page = client.get("/training/impact").get_data(as_text=True)
    [follow_up] = db.session.scalars(select(ImpactFollowUp)).all()
    assert follow_up.booking_id == booking.id
    assert follow_up.supervisor_staff_id == people["manager"].id
    assert "Ada Attendee" in page and "Signs of Safety foundation" in page
    assert "Triple P Standard" not in page
    missing = client.post(
        f"/training/impact/{follow_up.id}", data={"practice_changed": "yes", "example": ""}
    ).get_data(as_text=True)
    assert "Give an example of how practice has changed" in missing
    response = client.post(
        f"/training/impact/{follow_up.id}",
        data={"practice_changed": "partly", "example": "Uses three columns in supervision"},
    )
    assert response.status_code == 302
    follow_up = db.session.get(ImpactFollowUp, follow_up.id)
    assert follow_up.practice_changed == "partly"
    assert follow_up.responded_by_user_id == supervisor.id
    due = client.get("/training/impact").get_data(as_text=True)
    assert "No follow-ups are waiting for an answer" in due
    answered = client.get("/training/impact?state=answered").get_data(as_text=True)
    assert "Partly" in answered and "Ada Attendee" in answered
    # Loading the page again creates nothing new.
    assert db.session.scalar(select(func.count(ImpactFollowUp.id))) == 1


def test_a_request_leaves_the_follow_ups_to_one_already_creating_them(
    client, login, people, backend
):
    """On PostgreSQL, while another connection holds the follow-up lock (a request creating
    them), the page goes on without creating any; once it is free, the next one does."""
    if backend != "postgresql":
        pytest.skip("the lock is PostgreSQL's (SQLite lets one writer in at a time)")
    from sqlalchemy import text

    from workforce.blueprints.training.evaluations import FOLLOW_UP_LOCK

    due_follow_up_booking(people["attendee"])
    login("supervisor", staff=people["manager"])
    with db.engine.connect() as other:
        assert other.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": FOLLOW_UP_LOCK})
        assert client.get("/training/impact").status_code == 200
        assert db.session.scalar(select(func.count(ImpactFollowUp.id))) == 0
        other.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": FOLLOW_UP_LOCK})
    assert "Ada Attendee" in client.get("/training/impact").get_data(as_text=True)
    assert db.session.scalar(select(func.count(ImpactFollowUp.id))) == 1


def test_only_the_named_supervisor_or_an_officer_may_answer(client, login, people):
    due_follow_up_booking(people["attendee"])
    login("ld_officer")
    client.get("/training/impact")
    follow_up = db.session.scalar(select(ImpactFollowUp))
    everyone = client.get("/training/impact?scope=all").get_data(as_text=True)
    assert "Ada Attendee" in everyone and "Mona Manager" in everyone
    mine = client.get("/training/impact").get_data(as_text=True)
    assert "Ada Attendee" not in mine
    client.post("/logout")
    login("supervisor", staff=people["stranger"])
    assert client.get(f"/training/impact/{follow_up.id}").status_code == 404
    assert "Ada Attendee" not in client.get("/training/impact?scope=all").get_data(as_text=True)
    client.post("/logout")
    login("practitioner", staff=people["attendee"])
    assert client.get("/training/impact").status_code == 403
    assert client.get(f"/training/impact/{follow_up.id}").status_code == 403
    client.post("/logout")
    # A supervisor who can see the attendee but is not the one asked gets 403.
    colleague = builders.make_staff(people["manager"].spells[0].team)
    login("supervisor", staff=colleague)
    assert client.get(f"/training/impact/{follow_up.id}").status_code == 403
    assert db.session.get(ImpactFollowUp, follow_up.id).responded_at is None


def test_follow_ups_command_is_idempotent(app_ctx, people):
    booking = make_booking(people["attendee"], days_ago=0)
    due = follow_up_due_on(booking.session.ends_at.date(), 3)
    runner = app_ctx.test_cli_runner()
    before = runner.invoke(args=["training", "follow-ups", "--today", str(due - timedelta(days=1))])
    assert before.exit_code == 0 and "No new impact follow-ups" in before.output
    first = runner.invoke(args=["training", "follow-ups", "--today", due.isoformat()])
    assert first.exit_code == 0, first.output
    assert "Impact follow-ups created: 1" in first.output
    again = runner.invoke(args=["training", "follow-ups", "--today", due.isoformat()])
    assert "No new impact follow-ups" in again.output
    db.session.expire_all()
    [follow_up] = db.session.scalars(select(ImpactFollowUp)).all()
    assert follow_up.due_on == due and follow_up.supervisor_staff_id == people["manager"].id


def test_supervisors_own_record_points_to_waiting_follow_ups(client, login, people):
    due_follow_up_booking(people["attendee"])
    login("supervisor", staff=people["manager"])
    page = client.get(f"/training/people/{people['manager'].id}").get_data(as_text=True)
    assert "1 impact follow-up is waiting for your answer" in page
    assert 'href="/training/impact"' in page
