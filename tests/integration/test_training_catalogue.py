"""The catalogue, evaluation, follow-up and CPD services on the database (SQLite and
PostgreSQL)."""

from __future__ import annotations

import itertools
import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select

from tests import builders
from workforce.extensions import db
from workforce.models import (
    AuditEvent,
    Booking,
    Course,
    CourseAudience,
    EmploymentSpell,
    Evaluation,
    ImpactFollowUp,
    PracticeModel,
    StrategicPriority,
    TrainingSession,
    Venue,
)
from workforce.services import ServiceError
from workforce.services import cpd as cpd_service
from workforce.services import evaluations as evaluation_service
from workforce.services import training_catalogue as catalogue
from workforce.services.cpd import CpdDetails
from workforce.services.evaluations import EvaluationDetails
from workforce.services.frameworks import pcf
from workforce.services.training_catalogue import CourseDetails, CourseFilters

_numbers = itertools.count(1)


# --------------------------------------------------------------------------- helpers


def unique(prefix: str) -> str:
    """A name no other test uses (reference tables persist between tests)."""
    return f"{prefix} {uuid.uuid4().hex[:8]}"


def details(**values: Any) -> CourseDetails:
    return CourseDetails(
        title=values.pop("title", f"Course {next(_numbers)}"),
        provider=values.pop("provider", "in_house"),
        delivery_mode=values.pop("delivery_mode", "face_to_face"),
        cpd_hours=values.pop("cpd_hours", Decimal("6")),
        cost_per_place=values.pop("cost_per_place", Decimal("0")),
        **values,
    )


def make_course(**values: Any) -> Course:
    course = catalogue.create_course(details(**values))
    db.session.commit()
    return course


def make_session(
    course: Course, ends: datetime = datetime(2025, 1, 31, 16, 0), status: str = "scheduled"
) -> TrainingSession:
    session = TrainingSession(
        course_id=course.id,
        starts_at=ends - timedelta(hours=6),
        ends_at=ends,
        capacity=10,
        status=status,
    )
    db.session.add(session)
    db.session.commit()
    return session


def book(session: TrainingSession, staff: Any, attendance: str | None = "attended") -> Booking:
    booking = Booking(
        session_id=session.id, staff_id=staff.id, status="booked", attendance=attendance
    )
    db.session.add(booking)
    db.session.commit()
    return booking


def domains(n: int) -> list[int]:
    return [d.id for d in pcf().domains[:n]]


# --------------------------------------------------------------------------- courses


def test_create_course_links_domains_priorities_model_and_audiences(db_session):
    priority = db.session.scalars(select(StrategicPriority).order_by(StrategicPriority.id)).first()
    model = db.session.scalar(select(PracticeModel).where(PracticeModel.name == "Triple P"))
    course = catalogue.create_course(
        details(
            title="  Signs of Safety   foundation ",
            cpd_hours=Decimal("6.5"),
            cost_per_place=Decimal("120.505"),
            domain_ids=domains(2),
            priority_ids=[priority.id],
            practice_model_id=model.id,
            target_roles=["5"],
            target_tiers=["complex", "severe"],
            mandatory_roles=["4"],
            refresher_months=24,
        )
    )
    db.session.commit()
    assert course.title == "Signs of Safety foundation"
    assert course.cost_per_place == Decimal("120.51")
    assert [d.id for d in course.domains] == domains(2)
    assert course.priorities == [priority] and course.practice_model == model
    audiences = {(a.kind, a.value, a.mandatory) for a in course.audiences}
    # A mandatory role is also a target role.
    assert audiences == {
        ("role", "4", True),
        ("role", "5", False),
        ("tier", "complex", False),
        ("tier", "severe", False),
    }
    assert course.impact_follow_up_months == 3 and course.refresher_months == 24
    created = db.session.scalars(
        select(AuditEvent.entity_type).where(AuditEvent.action == "create")
    )
    assert {"Course", "CourseAudience"} <= set(created)


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"title": " "}, "title", "Enter a course title"),
        ({"cpd_hours": Decimal("-1")}, "cpd_hours", "CPD hours cannot be negative"),
        ({"cpd_hours": None}, "cpd_hours", "Enter the CPD hours"),
        (
            {"cost_per_place": Decimal("-0.01")},
            "cost_per_place",
            "Cost per place cannot be negative",
        ),
        ({"provider": "guild"}, "provider", "Select a provider"),
        ({"delivery_mode": "telepathy"}, "delivery_mode", "Select a delivery mode"),
        ({"target_roles": ["9"]}, "target_roles", "Unknown role: 9"),
        ({"mandatory_roles": ["chief"]}, "mandatory_roles", "Unknown role: chief"),
        ({"target_tiers": ["galactic"]}, "target_tiers", "Unknown tier of need: galactic"),
        ({"refresher_months": 0}, "refresher_months", "from 1 to 240"),
        ({"impact_follow_up_months": 99}, "impact_follow_up_months", "from 1 to 36"),
        ({"domain_ids": [999999]}, "domain_ids", "Select PCF domains from the list"),
        ({"priority_ids": [999999]}, "priority_ids", "Select strategic priorities from the list"),
        ({"practice_model_id": 999999}, "practice_model_id", "Select a practice model"),
    ],
)
def test_course_validation_names_the_field(db_session, values, field, message):
    with pytest.raises(ServiceError, match=message) as refused:
        catalogue.create_course(details(**values))
    assert refused.value.field == field
    db.session.rollback()
    assert db.session.scalar(select(func.count(Course.id))) == 0


