"""Assessments, gaps, heatmaps and role profiles through the interface: who may do what, the
assessment's life from draft to signed off, and the refusals of bad input."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select

from tests import builders
from workforce.extensions import db
from workforce.models import (
    Assessment,
    AssessmentRating,
    AuditEvent,
    Booking,
    Course,
    DevelopmentAction,
    FrameworkLevel,
    RoleProfile,
    TrainingSession,
)
from workforce.services.frameworks import pcf


def dated(prefix: str, value: date) -> dict[str, list[str]]:
    return {prefix: [str(value.day), str(value.month), str(value.year)]}


def pcf_level(name: str) -> FrameworkLevel:
    return next(level for level in pcf().levels if level.name == name)


@pytest.fixture
def people(db_session: Any) -> dict[str, Any]:
    team = builders.make_team("Assessment North")
    manager = builders.make_staff(team, first_name="Mona", last_name="Manager", org_role="3")
    person = builders.make_staff(team, manager=manager, first_name="Pat", last_name="Person")
    stranger = builders.make_staff(builders.make_team("Elsewhere"), first_name="Stan")
    profile = builders.make_profile(pcf_level("Social worker"), "Social worker", grade="SW2")
    return {
        "team": team,
        "manager": manager,
        "person": person,
        "stranger": stranger,
        "profile": profile,
    }


def domains() -> list[Any]:
    return [d for d in pcf().domains if not d.retired]


def start(client: Any, staff: Any, kind: str = "supervisor", **extra: Any) -> Any:
    return client.post(
        f"/capability/people/{staff.id}/assessments/new",
        data={
            "kind": kind,
            "level": str(pcf_level("Social worker").id),
            **dated("assessed_on", date.today()),
            **extra,
        },
    )


def rate_all(
    client: Any, assessment_id: int, ratings: dict[str, str], default: str = "meets"
) -> Any:
    data: dict[str, Any] = {**dated("assessed_on", date.today()), "summary": "Solid year"}
    for domain in domains():
        data[f"rating_{domain.id}"] = ratings.get(domain.name, default)
        data[f"evidence_{domain.id}"] = f"Evidence for {domain.name}"
    return client.post(f"/capability/assessments/{assessment_id}/rate", data=data)


def latest_assessment() -> Assessment:
    return db.session.scalars(select(Assessment).order_by(Assessment.id.desc())).first()


def test_supervisor_assesses_a_team_member_and_sees_gaps_and_heatmap(client, login, people):
    knowledge = next(d for d in domains() if d.name == "Knowledge")
    course = Course(
        title="Child development and attachment",
        provider="in_house",
        delivery_mode="workshop",
        cpd_hours=Decimal("6"),
        cost_per_place=Decimal("0"),
    )
    course.domains = [knowledge]
    db.session.add(course)
    db.session.commit()
    login("supervisor", staff=people["manager"])

    page = client.get(f"/capability/teams/{people['team'].id}").get_data(as_text=True)
    assert page.count("Not assessed") >= 9

    response = start(client, people["person"])
    assert response.status_code == 302
    assessment = latest_assessment()
    assert assessment.level.name == "Social worker"
    assert assessment.status == "draft"
    assert response.headers["Location"].endswith(f"/capability/assessments/{assessment.id}/rate")

    assert rate_all(client, assessment.id, {"Knowledge": "developing"}).status_code == 302
    response = client.post(
        f"/capability/assessments/{assessment.id}/actions/new",
        data={
            "description": "Attend the child development workshop",
            "owner": "Pat Person",
            **dated("due_date", date.today() + timedelta(days=60)),
            "domain": str(knowledge.id),
        },
    )
    assert response.status_code == 302
    assert client.post(f"/capability/assessments/{assessment.id}/sign-off").status_code == 302
    db.session.expire_all()
    assert latest_assessment().status == "signed_off"

    page = client.get(f"/capability/people/{people['person'].id}").get_data(as_text=True)
    assert "1 domain is below the expected level" in page
    assert "Knowledge: developing" in page
    assert "Child development and attachment" in page
    assert "Attend the child development workshop" in page

    page = client.get(f"/capability/teams/{people['team'].id}").get_data(as_text=True)
    assert "Below" in page and "Developing" in page
    assert page.count('<span class="app-heat__judgement">Meets</span>') == 8


def test_a_supervisor_cannot_assess_someone_they_do_not_manage(client, login, people):
    login("supervisor", staff=people["manager"])
    assert (
        client.get(f"/capability/people/{people['stranger'].id}/assessments/new").status_code == 403
    )
    assert start(client, people["stranger"]).status_code == 403
    assert client.get(f"/capability/people/{people['stranger'].id}").status_code == 403
    assert db.session.scalar(select(func.count()).select_from(Assessment)) == 0


def test_hr_may_assess_anyone(client, login, people):
    login("hr")
    assert start(client, people["stranger"], kind="appraisal").status_code == 302
    assert latest_assessment().staff_id == people["stranger"].id


def test_a_kind_the_user_may_not_use_is_refused_with_a_message(client, login, people):
    login("supervisor", staff=people["manager"])
    response = start(client, people["person"], kind="self")
    assert response.status_code == 200
    assert "Not a valid choice" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Assessment)) == 0


def test_a_future_date_and_an_unknown_level_are_refused(client, login, people):
    login("supervisor", staff=people["manager"])
    response = start(
        client, people["person"], **dated("assessed_on", date.today() + timedelta(days=3))
    )
    assert "The assessment date must be today or in the past" in response.get_data(as_text=True)
    response = start(client, people["person"], level="999999")
    assert response.status_code == 200
    assert "Choose a level of the framework from the list" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Assessment)) == 0


def test_a_rating_outside_the_scale_is_refused_and_nothing_is_saved(client, login, people):
    login("supervisor", staff=people["manager"])
    start(client, people["person"])
    assessment = latest_assessment()
    response = rate_all(client, assessment.id, {"Knowledge": "outstanding"})
    assert response.status_code == 200
    assert (
        "Choose a rating on the scale: not yet evident, developing, meets, exceeds"
        in response.get_data(as_text=True)
    )
    assert db.session.scalar(select(func.count()).select_from(AssessmentRating)) == 0


def test_sign_off_needs_every_domain_rated(client, login, people):
    login("supervisor", staff=people["manager"])
    start(client, people["person"])
    assessment = latest_assessment()
    first = domains()[0]
    client.post(
        f"/capability/assessments/{assessment.id}/rate",
        data={**dated("assessed_on", date.today()), f"rating_{first.id}": "meets"},
    )
    page = client.get(f"/capability/assessments/{assessment.id}/sign-off").get_data(as_text=True)
    assert "Not yet rated: Values and ethics" in page
    response = client.post(f"/capability/assessments/{assessment.id}/sign-off")
    assert "Rate every domain before signing off" in response.get_data(as_text=True)
    db.session.expire_all()
    assert latest_assessment().status == "draft"


def test_a_signed_off_assessment_is_read_only_and_corrected_by_a_new_one(client, login, people):
    login("supervisor", staff=people["manager"])
    start(client, people["person"])
    original = latest_assessment()
    rate_all(client, original.id, {})
    client.post(f"/capability/assessments/{original.id}/sign-off")

    assert client.get(f"/capability/assessments/{original.id}/rate").status_code == 403
    assert rate_all(client, original.id, {"Knowledge": "developing"}).status_code == 403
    assert client.post(f"/capability/assessments/{original.id}/discard").status_code == 403
    assert client.get(f"/capability/assessments/{original.id}/actions/new").status_code == 403

    response = client.post(f"/capability/assessments/{original.id}/correct")
    assert response.status_code == 302
    correction = latest_assessment()
    assert correction.id != original.id
    assert correction.corrects_id == original.id
    assert correction.status == "draft"
    assert len(correction.ratings) == 9
    rate_all(client, correction.id, {"Knowledge": "developing"})
    db.session.expire_all()
    kept = db.session.get(Assessment, original.id)
    assert {r.rating for r in kept.ratings} == {"meets"}
    page = client.get(f"/capability/assessments/{original.id}").get_data(as_text=True)
    assert "Corrected by" in page


def test_the_person_assessed_comments_before_sign_off_only(client, login, people):
    login("supervisor", staff=people["manager"])
    start(client, people["person"])
    assessment = latest_assessment()
    client.post("/logout")
    login("practitioner", staff=people["person"])
    page = client.get(f"/capability/assessments/{assessment.id}").get_data(as_text=True)
    assert "Add your comment" in page
    response = client.post(
        f"/capability/assessments/{assessment.id}/comment",
        data={"comment": "I would like more time on court work"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert latest_assessment().assessee_comment == "I would like more time on court work"
    # The person assessed cannot change the ratings or sign off.
    assert client.get(f"/capability/assessments/{assessment.id}/rate").status_code == 403
    assert client.post(f"/capability/assessments/{assessment.id}/sign-off").status_code == 403


def test_others_cannot_read_an_assessment(client, login, people):
    login("supervisor", staff=people["manager"])
    start(client, people["person"])
    assessment = latest_assessment()
    client.post("/logout")
    login("practitioner", staff=people["stranger"])
    assert client.get(f"/capability/assessments/{assessment.id}").status_code == 403
    assert client.get(f"/capability/people/{people['person'].id}").status_code == 403
    assert client.post(f"/capability/assessments/{assessment.id}/comment").status_code == 403
    client.post("/logout")
    login("ld_officer")
    assert client.get(f"/capability/assessments/{assessment.id}").status_code == 403
    assert client.get(f"/capability/teams/{people['team'].id}").status_code == 200


def test_a_self_assessment_is_shown_beside_the_ratings_but_is_not_a_gap(client, login, people):
    login("practitioner", staff=people["person"])
    page = client.get(f"/capability/people/{people['person'].id}/assessments/new").get_data(
        as_text=True
    )
    assert "Self-assessment" in page and "Supervisor assessment" not in page
    assert start(client, people["person"], kind="self").status_code == 302
    assessment = latest_assessment()
    rate_all(client, assessment.id, {}, default="developing")
    client.post(f"/capability/assessments/{assessment.id}/sign-off")
    page = client.get(f"/capability/people/{people['person'].id}").get_data(as_text=True)
    assert "No domain is below the expected level" in page
    assert page.count("Developing") == 9
    # Nobody can write someone else's self-assessment.
    assert start(client, people["stranger"], kind="self").status_code == 403


def test_actions_are_marked_done_after_sign_off(client, login, people):
    login("supervisor", staff=people["manager"])
    start(client, people["person"])
    assessment = latest_assessment()
    rate_all(client, assessment.id, {})
    client.post(
        f"/capability/assessments/{assessment.id}/actions/new",
        data={
            "description": "Shadow a court hearing",
            "owner": "Pat Person",
            **dated("due_date", date.today() + timedelta(days=30)),
        },
    )
    action = db.session.scalars(select(DevelopmentAction)).one()
    client.post(f"/capability/assessments/{assessment.id}/sign-off")
    response = client.post(
        f"/capability/actions/{action.id}/done", data=dated("completed_on", date.today())
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(DevelopmentAction, action.id).completed_on == date.today()
    response = client.post(
        f"/capability/actions/{action.id}/done",
        data=dated("completed_on", date.today() + timedelta(days=2)),
    )
    assert "The date done must be today or in the past" in response.get_data(as_text=True)


def test_an_action_due_before_the_assessment_is_refused(client, login, people):
    login("supervisor", staff=people["manager"])
    start(client, people["person"])
    assessment = latest_assessment()
    response = client.post(
        f"/capability/assessments/{assessment.id}/actions/new",
        data={
            "description": "Read the court skills guide",
            "owner": "Pat",
            **dated("due_date", date.today() - timedelta(days=1)),
        },
    )
    assert "The due date must be on or after the assessment date" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(DevelopmentAction)) == 0


def test_discarding_a_draft_asks_first_and_is_audited(client, login, people):
    login("supervisor", staff=people["manager"])
    start(client, people["person"])
    assessment = latest_assessment()
    page = client.get(f"/capability/assessments/{assessment.id}/discard").get_data(as_text=True)
    assert "Delete this draft assessment?" in page
    assert client.post(f"/capability/assessments/{assessment.id}/discard").status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Assessment)) == 0
    deleted = db.session.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.entity_type == "Assessment", AuditEvent.action == "delete")
    )
    assert deleted == 1


def test_completed_training_is_evidence_not_a_rating(client, login, people):
    knowledge = next(d for d in domains() if d.name == "Knowledge")
    course = Course(
        title="Research in practice",
        provider="in_house",
        delivery_mode="workshop",
        cpd_hours=Decimal("3"),
        cost_per_place=Decimal("0"),
    )
    course.domains = [knowledge]
    db.session.add(course)
    db.session.flush()
    starts = datetime.combine(date.today() - timedelta(days=20), datetime.min.time()).replace(
        hour=9
    )
    session = TrainingSession(
        course_id=course.id, starts_at=starts, ends_at=starts + timedelta(hours=3), capacity=5
    )
    db.session.add(session)
    db.session.flush()
    db.session.add(
        Booking(
            session_id=session.id,
            staff_id=people["person"].id,
            status="booked",
            attendance="attended",
        )
    )
    db.session.commit()
    login("supervisor", staff=people["manager"])
    start(client, people["person"])
    assessment = latest_assessment()
    rate_all(client, assessment.id, {"Knowledge": "developing"})
    client.post(f"/capability/assessments/{assessment.id}/sign-off")
    page = client.get(f"/capability/people/{people['person'].id}").get_data(as_text=True)
    assert "Research in practice, attended" in page
    assert "Knowledge: developing" in page


def test_the_due_list_shows_people_not_assessed_in_twelve_months(client, login, people):
    login("supervisor", staff=people["manager"])
    page = client.get("/capability/due").get_data(as_text=True)
    assert "Pat Person" in page
    assert "Stan" not in page  # not one of the supervisor's people
    start(client, people["person"])
    assessment = latest_assessment()
    rate_all(client, assessment.id, {})
    client.post(f"/capability/assessments/{assessment.id}/sign-off")
    page = client.get("/capability/due").get_data(as_text=True)
    assert "Pat Person" not in page


def test_a_practitioner_cannot_see_team_pages(client, login, people):
    login("practitioner", staff=people["person"])
    for path in ("/capability/teams", f"/capability/teams/{people['team'].id}", "/capability/due"):
        assert client.get(path).status_code == 403
    assert client.get("/capability/").status_code == 200
    assert client.get(f"/capability/people/{people['person'].id}").status_code == 200


def test_the_staff_record_shows_the_expected_level(client, login, people):
    login("hr")
    page = client.get(f"/staff/{people['person'].id}").get_data(as_text=True)
    assert "Professional Capabilities Framework: Social worker" in page


# --- role profiles ---------------------------------------------------------------------


def profile_form(**overrides: Any) -> dict[str, Any]:
    return {
        "name": "Team manager",
        "level": "",
        "post_title": "Team manager",
        "org_role": "3",
        "grade": "",
        "active": "y",
        **overrides,
    }


def test_hr_adds_a_role_profile_with_a_pathway(client, login, people):
    login("hr")
    advanced = pcf_level("Advanced")
    manager_pathway = next(p for p in advanced.pathways if p.name == "Social work manager")
    response = client.post("/capability/profiles/new", data=profile_form(level=f"{advanced.id}"))
    assert "Choose a level of the framework from the list" in response.get_data(as_text=True)
    response = client.post(
        "/capability/profiles/new",
        data=profile_form(level=f"{advanced.id}:{manager_pathway.id}"),
    )
    assert response.status_code == 302
    profile = db.session.scalars(
        select(RoleProfile).where(RoleProfile.name == "Team manager")
    ).one()
    assert profile.pathway_id == manager_pathway.id
    page = client.get("/capability/profiles").get_data(as_text=True)
    assert "Advanced (Social work manager)" in page


def test_profiles_refuse_duplicates_and_unknown_levels(client, login, people):
    login("hr")
    response = client.post(
        "/capability/profiles/new",
        data=profile_form(
            name="Another", post_title="", org_role="", grade="SW2", level=str(pcf_level("ASYE").id)
        ),
    )
    assert "already matches exactly these posts" in response.get_data(as_text=True)
    response = client.post("/capability/profiles/new", data=profile_form(level="abc"))
    assert "Choose a level of the framework from the list" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(RoleProfile)) == 1


def test_who_may_see_and_change_profiles(client, login, people):
    login("ld_officer")
    assert client.get("/capability/profiles").status_code == 200
    assert client.get("/capability/profiles/new").status_code == 403
    assert client.get(f"/capability/profiles/{people['profile'].id}/edit").status_code == 403
    client.post("/logout")
    login("practitioner", staff=people["person"])
    assert client.get("/capability/profiles").status_code == 403


def test_the_profile_list_counts_people_and_warns_of_the_unmatched(client, login, people):
    outsider = builders.make_staff(people["team"], org_role=None)
    outsider.spells[0].grade = "BS2"
    db.session.commit()
    login("hr")
    page = client.get("/capability/profiles").get_data(as_text=True)
    assert "1 person in post matches no role profile" in page
    row = page[page.index('<td class="govuk-table__cell">Social worker</td>') :]
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">3</td>' in row


def test_the_home_page_points_to_what_needs_doing(client, login, people):
    login("supervisor", staff=people["manager"])
    page = client.get("/").get_data(as_text=True)
    # Pat only: the manager is not counted among the people they manage.
    assert "1 person you manage has no assessment in the last 12 months" in page
    start(client, people["person"])
    client.post("/logout")
    login("practitioner", staff=people["person"])
    page = client.get("/").get_data(as_text=True)
    assert "Supervisor assessment by" in page and "a draft you can comment on" in page


def test_a_draft_self_assessment_is_private_to_its_author(client, login, people):
    login("practitioner", staff=people["person"])
    start(client, people["person"], kind="self")
    draft = latest_assessment()
    assert client.get(f"/capability/assessments/{draft.id}").status_code == 200
    client.post("/logout")
    login("supervisor", staff=people["manager"])
    assert client.get(f"/capability/assessments/{draft.id}").status_code == 403
    page = client.get(f"/capability/people/{people['person'].id}").get_data(as_text=True)
    assert "There are no assessments yet" in page


def _queries(client: Any, path: str) -> int:
    from sqlalchemy import event

    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len(statements)


def _assess(client: Any, staff: Any, actions: int = 1) -> None:
    start(client, staff)
    assessment = latest_assessment()
    rate_all(client, assessment.id, {"Knowledge": "developing"})
    for n in range(actions):
        client.post(
            f"/capability/assessments/{assessment.id}/actions/new",
            data={
                "description": f"Action {n}",
                "owner": "Pat",
                **dated("due_date", date.today() + timedelta(days=10 + n)),
                "domain": str(domains()[n % 9].id),
            },
        )
    client.post(f"/capability/assessments/{assessment.id}/sign-off")


def test_heatmap_and_person_pages_do_not_query_per_row(client, login, people):
    login("supervisor", staff=people["manager"])
    _assess(client, people["person"], actions=1)
    heatmap = f"/capability/teams/{people['team'].id}"
    person = f"/capability/people/{people['person'].id}"
    few = (_queries(client, heatmap), _queries(client, person))
    for _ in range(4):
        colleague = builders.make_staff(people["team"], manager=people["manager"])
        _assess(client, colleague)
    _assess(client, people["person"], actions=6)
    many = (_queries(client, heatmap), _queries(client, person))
    assert many == few
