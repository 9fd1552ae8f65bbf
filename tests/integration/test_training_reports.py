"""The three training reports computed on small hand-built data, checked against hand counts.

The world (built by ``build_world``; figures counted by hand in the comments):

Teams Alpha and Beta. In the reporting year 2025 (1 April 2025 to 31 March 2026):

- Course A "Signs of Safety foundation": £100 a place, Signs of Safety, PCF domains 1 and 2,
  12-month refresher, mandatory for census role 5.
  - A1, 10 May 2025, 3 places, completed: a1 attended, a2 partly, b1 did not attend,
    a3 on the waiting list, a4's booking cancelled.
  - A2, 1 September 2025, 5 places, still "scheduled" but its register is marked:
    mover attended (in Beta since 1 July 2025), a1 attended again.
  - A3, 1 October 2025, cancelled (a booking on it, never counted).
  - Outside the year: A0, 1 June 2024 (a4 attended) and A4, 1 December 2024 (a3 attended).
- Course B "Safeguarding update": £50 a place, no practice model, PCF domain 1.
  - B1, 1 February 2026, 10 places, completed, nobody booked.
  - B2, 1 March 2027, scheduled, not delivered.
- Course C "Data protection": no refresher, mandatory for "other" posts (no census role);
  b2 attended C0 on 6 January 2020.
- Course D: mandatory for role 5 but withdrawn (inactive): never in the matrix.
"""

from __future__ import annotations

import itertools
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import event, select

from tests import builders
from workforce.extensions import db
from workforce.models import (
    Booking,
    Course,
    CourseAudience,
    EmploymentSpell,
    Evaluation,
    ImpactFollowUp,
    PracticeModel,
    TrainingSession,
)
from workforce.reports import run_report
from workforce.reports.base import Parameters
from workforce.reports.registry import get
from workforce.reports.training import own_mandatory_training
from workforce.services.frameworks import pcf

_titles = itertools.count(1)

YEAR_2025 = {"start": date(2025, 4, 1), "end": date(2026, 3, 31), "year": 2025}


def make_course(title: str, **values: Any) -> Course:
    mandatory_for = values.pop("mandatory_for", ())
    course = Course(
        title=f"{title} {next(_titles)}",
        provider=values.pop("provider", "in_house"),
        delivery_mode=values.pop("delivery_mode", "face_to_face"),
        cost_per_place=Decimal(values.pop("cost", "0")),
        **values,
    )
    course.audiences = [CourseAudience(kind="role", value=v, mandatory=True) for v in mandatory_for]
    db.session.add(course)
    db.session.flush()
    return course


def make_session(
    course: Course, day: date, capacity: int = 10, status: str = "completed"
) -> TrainingSession:
    session = TrainingSession(
        course_id=course.id,
        starts_at=datetime.combine(day, time(9, 30)),
        ends_at=datetime.combine(day, time(16, 0)),
        capacity=capacity,
        status=status,
    )
    db.session.add(session)
    db.session.flush()
    return session


def book(
    session: TrainingSession, staff: Any, attendance: str | None = None, status: str = "booked"
) -> Booking:
    booking = Booking(
        session_id=session.id, staff_id=staff.id, status=status, attendance=attendance
    )
    db.session.add(booking)
    db.session.flush()
    return booking


def evaluate(booking: Booking, overall: int, relevance: int, before: int, after: int) -> None:
    db.session.add(
        Evaluation(
            booking_id=booking.id,
            overall=overall,
            relevance=relevance,
            confidence_before=before,
            confidence_after=after,
        )
    )


def follow_up(booking: Booking, answer: str | None) -> None:
    db.session.add(
        ImpactFollowUp(booking_id=booking.id, due_on=date(2026, 1, 1), practice_changed=answer)
    )