def test_duplicate_title_is_refused_whatever_the_capitals(db_session):
    first = make_course(title="Restorative Practice")
    with pytest.raises(ServiceError, match="already exists"):
        catalogue.create_course(details(title="restorative  PRACTICE"))
    db.session.rollback()
    # The course may keep its own title when edited.
    catalogue.update_course(first, details(title="RESTORATIVE practice"))
    db.session.commit()
    assert first.title == "RESTORATIVE practice"


def test_inactive_model_cannot_be_chosen_but_an_existing_link_is_kept(db_session):
    model = catalogue.save_practice_model(PracticeModel(), unique("Old model"), None, True)
    course = make_course(practice_model_id=model.id)
    catalogue.save_practice_model(model, model.name, None, False)
    db.session.commit()
    catalogue.update_course(course, details(title=course.title, practice_model_id=model.id))
    with pytest.raises(ServiceError, match="practice model"):
        catalogue.create_course(details(practice_model_id=model.id))


def test_update_changes_audiences_in_place(db_session):
    course = make_course(target_roles=["4", "5"], mandatory_roles=["5"], target_tiers=["complex"])
    kept = next(a for a in course.audiences if a.value == "5")
    catalogue.update_course(
        course, details(title=course.title, target_roles=["5", "other"], mandatory_roles=[])
    )
    db.session.commit()
    rows = db.session.scalars(select(CourseAudience).where(CourseAudience.course_id == course.id))
    assert {(a.kind, a.value, a.mandatory) for a in rows} == {
        ("role", "5", False),
        ("role", "other", False),
    }
    assert kept.id in {a.id for a in course.audiences}


def test_a_course_without_sessions_is_deleted_with_its_links(db_session):
    course = make_course(domain_ids=domains(2), target_roles=["5"])
    catalogue.delete_course(course)
    db.session.commit()
    assert db.session.scalar(select(func.count(Course.id))) == 0
    assert db.session.scalar(select(func.count(CourseAudience.id))) == 0
    assert db.session.scalar(
        select(func.count(AuditEvent.id)).where(
            AuditEvent.entity_type == "Course", AuditEvent.action == "delete"
        )
    )


def test_a_course_with_sessions_is_deactivated_not_deleted(db_session):
    course = make_course()
    make_session(course)
    with pytest.raises(ServiceError, match="Deactivate it instead"):
        catalogue.delete_course(course)
    db.session.rollback()
    catalogue.set_course_active(course, False)
    db.session.commit()
    assert db.session.get(Course, course.id).active is False


