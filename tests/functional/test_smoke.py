"""The home page answers a signed-in user."""


def test_home_requires_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_home_for_hr(client, login):
    login("hr")
    response = client.get("/")
    assert response.status_code == 200
    assert b"people in post" in response.data


def test_home_links_a_supervisor_to_their_training_and_follow_ups(client, login, app_ctx):
    from datetime import date, datetime, timedelta
    from decimal import Decimal

    from tests import builders
    from workforce.extensions import db
    from workforce.models import Booking, Course, ImpactFollowUp, TrainingSession

    team = builders.make_team()
    manager = builders.make_staff(team)
    report = builders.make_staff(team, manager=manager)
    course = Course(
        title="Home page course",
        provider="in_house",
        delivery_mode="workshop",
        cpd_hours=Decimal("3"),
        cost_per_place=Decimal("0"),
    )
    start = datetime(2025, 1, 10, 9, 30)
    session = TrainingSession(
        course=course,
        starts_at=start,
        ends_at=start + timedelta(hours=3),
        capacity=5,
        status="completed",
    )
    booking = Booking(session=session, staff_id=report.id, status="booked", attendance="attended")
    db.session.add_all([course, session, booking])
    db.session.flush()
    db.session.add(
        ImpactFollowUp(
            booking_id=booking.id,
            supervisor_staff_id=manager.id,
            due_on=date.today() - timedelta(days=3),
        )
    )
    db.session.commit()
    login("supervisor", staff=manager)
    page = client.get("/").get_data(as_text=True)
    assert "Your training record and CPD log" in page
    assert "1 impact follow-up waiting for your answer" in page