def build_world() -> dict[str, Any]:
    """The world in the module docstring (committed)."""
    alpha = builders.make_team("Alpha")
    beta = builders.make_team("Beta")
    people = {
        "a1": builders.make_staff(alpha, first_name="Ann", last_name="Adams"),
        "a2": builders.make_staff(alpha, first_name="Ben", last_name="Baker"),
        "a3": builders.make_staff(alpha, first_name="Cat", last_name="Cole"),
        "a4": builders.make_staff(alpha, first_name="Dan", last_name="Dale"),
        "b1": builders.make_staff(beta, first_name="Eve", last_name="Evans"),
        "b2": builders.make_staff(beta, first_name="Fay", last_name="Ford", org_role=None),
        "mover": builders.make_staff(
            alpha, first_name="Gus", last_name="Green", end=date(2025, 6, 30)
        ),
        "leaver": builders.make_staff(
            alpha, first_name="Hal", last_name="Hill", end=date(2025, 8, 1), leaving_reason="1"
        ),
        "future": builders.make_staff(
            alpha, first_name="Ivy", last_name="Irwin", start=date(2026, 1, 5)
        ),
    }
    db.session.add(
        EmploymentSpell(
            staff_id=people["mover"].id,
            post_title="Social worker",
            org_role="5",
            contracted_hours=Decimal("37"),
            standard_hours=Decimal("37"),
            contract_type="permanent",
            team_id=beta.id,
            start_date=date(2025, 7, 1),
        )
    )
    domains = pcf().domains
    sos = db.session.scalar(select(PracticeModel).where(PracticeModel.name == "Signs of Safety"))
    course_a = make_course(
        "Signs of Safety foundation",
        cost="100",
        practice_model_id=sos.id,
        refresher_months=12,
        mandatory_for=("5",),
    )
    course_a.domains = [domains[0], domains[1]]
    course_b = make_course("Safeguarding update", cost="50")
    course_b.domains = [domains[0]]
    course_c = make_course("Data protection", mandatory_for=("other",))
    make_course("Withdrawn course", mandatory_for=("5",), active=False)

    p = people
    a1 = make_session(course_a, date(2025, 5, 10), capacity=3)
    a1_a1 = book(a1, p["a1"], "attended")
    a1_a2 = book(a1, p["a2"], "partial")
    book(a1, p["b1"], "did_not_attend")
    book(a1, p["a3"], status="waiting")
    book(a1, p["a4"], status="cancelled")
    a2 = make_session(course_a, date(2025, 9, 1), capacity=5, status="scheduled")
    a2_mover = book(a2, p["mover"], "attended")
    a2_a1 = book(a2, p["a1"], "attended")
    a3 = make_session(course_a, date(2025, 10, 1), capacity=5, status="cancelled")
    book(a3, p["a2"])
    a0 = make_session(course_a, date(2024, 6, 1))
    book(a0, p["a4"], "attended")
    a4 = make_session(course_a, date(2024, 12, 1))
    a4_a3 = book(a4, p["a3"], "attended")
    make_session(course_b, date(2026, 2, 1), capacity=10)
    make_session(course_b, date(2027, 3, 1), status="scheduled")
    c0 = make_session(course_c, date(2020, 1, 6))
    book(c0, p["b2"], "attended")

    evaluate(a1_a1, overall=5, relevance=4, before=2, after=4)
    evaluate(a1_a2, overall=3, relevance=3, before=3, after=3)
    evaluate(a2_mover, overall=4, relevance=5, before=1, after=4)
    evaluate(a4_a3, overall=1, relevance=1, before=5, after=1)  # outside the year
    follow_up(a1_a1, "yes")
    follow_up(a1_a2, "partly")
    follow_up(a2_mover, "no")
    follow_up(a2_a1, None)  # not answered yet
    db.session.commit()
    return {
        "alpha": alpha,
        "beta": beta,
        "people": people,
        "courses": {"A": course_a, "B": course_b, "C": course_c},
        "domains": domains,
    }


@pytest.fixture
def world(db_session: Any) -> dict[str, Any]:
    return build_world()


def run(name: str, viewer: Any = None, **values: Any) -> Any:
    return run_report(get(name), Parameters(**values), viewer)


def row_for(result: Any, label: str, key: str = "group") -> dict[str, Any]:
    (found,) = [r for r in result.rows if r[key].startswith(label)]
    return found