def test_course_list_filters(db_session):
    model = db.session.scalar(
        select(PracticeModel).where(PracticeModel.name == "Solihull Approach")
    )
    solihull = make_course(
        title="Solihull Approach foundation",
        practice_model_id=model.id,
        domain_ids=domains(1),
        delivery_mode="workshop",
    )
    elearning = make_course(
        title="Data protection", provider="external", delivery_mode="e_learning"
    )
    retired = make_course(title="Old Solihull refresher", active=False)

    def titles(**values: Any) -> list[str]:
        return [
            c.title
            for c in db.session.scalars(catalogue.course_list_query(CourseFilters(**values)))
        ]

    assert titles() == ["Data protection", "Solihull Approach foundation"]
    assert titles(q="solihull") == [solihull.title]
    assert titles(q="solihull", active="all") == [retired.title, solihull.title]
    assert titles(active="no") == [retired.title]
    assert titles(practice_model_id=model.id) == [solihull.title]
    assert titles(domain_id=domains(1)[0]) == [solihull.title]
    assert titles(domain_id=domains(2)[1]) == []
    assert titles(provider="external") == [elearning.title]
    assert titles(delivery_mode="workshop") == [solihull.title]
    assert titles(q="100%") == []


# --------------------------------------------------------------------------- lists


def test_priorities_are_added_grouped_and_renamed(db_session):
    source = unique("Test council priorities")
    first = catalogue.save_priority(StrategicPriority(), "Early help", source, None, True)
    # Same source typed differently is taken as the same source.
    second = catalogue.save_priority(StrategicPriority(), "Safeguarding", source.upper(), "x", True)
    db.session.commit()
    assert second.source == source and (first.position, second.position) == (1, 2)
    with pytest.raises(ServiceError, match="already has a priority with this name"):
        catalogue.save_priority(StrategicPriority(), "EARLY HELP", source, None, True)
    db.session.rollback()
    catalogue.save_priority(first, "Early help and prevention", source, None, False)
    db.session.commit()
    group = dict(catalogue.all_priorities_by_source())[source]
    assert [(p.name, p.active) for p in group] == [
        ("Early help and prevention", False),
        ("Safeguarding", True),
    ]
    # Inactive priorities are not offered for new links.
    offered = dict(catalogue.priority_groups())[source]
    assert [p.name for p in offered] == ["Safeguarding"]


def test_practice_model_and_venue_names_are_unique(db_session):
    with pytest.raises(ServiceError, match="already exists"):
        catalogue.save_practice_model(PracticeModel(), "triple p", None, True)
    db.session.rollback()
    with pytest.raises(ServiceError, match="Enter the name"):
        catalogue.save_practice_model(PracticeModel(), "  ", None, True)
    db.session.rollback()
    venue = catalogue.save_venue(Venue(), "The Learning House", "Lincoln", True)
    db.session.commit()
    with pytest.raises(ServiceError, match="A venue with this name already exists"):
        catalogue.save_venue(Venue(), "the learning house", None, True)
    db.session.rollback()
    catalogue.save_venue(venue, "Learning House, Lincoln", None, False)
    db.session.commit()
    assert (venue.name, venue.address, venue.active) == ("Learning House, Lincoln", None, False)


# --------------------------------------------------------------------------- evaluations

GOOD = EvaluationDetails(overall=4, relevance=5, confidence_before=2, confidence_after=4)
AFTER_SESSION = datetime(2025, 2, 1, 9, 0)


def test_attendee_evaluates_their_own_session(db_session):
    staff = builders.make_staff()
    user = builders.make_user("practitioner", staff=staff)
    booking = book(make_session(make_course()), staff)
    evaluation = evaluation_service.save_evaluation(booking, GOOD, user, now=AFTER_SESSION)
    db.session.commit()
    assert (evaluation.source, evaluation.entered_by_user_id, evaluation.overall) == (
        "self",
        user.id,
        4,
    )


