"""The course catalogue and its lists through the interface: who may read and change them,
the course form's validation, removing courses, and the list pages."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select

from tests import builders
from workforce.extensions import db
from workforce.models import (
    Course,
    PracticeModel,
    StrategicPriority,
    TrainingSession,
    Venue,
)
from workforce.services.frameworks import pcf


def course_form(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": "Signs of Safety foundation",
        "description": "Two days on the Signs of Safety approach.",
        "provider": "commissioned",
        "delivery_mode": "face_to_face",
        "cpd_hours": "12",
        "cost_per_place": "£1,250.50",
        "practice_model_id": "",
        "refresher_months": "",
        "impact_follow_up_months": "3",
        "active": "y",
    }
    data.update(overrides)
    return data


def make_course(title: str = "Restorative Practice", **values: Any) -> Course:
    course = Course(
        title=title,
        provider=values.pop("provider", "in_house"),
        delivery_mode=values.pop("delivery_mode", "workshop"),
        cpd_hours=values.pop("cpd_hours", Decimal("3")),
        cost_per_place=values.pop("cost_per_place", Decimal("0")),
        **values,
    )
    db.session.add(course)
    db.session.commit()
    return course


def add_session(course: Course, days: int = 7) -> TrainingSession:
    start = datetime.now().replace(microsecond=0, second=0) + timedelta(days=days)
    session = TrainingSession(
        course_id=course.id,
        starts_at=start,
        ends_at=start + timedelta(hours=3),
        capacity=3,
        trainer="Pat Trainer",
    )
    db.session.add(session)
    db.session.commit()
    return session


# --------------------------------------------------------------------------- who may do what


def test_everyone_signed_in_reads_the_catalogue_but_only_ld_changes_it(client, login):
    course = make_course()
    login("practitioner")
    assert client.get("/training/courses").status_code == 200
    page = client.get(f"/training/courses/{course.id}").get_data(as_text=True)
    assert "Restorative Practice" in page and "Edit course" not in page
    for path in (
        "/training/courses/new",
        f"/training/courses/{course.id}/edit",
        f"/training/courses/{course.id}/remove",
        "/training/lists",
        "/training/lists/priorities/new",
        "/training/lists/practice-models",
        "/training/lists/venues/new",
    ):
        assert client.get(path).status_code == 403, path
    assert client.post(f"/training/courses/{course.id}/remove").status_code == 403
    assert db.session.get(Course, course.id) is not None


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get("/training/courses")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_unknown_course_is_not_found(client, login):
    login("ld_officer")
    assert client.get("/training/courses/999999").status_code == 404
    assert client.get("/training/courses/999999/edit").status_code == 404


def test_catalogue_is_in_the_navigation(client, login):
    login("practitioner")
    page = client.get("/training/courses").get_data(as_text=True)
    assert 'href="/training/courses"' in page and ">Catalogue<" in page


# --------------------------------------------------------------------------- the course form


def test_officer_creates_a_course_linked_to_two_pcf_domains(client, login):
    login("ld_officer")
    domains = pcf().domains
    priority = db.session.scalars(
        select(StrategicPriority).where(StrategicPriority.source.like("Lincolnshire%"))
    ).first()
    model = db.session.scalar(select(PracticeModel).where(PracticeModel.name == "Signs of Safety"))
    form = course_form(
        domain_ids=[str(domains[0].id), str(domains[4].id)],
        priority_ids=[str(priority.id)],
        practice_model_id=str(model.id),
        target_roles=["5", "other"],
        mandatory_roles=["4"],
        target_tiers=["complex"],
        refresher_months="36",
    )
    response = client.post("/training/courses/new", data=form)
    assert response.status_code == 302
    course = db.session.scalar(select(Course))
    assert course.cost_per_place == Decimal("1250.50") and course.cpd_hours == Decimal("12")
    assert [d.id for d in course.domains] == [domains[0].id, domains[4].id]
    assert {(a.kind, a.value, a.mandatory) for a in course.audiences} == {
        ("role", "4", True),
        ("role", "5", False),
        ("role", "other", False),
        ("tier", "complex", False),
    }
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Course Signs of Safety foundation saved." in page
    assert domains[0].name in page and domains[4].name in page
    assert domains[1].name not in page
    assert priority.name in page and "Signs of Safety" in page
    assert "£1,250.50" in page and "Every 36 months" in page
    assert "Mandatory" in page and "Complex" in page
    assert "No sessions have been scheduled" in page


def test_invalid_course_form_explains_and_keeps_input(client, login):
    login("ld_officer")
    make_course("Restorative Practice")
    response = client.post(
        "/training/courses/new",
        data=course_form(
            title="restorative practice",
            cpd_hours="-2",
            cost_per_place="lots",
            target_roles=["9"],
            refresher_months="two",
        ),
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "There is a problem" in page
    assert "CPD hours cannot be negative" in page
    assert "Cost per place must be a number" in page
    assert "Select roles from the list" in page
    assert "Refresher interval in months must be a whole number" in page
    assert 'value="restorative practice"' in page
    assert db.session.scalar(select(func.count(Course.id))) == 1


def test_duplicate_title_is_refused_beside_the_field(client, login):
    login("ld_officer")
    make_course("Restorative Practice")
    page = client.post(
        "/training/courses/new", data=course_form(title="RESTORATIVE  practice")
    ).get_data(as_text=True)
    assert "A course with this title already exists" in page
    assert 'href="#title"' in page
    assert db.session.scalar(select(func.count(Course.id))) == 1


def test_missing_choices_are_asked_for(client, login):
    login("ld_officer")
    data = course_form(title="", cpd_hours="")
    del data["provider"]
    page = client.post("/training/courses/new", data=data).get_data(as_text=True)
    assert "Enter a course title" in page
    assert "Select a provider" in page
    assert "Enter the CPD hours (0 if none)" in page


def test_edit_form_shows_current_choices_and_saves_changes(client, login):
    login("ld_officer")
    domain = pcf().domains[2]
    course = make_course("Outcomes Based Accountability", impact_follow_up_months=6)
    course.domains = [domain]
    db.session.commit()
    page = client.get(f"/training/courses/{course.id}/edit").get_data(as_text=True)
    assert f'value="{domain.id}" checked' in page
    assert 'value="6"' in page
    response = client.post(
        f"/training/courses/{course.id}/edit",
        data=course_form(title="Outcomes Based Accountability", impact_follow_up_months=""),
    )
    assert response.status_code == 302
    course = db.session.get(Course, course.id)
    assert course.domains == [] and course.impact_follow_up_months is None
    assert course.provider == "commissioned"


# --------------------------------------------------------------------------- removing


def test_course_without_sessions_is_deleted_after_confirming(client, login):
    login("ld_officer")
    course = make_course()
    page = client.get(f"/training/courses/{course.id}/remove").get_data(as_text=True)
    assert "Delete this course?" in page
    course_id = course.id
    response = client.post(f"/training/courses/{course_id}/remove")
    assert response.status_code == 302
    assert db.session.get(Course, course_id) is None


def test_course_with_sessions_is_deactivated_not_deleted(client, login):
    login("ld_officer")
    course = make_course()
    add_session(course)
    page = client.get(f"/training/courses/{course.id}/remove").get_data(as_text=True)
    assert "Deactivate this course?" in page and "cannot be deleted" in page
    response = client.post(f"/training/courses/{course.id}/remove")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "deactivated. Its sessions and records are kept" in page
    course = db.session.get(Course, course.id)
    assert course is not None and course.active is False
    listed = client.get("/training/courses").get_data(as_text=True)
    link = f'href="/training/courses/{course.id}"'
    assert link not in listed and "No courses match" in listed
    assert link in client.get("/training/courses?active=no").get_data(as_text=True)
    client.post(f"/training/courses/{course.id}/reactivate")
    assert db.session.get(Course, course.id).active is True


def test_course_page_lists_its_sessions(client, login):
    login("practitioner")
    course = make_course()
    session = add_session(course)
    page = client.get(f"/training/courses/{course.id}").get_data(as_text=True)
    assert "Upcoming sessions" in page and "Pat Trainer" in page and "0 of 3" in page
    assert f"/training/sessions/{session.id}" in page


# --------------------------------------------------------------------------- the list page


def test_course_list_searches_filters_and_pages(client, login):
    login("practitioner")
    for n in range(27):
        make_course(f"Course {n:02d}", delivery_mode="e_learning" if n < 2 else "workshop")
    make_course("Triple P Standard", provider="external")
    first = client.get("/training/courses").get_data(as_text=True)
    assert "Showing 1 to 25 of 28 courses" in first and "Course 00" in first
    assert "Triple P Standard" not in first
    second = client.get("/training/courses?page=2").get_data(as_text=True)
    assert "Triple P Standard" in second and "Course 00" not in second
    found = client.get("/training/courses?q=triple").get_data(as_text=True)
    assert "Showing 1 to 1 of 1 course" in found and "Triple P Standard" in found
    assert "of 2 courses" in client.get("/training/courses?mode=e_learning").get_data(as_text=True)
    assert "of 1 course" in client.get("/training/courses?provider=external").get_data(as_text=True)
    assert "No courses match" in client.get("/training/courses?q=zzz").get_data(as_text=True)


# --------------------------------------------------------------------------- configurable lists


def test_officer_adds_and_renames_a_priority_grouped_by_source(client, login):
    login("ld_officer")
    source = f"Test council {uuid.uuid4().hex[:6]}"
    response = client.post(
        "/training/lists/priorities/new",
        data={"name": "Early help", "source": source, "active": "y"},
    )
    assert response.status_code == 302
    priority = db.session.scalar(
        select(StrategicPriority).where(StrategicPriority.source == source)
    )
    page = client.get("/training/lists/priorities").get_data(as_text=True)
    assert source in page and "Early help" in page and "Lincolnshire strategic principles" in page
    duplicate = client.post(
        "/training/lists/priorities/new", data={"name": "EARLY HELP", "source": source}
    ).get_data(as_text=True)
    assert "already has a priority with this name" in duplicate
    client.post(
        f"/training/lists/priorities/{priority.id}/edit",
        data={"name": "Early help and prevention", "source": source},
    )
    priority = db.session.get(StrategicPriority, priority.id)
    assert priority.name == "Early help and prevention" and priority.active is False
    form = client.get("/training/courses/new").get_data(as_text=True)
    assert "Early help and prevention" not in form


def test_officer_adds_a_practice_model_that_then_appears_on_the_course_form(client, login):
    login("ld_officer")
    name = f"Family Safeguarding {uuid.uuid4().hex[:6]}"
    assert (
        client.post("/training/lists/practice-models/new", data={"name": name, "active": "y"})
    ).status_code == 302
    assert name in client.get("/training/lists/practice-models").get_data(as_text=True)
    assert name in client.get("/training/courses/new").get_data(as_text=True)
    page = client.post(
        "/training/lists/practice-models/new", data={"name": "signs of safety"}
    ).get_data(as_text=True)
    assert "A practice model with this name already exists" in page


def test_officer_adds_edits_and_deactivates_a_venue(client, login):
    login("ld_officer")
    assert "There are no venues yet" in client.get("/training/lists/venues").get_data(as_text=True)
    client.post(
        "/training/lists/venues/new",
        data={"name": "Learning House", "address": "Lincoln", "active": "y"},
    )
    venue = db.session.scalar(select(Venue))
    assert (venue.name, venue.address, venue.active) == ("Learning House", "Lincoln", True)
    client.post(
        f"/training/lists/venues/{venue.id}/edit", data={"name": "Horncastle", "address": ""}
    )
    venue = db.session.get(Venue, venue.id)
    assert (venue.name, venue.address, venue.active) == ("Horncastle", None, False)
    page = client.post("/training/lists/venues/new", data={"name": ""}).get_data(as_text=True)
    assert "Enter the name" in page


@pytest.mark.parametrize("role", ["hr", "supervisor", "senior_leader"])
def test_other_roles_cannot_manage_lists(client, login, role):
    login(role)
    assert client.get("/training/lists/priorities").status_code == 403
    assert client.post("/training/lists/venues/new", data={"name": "X"}).status_code == 403
    assert db.session.scalar(select(func.count(Venue.id))) == 0


def test_admin_may_manage_the_catalogue(client, login):
    login("admin")
    assert client.get("/training/courses/new").status_code == 200
    assert client.get("/training/lists").status_code == 200


def test_staff_record_links_to_training(client, login):
    staff = builders.make_staff()
    login("hr")
    page = client.get(f"/staff/{staff.id}").get_data(as_text=True)
    assert f'href="/training/people/{staff.id}"' in page
