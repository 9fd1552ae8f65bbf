"""Each person's training record and CPD log through the interface: who may see it, who may
change it, and the registration-year rule shown as met or not met."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select

from tests import builders
from workforce.clock import local_now
from workforce.extensions import db
from workforce.metrics.cpd import registration_year_of
from workforce.models import Booking, Course, CpdEntry, TrainingSession


def dated(prefix: str, value: date) -> dict[str, list[str]]:
    return {prefix: [str(value.day), str(value.month), str(value.year)]}


def cpd_form(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "entry_type": "reading",
        "description": "Read the serious case review on neglect",
        **dated("activity_date", date.today() - timedelta(days=1)),
        "learning": "How drift shows in chronologies",
        "impact": "I now review chronologies monthly",
        "peer_reflection": "yes",
        "peer_reflection_detail": "Discussed in group supervision",
        "booking_id": "",
    }
    data.update(overrides)
    return data


def add_entry(staff: Any, day: date, peer: bool = False) -> CpdEntry:
    entry = CpdEntry(
        staff_id=staff.id,
        entry_type="course",
        description="A course",
        activity_date=day,
        learning="Something",
        impact="Something else",
        peer_reflection=peer,
        peer_reflection_detail="With a peer" if peer else None,
    )
    db.session.add(entry)
    db.session.commit()
    return entry


def attend(staff: Any, starts: datetime, attendance: str, hours: str = "6") -> Booking:
    course = Course(
        title=f"Course {starts:%Y-%m-%d} {attendance}",
        provider="in_house",
        delivery_mode="workshop",
        cpd_hours=Decimal(hours),
        cost_per_place=Decimal("0"),
    )
    db.session.add(course)
    db.session.flush()
    session = TrainingSession(
        course_id=course.id, starts_at=starts, ends_at=starts + timedelta(hours=3), capacity=5
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
    person = builders.make_staff(team, manager=manager, first_name="Pat", last_name="Person")
    stranger = builders.make_staff(builders.make_team("Elsewhere"), first_name="Stan")
    return {"manager": manager, "person": person, "stranger": stranger}


# --------------------------------------------------------------------------- visibility


@pytest.mark.parametrize(
    ("role", "who", "status"),
    [
        ("practitioner", "person", 200),
        ("practitioner", "stranger", 404),
        ("supervisor", "manager", 200),
        ("supervisor", "stranger", 404),
        ("hr", None, 200),
        ("ld_officer", None, 200),
        ("senior_leader", None, 200),
        ("admin", None, 200),
    ],
)
def test_who_may_open_a_training_record(client, login, people, role, who, status):
    add_entry(people["person"], date.today() - timedelta(days=3))
    login(role, staff=people[who] if who else None)
    response = client.get(f"/training/people/{people['person'].id}")
    assert response.status_code == status
    if status == 200:
        assert "A course" in response.get_data(as_text=True)


def test_unknown_person_is_not_found(client, login):
    login("hr")
    assert client.get("/training/people/999999").status_code == 404


def test_my_training_redirects_to_my_record(client, login, people):
    login("practitioner", staff=people["person"])
    response = client.get("/training/me")
    assert response.headers["Location"].endswith(f"/training/people/{people['person'].id}")
    client.post("/logout")
    login("hr")
    assert client.get("/training/me").status_code == 404


# --------------------------------------------------------------------------- the CPD log


def test_person_adds_a_cpd_entry_linked_to_a_session(client, login, people):
    booking = attend(people["person"], local_now() - timedelta(days=5), "attended")
    login("practitioner", staff=people["person"])
    form = client.get(f"/training/people/{people['person'].id}/cpd/new").get_data(as_text=True)
    assert booking.session.course.title in form
    response = client.post(
        f"/training/people/{people['person'].id}/cpd/new",
        data=cpd_form(booking_id=str(booking.id)),
    )
    assert response.status_code == 302
    entry = db.session.scalar(select(CpdEntry))
    assert (entry.staff_id, entry.peer_reflection, entry.booking_id) == (
        people["person"].id,
        True,
        booking.id,
    )
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "CPD entry saved." in page and "Discussed in group supervision" in page


def test_invalid_cpd_entry_explains_and_keeps_input(client, login, people):
    login("practitioner", staff=people["person"])
    response = client.post(
        f"/training/people/{people['person'].id}/cpd/new",
        data=cpd_form(
            learning="",
            peer_reflection_detail="",
            **dated("activity_date", date.today() + timedelta(days=3)),
        ),
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "There is a problem" in page
    assert "Say what you learnt" in page
    assert "Read the serious case review on neglect" in page
    assert db.session.scalar(select(func.count(CpdEntry.id))) == 0
    # Once the form's own checks pass, the service's are shown beside their fields.
    page = client.post(
        f"/training/people/{people['person'].id}/cpd/new",
        data=cpd_form(**dated("activity_date", date.today() + timedelta(days=3))),
    ).get_data(as_text=True)
    assert "The date of the activity cannot be in the future" in page
    page = client.post(
        f"/training/people/{people['person'].id}/cpd/new", data=cpd_form(peer_reflection_detail="")
    ).get_data(as_text=True)
    assert "Say who you reflected with and what came of it" in page
    assert db.session.scalar(select(func.count(CpdEntry.id))) == 0


def test_person_edits_and_deletes_their_entry_after_confirming(client, login, people):
    entry = add_entry(people["person"], date.today() - timedelta(days=10))
    login("practitioner", staff=people["person"])
    page = client.get(f"/training/cpd/{entry.id}/edit").get_data(as_text=True)
    assert 'value="no" checked' in page and "A course" in page
    client.post(f"/training/cpd/{entry.id}/edit", data=cpd_form(description="Changed"))
    entry = db.session.get(CpdEntry, entry.id)
    assert entry.description == "Changed" and entry.peer_reflection is True
    confirm = client.get(f"/training/cpd/{entry.id}/delete").get_data(as_text=True)
    assert "Delete this CPD entry?" in confirm and "Changed" in confirm
    entry_id = entry.id
    assert db.session.get(CpdEntry, entry_id) is not None
    client.post(f"/training/cpd/{entry_id}/delete")
    assert db.session.get(CpdEntry, entry_id) is None


@pytest.mark.parametrize(
    ("role", "who", "status"),
    [
        ("supervisor", "manager", 403),
        ("hr", None, 403),
        ("ld_officer", None, 403),
        ("admin", None, 403),
        ("practitioner", "stranger", 404),
    ],
)
def test_only_the_person_changes_their_cpd_log(client, login, people, role, who, status):
    entry = add_entry(people["person"], date.today() - timedelta(days=10))
    login(role, staff=people[who] if who else None)
    person_id = people["person"].id
    assert client.get(f"/training/people/{person_id}/cpd/new").status_code == status
    assert client.post(f"/training/people/{person_id}/cpd/new", data=cpd_form()).status_code == (
        status
    )
    assert client.get(f"/training/cpd/{entry.id}/edit").status_code == status
    assert client.post(f"/training/cpd/{entry.id}/delete").status_code == status
    assert db.session.scalar(select(func.count(CpdEntry.id))) == 1
    if status == 403:
        page = client.get(f"/training/people/{person_id}").get_data(as_text=True)
        assert "Add a CPD entry" not in page and f"/training/cpd/{entry.id}/edit" not in page


# --------------------------------------------------------------------------- the record


def test_record_shows_the_rule_per_registration_year_and_hours(client, login, people):
    today = date.today()
    current = registration_year_of(today)
    previous_end = current.starts_on - timedelta(days=1)  # 30 November last year
    person = people["person"]
    # Last registration year: two entries, one with peer reflection, the second on 30 November.
    add_entry(person, previous_end - timedelta(days=100), peer=True)
    add_entry(person, previous_end)
    # This registration year so far: one entry on 1 December.
    add_entry(person, current.starts_on)
    first_morning = datetime.combine(current.starts_on, time(0, 1))
    attend(person, first_morning, "attended", hours="6")
    attend(person, first_morning, "partial", hours="3")
    attend(person, first_morning, "did_not_attend", hours="100")
    login("practitioner", staff=person)
    page = client.get(f"/training/people/{person.id}").get_data(as_text=True)
    rows = page.split("<tbody")[1].split("</tbody>")[0].split("<tr")[1:]
    this_year, last_year = rows[0], rows[1]
    assert current.label in this_year and "(current)" in this_year
    assert "Not met" in this_year and "1 CPD entry recorded" in this_year
    assert "No entry records peer reflection" in this_year
    assert "7.5" in this_year  # 6 hours attended + half of 3 partly attended
    previous = registration_year_of(previous_end)
    assert previous.label in last_year and ">Met<" in last_year and "Not met" not in last_year
    assert "Partly attended" in page and "Did not attend" in page


def test_record_without_anything_shows_empty_states(client, login, people):
    login("practitioner", staff=people["person"])
    page = client.get(f"/training/people/{people['person'].id}").get_data(as_text=True)
    assert "No training sessions have been booked for you yet" in page
    assert "You have not recorded any CPD yet" in page
    assert "Not met" in page and registration_year_of(date.today()).label in page