def test_officer_enters_a_paper_form_and_there_is_one_evaluation_per_booking(db_session):
    staff = builders.make_staff()
    officer = builders.make_user("ld_officer")
    booking = book(make_session(make_course()), staff, attendance="partial")
    evaluation_service.save_evaluation(booking, GOOD, officer, now=AFTER_SESSION)
    changed = EvaluationDetails(overall=2, relevance=2, confidence_before=3, confidence_after=3)
    evaluation_service.save_evaluation(booking, changed, officer, now=AFTER_SESSION)
    db.session.commit()
    [evaluation] = db.session.scalars(select(Evaluation)).all()
    assert (evaluation.source, evaluation.entered_by_user_id) == ("paper", officer.id)
    assert evaluation.overall == 2


@pytest.mark.parametrize(
    ("attendance", "status", "now", "message"),
    [
        ("did_not_attend", "scheduled", AFTER_SESSION, "Only people who attended"),
        (None, "scheduled", AFTER_SESSION, "Only people who attended"),
        ("attended", "scheduled", datetime(2025, 1, 31, 15, 59), "has not ended yet"),
        ("attended", "cancelled", AFTER_SESSION, "was cancelled"),
    ],
)
def test_evaluations_are_refused_when_the_session_cannot_be_evaluated(
    db_session, attendance, status, now, message
):
    staff = builders.make_staff()
    user = builders.make_user("practitioner", staff=staff)
    booking = book(make_session(make_course(), status=status), staff, attendance=attendance)
    with pytest.raises(ServiceError, match=message):
        evaluation_service.save_evaluation(booking, GOOD, user, now=now)


@pytest.mark.parametrize("bad", [0, 6, None])
def test_ratings_outside_1_to_5_are_refused(db_session, bad):
    staff = builders.make_staff()
    user = builders.make_user("practitioner", staff=staff)
    booking = book(make_session(make_course()), staff)
    values = EvaluationDetails(overall=4, relevance=bad, confidence_before=1, confidence_after=5)
    with pytest.raises(ServiceError, match="choose a rating from 1 to 5") as refused:
        evaluation_service.save_evaluation(booking, values, user, now=AFTER_SESSION)
    assert refused.value.field == "relevance"


def test_someone_else_cannot_evaluate_and_the_attendee_is_locked_out_after_the_window(db_session):
    staff, other = builders.make_staff(), builders.make_staff()
    user = builders.make_user("practitioner", staff=staff)
    stranger = builders.make_user("supervisor", staff=other)
    booking = book(make_session(make_course()), staff)
    with pytest.raises(ServiceError, match="only evaluate sessions you attended"):
        evaluation_service.save_evaluation(booking, GOOD, stranger, now=AFTER_SESSION)
    evaluation = evaluation_service.save_evaluation(booking, GOOD, user, now=AFTER_SESSION)
    db.session.commit()
    assert evaluation_service.may_edit_evaluation(user, booking)
    evaluation.created_at = datetime.now() - timedelta(days=15)
    db.session.commit()
    assert not evaluation_service.may_edit_evaluation(user, booking)
    with pytest.raises(ServiceError, match="can no longer be changed"):
        evaluation_service.save_evaluation(booking, GOOD, user, now=AFTER_SESSION)
    officer = builders.make_user("ld_officer")
    assert evaluation_service.may_edit_evaluation(officer, booking)


def test_sessions_to_evaluate_lists_only_ended_attended_unevaluated_sessions(db_session):
    staff = builders.make_staff()
    user = builders.make_user("practitioner", staff=staff)
    course = make_course()
    done = book(make_session(course, ends=datetime(2025, 1, 10, 16)), staff)
    waiting = book(make_session(course, ends=datetime(2025, 1, 20, 16)), staff)
    book(make_session(course, ends=datetime(2025, 1, 25, 16)), staff, attendance="did_not_attend")
    book(make_session(course, ends=datetime(2025, 3, 1, 16)), staff, attendance=None)
    evaluation_service.save_evaluation(done, GOOD, user, now=AFTER_SESSION)
    db.session.commit()
    listed = evaluation_service.sessions_to_evaluate(staff.id, now=AFTER_SESSION)
    assert [b.id for b in listed] == [waiting.id]