FIGURES = (
    "sessions_delivered",
    "places_offered",
    "places_filled",
    "attended",
    "partly_attended",
    "did_not_attend",
    "not_marked",
    "attendance_rate",
    "dna_rate",
    "staff_trained",
    "total_cost",
    "cost_per_attendee",
)


def figures(row: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(row[key] for key in FIGURES)


D = Decimal


# --- training statistics --------------------------------------------------------------


def test_training_by_course_matches_a_hand_count(world):
    result = run("training", **YEAR_2025, by="course")
    assert [r["group"].rsplit(" ", 1)[0] for r in result.rows] == [
        "Safeguarding update",
        "Signs of Safety foundation",
    ]
    course_a = row_for(result, "Signs of Safety")
    # Sessions A1 and A2 (A3 cancelled); 3 + 5 places; 5 filled; 3 attended, 1 partly,
    # 1 did not attend; 4 of 5 came; a1 and the mover trained; 5 x £100 over 4 attendees.
    assert figures(course_a) == (2, 8, 5, 3, 1, 1, 0, D("0.8"), D("0.2"), 2, D("500"), D("125"))
    assert course_a["practice_model"] == "Signs of Safety"
    assert course_a["pcf_domains"] == f"{world['domains'][0].name}; {world['domains'][1].name}"
    course_b = row_for(result, "Safeguarding")
    assert figures(course_b) == (1, 10, 0, 0, 0, 0, 0, None, None, 0, D("0"), None)
    assert figures(result.summary) == (
        3,
        18,
        5,
        3,
        1,
        1,
        0,
        D("0.8"),
        D("0.2"),
        2,
        D("500"),
        D("125"),
    )
    assert result.parameters["from"] == "2025-04-01"
    assert result.parameters["by"] == "course"


def test_training_by_team_uses_the_team_on_the_session_day(world):
    result = run("training", **YEAR_2025, by="team")
    assert [r["group"] for r in result.rows] == ["Alpha", "Beta"]
    # Alpha: a1 and a2 on A1, a1 on A2. Beta: b1 on A1, the mover (moved 1 July) on A2.
    alpha, beta = result.rows
    assert figures(alpha) == (2, None, 3, 2, 1, 0, 0, D("1"), D("0"), 1, D("300"), D("100"))
    assert figures(beta) == (2, None, 2, 1, 0, 1, 0, D("0.5"), D("0.5"), 1, D("200"), D("200"))
    assert result.summary["places_offered"] is None
    assert result.summary["staff_trained"] == 2


def test_training_for_one_team(world):
    result = run("training", **YEAR_2025, by="course", team_id=world["beta"].id)
    (course_a,) = result.rows  # course B had no Beta bookings
    assert figures(course_a) == (2, None, 2, 1, 0, 1, 0, D("0.5"), D("0.5"), 1, D("200"), D("200"))


def test_training_by_practice_model_and_by_domain(world):
    by_model = run("training", **YEAR_2025, by="practice_model")
    assert [r["group"] for r in by_model.rows] == ["Signs of Safety", "No practice model"]
    assert figures(by_model.rows[0])[:3] == (2, 8, 5)
    assert by_model.rows[0]["staff_trained"] == 2
    assert figures(by_model.rows[1])[:3] == (1, 10, 0)

    by_domain = run("training", **YEAR_2025, by="domain")
    first, second = world["domains"][0].name, world["domains"][1].name
    rows = {r["group"]: r for r in by_domain.rows}
    assert set(rows) == {first, second}
    # Domain 1 has courses A and B; domain 2 only A.
    assert figures(rows[first])[:4] == (3, 18, 5, 3)
    assert figures(rows[second])[:4] == (2, 8, 5, 3)
    assert rows[second]["staff_trained"] == 2
    assert by_domain.summary["sessions_delivered"] == 3  # each session once


def test_training_in_a_period_with_nothing(world):
    result = run("training", start=date(2019, 1, 1), end=date(2019, 12, 31), by="course")
    assert result.rows == []
    assert figures(result.summary) == (0, 0, 0, 0, 0, 0, 0, None, None, 0, D("0"), None)


def test_training_period_edges_count_the_day_a_session_starts(world):
    just_a1 = run("training", start=date(2025, 5, 10), end=date(2025, 5, 10), by="course")
    assert [r["sessions_delivered"] for r in just_a1.rows] == [1]
    none = run("training", start=date(2025, 5, 11), end=date(2025, 8, 31), by="course")
    assert none.rows == []


# --- evaluation -----------------------------------------------------------------------


def test_evaluation_by_course_matches_a_hand_count(world):
    result = run("training-evaluation", **YEAR_2025)
    (row,) = result.rows
    assert row["course"].startswith("Signs of Safety foundation")
    assert row == {
        "course": row["course"],
        "sessions": 2,
        "attendees": 4,  # a1 twice, a2 (partly), the mover
        "evaluations": 3,
        "response_rate": D("0.75"),
        "good_or_better": 2,  # ratings 5 and 4 (not 3)
        "good_or_better_rate": D("0.6667"),
        "mean_overall": D("4.00"),
        "mean_relevance": D("4.00"),
        "mean_confidence_before": D("2.00"),
        "mean_confidence_after": D("3.67"),
        "confidence_change": D("1.67"),
        "practice_changed_yes": 1,
        "practice_changed_partly": 1,
        "practice_changed_no": 1,
        "practice_changed_rate": D("0.6667"),
    }
    assert result.summary["evaluations"] == 3
    assert result.summary["good_or_better_rate"] == D("0.6667")


def test_evaluation_for_one_team(world):
    result = run("training-evaluation", **YEAR_2025, team_id=world["alpha"].id)
    (row,) = result.rows
    # Alpha's places: a1 and a2 on A1, a1 on A2: 3 attendees, 2 evaluations (5 and 3).
    assert (row["attendees"], row["evaluations"], row["good_or_better"]) == (3, 2, 1)
    assert row["good_or_better_rate"] == D("0.5")
    assert row["confidence_change"] == D("1.00")


# --- compliance -----------------------------------------------------------------------

ON = date(2025, 10, 1)


def matrix(result: Any, course: Course) -> dict[str, str]:
    return {r["name"].split(",")[0]: r[f"course_{course.id}"] for r in result.rows}


def test_compliance_matrix_matches_a_hand_count(world):
    course_a, course_c = world["courses"]["A"], world["courses"]["C"]
    result = run("training-compliance", on=ON, window_days=60)
    assert [c.label for c in result.columns[4:-3]] == [course_c.title, course_a.title]
    # In post on 1 October 2025: not the leaver or the future starter.
    assert matrix(result, course_a) == {
        "Adams": "Valid until 2026-09-01",  # A2, 1 September 2025
        "Baker": "Missing",  # only partly attended
        "Cole": "Valid until 2025-12-01",  # A4, 1 December 2024: 61 days ahead
        "Dale": "Expired 2025-06-01",  # A0, 1 June 2024
        "Evans": "Missing",  # did not attend
        "Ford": "Not required",  # no census role: "other"
        "Green": "Valid until 2026-09-01",
    }
    assert matrix(result, course_c)["Ford"] == "Valid (does not expire)"
    assert matrix(result, course_c)["Adams"] == "Not required"
    adams = result.rows[0]
    assert (adams["team"], adams["role"], adams["required"], adams["gaps"]) == (
        "Alpha",
        "Case holder",
        1,
        0,
    )
    assert result.rows[5]["role"] == "Other (outside the census)"
    assert result.rows[6]["team"] == "Beta"  # the mover's team on the day
    assert result.summary == {
        "people": 7,
        "required": 7,
        "valid": 4,
        "expiring": 0,
        "expired": 1,
        "missing": 2,
        "compliance_rate": D("0.5714"),
        "people_fully_compliant": 4,
    }
    by_course = {r["course"]: r for r in result.sections[0].rows}
    assert by_course[course_a.title] == {
        "course": course_a.title,
        "refresher": "12 months",
        "required": 6,
        "valid": 3,
        "expiring": 0,
        "expired": 1,
        "missing": 2,
        "compliance_rate": D("0.5"),
    }
    assert by_course[course_c.title]["valid"] == 1


def test_compliance_window_boundary_is_inclusive(world):
    course_a = world["courses"]["A"]
    # Cole's completion expires on 1 December 2025, 61 days after 1 October.
    assert matrix(run("training-compliance", on=ON, window_days=60), course_a)["Cole"].startswith(
        "Valid"
    )
    assert matrix(run("training-compliance", on=ON, window_days=61), course_a)["Cole"] == (
        "Expiring 2025-12-01"
    )
    assert (
        matrix(run("training-compliance", on=date(2025, 12, 2), window_days=0), course_a)["Cole"]
        == "Expired 2025-12-01"
    )


def test_compliance_for_one_team(world):
    result = run("training-compliance", on=ON, window_days=60, team_id=world["beta"].id)
    assert [r["name"] for r in result.rows] == ["Evans, Eve", "Ford, Fay", "Green, Gus"]
    assert result.summary["people"] == 3


def test_compliance_on_an_earlier_date_ignores_later_sessions(world):
    course_a = world["courses"]["A"]
    result = run("training-compliance", on=date(2025, 6, 1), window_days=60)
    cells = matrix(result, course_a)
    assert cells["Adams"] == "Valid until 2026-05-10"  # A1 only; A2 is later
    assert cells["Dale"] == "Expiring 2025-06-01"  # the expiry date itself
    assert "Green" in cells  # still in Alpha then


def test_a_supervisor_sees_only_the_people_they_manage(world):
    manager = builders.make_staff(
        builders.make_team("Gamma"), first_name="Mo", last_name="Manager", org_role="3"
    )
    for key in ("a1", "a2"):
        spell = world["people"][key].spells[0]
        spell.line_manager_id = manager.id
    db.session.commit()
    user = builders.make_user("supervisor", staff=manager)
    result = run("training-compliance", viewer=user, on=date.today(), window_days=60)
    assert sorted(r["name"] for r in result.rows) == ["Adams, Ann", "Baker, Ben", "Manager, Mo"]
    everyone = run(
        "training-compliance",
        viewer=builders.make_user("ld_officer"),
        on=date.today(),
        window_days=60,
    )
    assert len(everyone.rows) > 3


def test_own_mandatory_training(world):
    people = world["people"]
    ((title, standing),) = own_mandatory_training(people["a2"].id, ON, 60)
    assert title == world["courses"]["A"].title
    assert standing.status == "missing"
    assert [s.status for _, s in own_mandatory_training(people["b2"].id, ON, 60)] == ["valid"]
    assert own_mandatory_training(people["leaver"].id, ON, 60) == []


# --- set-based: the number of queries does not grow with the data -------------------------


def count_queries(fn: Any) -> int:
    statements: list[str] = []

    def before(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", before)
    try:
        fn()
    finally:
        event.remove(engine, "before_cursor_execute", before)
    return len(statements)


def test_reports_use_a_fixed_number_of_queries(world):
    viewer = builders.make_user("ld_officer")
    calls = {
        "compliance": lambda: run("training-compliance", viewer=viewer, on=ON, window_days=60),
        "training": lambda: run("training", **YEAR_2025, by="course"),
        "by team": lambda: run("training", **YEAR_2025, by="team"),
        "evaluation": lambda: run("training-evaluation", **YEAR_2025),
    }
    db.session.expire_all()
    before = {name: count_queries(fn) for name, fn in calls.items()}
    # Ten more people, each attending a session of course A.
    team = world["alpha"]
    extra = make_session(world["courses"]["A"], date(2025, 7, 1), capacity=20)
    for _ in range(10):
        book(extra, builders.make_staff(team), "attended")
    db.session.commit()
    db.session.expire_all()
    after = {name: count_queries(fn) for name, fn in calls.items()}
    assert after == before
    assert max(before.values()) <= 8