def test_course_summary_counts_good_or_better(db_session):
    officer = builders.make_user("ld_officer")
    course = make_course()
    session = make_session(course)
    for overall in (5, 4, 3):
        booking = book(session, builders.make_staff())
        evaluation_service.save_evaluation(
            booking,
            EvaluationDetails(
                overall=overall, relevance=3, confidence_before=2, confidence_after=3
            ),
            officer,
            now=AFTER_SESSION,
        )
    db.session.commit()
    summary = evaluation_service.course_evaluation_summary(course.id)
    assert (summary.count, summary.good_or_better) == (3, 2)
    assert summary.good_or_better_percent == Decimal("66.7")


# --------------------------------------------------------------------------- follow-ups


def test_follow_up_falls_due_months_after_the_session_and_is_created_once(db_session):
    manager = builders.make_staff()
    staff = builders.make_staff(manager=manager)
    course = make_course(impact_follow_up_months=3)
    booking = book(make_session(course, ends=datetime(2025, 1, 31, 16)), staff)

    assert evaluation_service.schedule_impact_follow_ups(date(2025, 4, 29)) == 0
    assert evaluation_service.schedule_impact_follow_ups(date(2025, 4, 30)) == 1
    db.session.commit()
    assert evaluation_service.schedule_impact_follow_ups(date(2025, 4, 30)) == 0
    assert evaluation_service.schedule_impact_follow_ups(date(2025, 6, 1)) == 0
    [follow_up] = db.session.scalars(select(ImpactFollowUp)).all()
    assert follow_up.booking_id == booking.id
    assert follow_up.due_on == date(2025, 4, 30)
    assert follow_up.supervisor_staff_id == manager.id


def test_follow_up_that_fell_due_over_a_year_ago_is_not_created(db_session):
    staff = builders.make_staff(manager=builders.make_staff())
    book(
        make_session(make_course(impact_follow_up_months=3), ends=datetime(2025, 1, 31, 16)), staff
    )
    # Due on 30 April 2025: a year and a day later it is too late to ask.
    assert evaluation_service.schedule_impact_follow_ups(date(2026, 5, 1)) == 0
    assert evaluation_service.schedule_impact_follow_ups(date(2026, 4, 30)) == 1


def test_follow_up_goes_to_the_line_manager_in_force_on_the_due_date(db_session):
    first_manager, second_manager = builders.make_staff(), builders.make_staff()
    staff = builders.make_staff(start=date(2020, 1, 6), manager=first_manager)
    [spell] = staff.spells
    spell.end_date = date(2025, 3, 31)
    db.session.add(
        EmploymentSpell(
            staff_id=staff.id,
            post_title="Senior social worker",
            org_role="4",
            contracted_hours=Decimal("37"),
            standard_hours=Decimal("37"),
            contract_type="permanent",
            team_id=spell.team_id,
            line_manager_id=second_manager.id,
            start_date=date(2025, 4, 1),
        )
    )
    leaver = builders.make_staff(manager=first_manager, end=date(2025, 2, 28), leaving_reason="1")
    session = make_session(make_course(impact_follow_up_months=2), ends=datetime(2025, 1, 31, 16))
    book(session, staff)
    book(session, leaver)
    assert evaluation_service.schedule_impact_follow_ups(date(2025, 4, 1)) == 2
    due = {f.booking.staff_id: f for f in db.session.scalars(select(ImpactFollowUp))}
    assert due[staff.id].due_on == date(2025, 3, 31)
    # The move happened on 1 April, after the due date: the earlier manager is asked.
    assert due[staff.id].supervisor_staff_id == first_manager.id
    # Someone who had left by the due date has nobody to ask; L&D can still answer.
    assert due[leaver.id].supervisor_staff_id is None


def test_follow_up_uses_the_new_manager_when_the_move_came_first(db_session):
    first_manager, second_manager = builders.make_staff(), builders.make_staff()
    staff = builders.make_staff(manager=first_manager)
    [spell] = staff.spells
    spell.end_date = date(2025, 2, 28)
    db.session.add(
        EmploymentSpell(
            staff_id=staff.id,
            post_title="Senior social worker",
            contracted_hours=Decimal("37"),
            standard_hours=Decimal("37"),
            contract_type="permanent",
            team_id=spell.team_id,
            line_manager_id=second_manager.id,
            start_date=date(2025, 3, 1),
        )
    )
    book(
        make_session(make_course(impact_follow_up_months=3), ends=datetime(2025, 1, 31, 16)), staff
    )
    evaluation_service.schedule_impact_follow_ups(date(2025, 5, 1))
    [follow_up] = db.session.scalars(select(ImpactFollowUp)).all()
    assert follow_up.supervisor_staff_id == second_manager.id


def test_no_follow_up_without_attendance_interval_or_a_held_session(db_session):
    staff = builders.make_staff(manager=builders.make_staff())
    with_follow_up = make_course(impact_follow_up_months=1)
    without = make_course(impact_follow_up_months=None)
    book(make_session(with_follow_up, ends=datetime(2025, 1, 10, 16)), staff, "did_not_attend")
    book(make_session(with_follow_up, ends=datetime(2025, 1, 11, 16), status="cancelled"), staff)
    book(make_session(without, ends=datetime(2025, 1, 12, 16)), staff)
    partial = book(make_session(with_follow_up, ends=datetime(2025, 1, 13, 16)), staff, "partial")
    assert evaluation_service.schedule_impact_follow_ups(date(2025, 6, 1)) == 1
    assert db.session.scalar(select(ImpactFollowUp.booking_id)) == partial.id


def test_only_the_named_supervisor_or_an_officer_answers(db_session):
    manager, other = builders.make_staff(), builders.make_staff()
    staff = builders.make_staff(manager=manager)
    book(make_session(make_course(impact_follow_up_months=1)), staff)
    evaluation_service.schedule_impact_follow_ups(date(2025, 3, 1))
    follow_up = db.session.scalar(select(ImpactFollowUp))
    stranger = builders.make_user("supervisor", staff=other)
    with pytest.raises(ServiceError, match="Only the attendee's supervisor"):
        evaluation_service.answer_follow_up(follow_up, "yes", "Uses the tools", stranger)
    supervisor = builders.make_user("supervisor", staff=manager)
    with pytest.raises(ServiceError, match="Give an example") as refused:
        evaluation_service.answer_follow_up(follow_up, "partly", " ", supervisor)
    assert refused.value.field == "example"
    with pytest.raises(ServiceError, match="Select whether practice has changed"):
        evaluation_service.answer_follow_up(follow_up, "maybe", "x", supervisor)
    evaluation_service.answer_follow_up(follow_up, "yes", "Uses safety mapping", supervisor)
    db.session.commit()
    assert follow_up.practice_changed == "yes" and follow_up.responded_by_user_id == supervisor.id
    assert follow_up.responded_at is not None
    officer = builders.make_user("ld_officer")
    evaluation_service.answer_follow_up(follow_up, "no", None, officer)
    assert follow_up.responded_by_user_id == officer.id


def test_follow_up_lists_show_each_supervisor_their_own(db_session):
    manager, other_manager = builders.make_staff(), builders.make_staff()
    mine = builders.make_staff(manager=manager)
    theirs = builders.make_staff(manager=other_manager)
    session = make_session(make_course(impact_follow_up_months=1))
    book(session, mine)
    book(session, theirs)
    evaluation_service.schedule_impact_follow_ups(date(2025, 3, 1))
    supervisor = builders.make_user("supervisor", staff=manager)
    officer = builders.make_user("ld_officer")

    def staff_ids(user: Any, **values: Any) -> set[int]:
        query = evaluation_service.follow_ups_query(user, today=date(2025, 3, 1), **values)
        return {f.booking.staff_id for f in db.session.scalars(query)}

    assert staff_ids(supervisor) == {mine.id}
    assert staff_ids(supervisor, scope="all") == {mine.id}
    assert staff_ids(officer, scope="all") == {mine.id, theirs.id}
    assert staff_ids(supervisor, state="answered") == set()
    follow_up = db.session.scalar(
        select(ImpactFollowUp).where(ImpactFollowUp.supervisor_staff_id == manager.id)
    )
    # Due on 28 February; overdue once it has waited more than 28 days.
    assert follow_up.due_on == date(2025, 2, 28)
    assert not evaluation_service.is_overdue(follow_up, date(2025, 3, 28))
    assert evaluation_service.is_overdue(follow_up, date(2025, 3, 29))


# --------------------------------------------------------------------------- CPD


def cpd(**values: Any) -> CpdDetails:
    return CpdDetails(
        entry_type=values.pop("entry_type", "reading"),
        description=values.pop("description", "Read the research in practice briefing"),
        activity_date=values.pop("activity_date", date(2025, 1, 15)),
        learning=values.pop("learning", "Neglect indicators"),
        impact=values.pop("impact", "Better chronologies"),
        **values,
    )


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"entry_type": "party"}, "entry_type", "Select the type of CPD"),
        ({"description": " "}, "description", "Describe the CPD activity"),
        ({"activity_date": None}, "activity_date", "Enter the date"),
        ({"activity_date": date(2025, 6, 2)}, "activity_date", "cannot be in the future"),
        ({"learning": ""}, "learning", "Say what you learnt"),
        ({"impact": ""}, "impact", "Say what impact"),
        ({"peer_reflection": True}, "peer_reflection_detail", "Say who you reflected with"),
        ({"booking_id": 999999}, "booking_id", "Select one of your attended sessions"),
    ],
)
def test_cpd_validation(db_session, values, field, message):
    staff = builders.make_staff()
    with pytest.raises(ServiceError, match=message) as refused:
        cpd_service.create_cpd_entry(staff, cpd(**values), today=date(2025, 6, 1))
    assert refused.value.field == field


def test_cpd_entry_links_only_to_own_attended_session(db_session):
    staff, other = builders.make_staff(), builders.make_staff()
    session = make_session(make_course())
    own = book(session, staff)
    theirs = book(session, other)
    with pytest.raises(ServiceError, match="attended sessions"):
        cpd_service.create_cpd_entry(staff, cpd(booking_id=theirs.id), today=date(2025, 6, 1))
    entry = cpd_service.create_cpd_entry(
        staff,
        cpd(booking_id=own.id, peer_reflection=True, peer_reflection_detail="With my supervisor"),
        today=date(2025, 6, 1),
    )
    db.session.commit()
    assert entry.booking_id == own.id and entry.peer_reflection
    cpd_service.update_cpd_entry(entry, cpd(peer_reflection=False, peer_reflection_detail="x"))
    assert entry.peer_reflection_detail is None and entry.booking_id is None
    cpd_service.delete_cpd_entry(entry)
    db.session.commit()
    assert cpd_service.cpd_entries(staff.id) == []


def test_year_summaries_combine_hours_and_the_rule(db_session):
    staff = builders.make_staff()
    course = make_course(cpd_hours=Decimal("6"))
    book(make_session(course, ends=datetime(2024, 11, 30, 16)), staff)
    book(make_session(course, ends=datetime(2024, 12, 1, 16)), staff, attendance="partial")
    book(make_session(course, ends=datetime(2024, 12, 2, 16)), staff, attendance="did_not_attend")
    for day, peer in ((date(2024, 12, 1), True), (date(2025, 11, 30), False)):
        cpd_service.create_cpd_entry(
            staff,
            cpd(activity_date=day, peer_reflection=peer, peer_reflection_detail="Peer group"),
            today=date(2025, 12, 1),
        )
    db.session.commit()
    summaries = cpd_service.year_summaries(
        cpd_service.training_history(staff.id), cpd_service.cpd_entries(staff.id), date(2025, 12, 1)
    )
    assert [(s.year.end_year, s.cpd_hours, s.rule.met) for s in summaries] == [
        (2026, Decimal("0"), False),
        (2025, Decimal("3.0"), True),
        (2024, Decimal("6"), False),
    ]
