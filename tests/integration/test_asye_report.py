"""The asye-cohort report on small hand-made data, standing on 15 January 2026.

The programme: the child and family review points (0, 3, 6, 9 optional, 12, 13 months),
three observations and two KSS self-assessments required (5 pieces), 10% protected time,
24 months to complete, a workload cap of 80 points (full time).

Cohort "2025" (starts 1 October 2025):
- green (37 hours, line manager boss): from 1 October 2025; agreement and 3-month review held
  on track; sessions every window of the ASYE schedule (weekly to 11 November, then
  fortnightly); two observations and a KSS self-assessment up to the date (one more
  observation after it); 50 protected hours against 55.9 due; caseload 60 of 80. Next review:
  the 6-month review, 1 April 2026. Attended an ASYE workshop on Practice.
- amber (18.5 hours, assessor the assessor account): from 1 October 2025; 3-month review
  "some concerns"; no supervision (10 windows ended before the date, all missed); no
  protected time (27.9 due); caseload 50 against a cap of 40. Booked on the workshop, not
  attended.
- red (Beta team): from 1 July 2025, paused 1 to 31 August 2025; only the agreement held,
  so the 3-month review (due 1 November 2025 after the pause) is overdue; the 6-month review
  is due 1 February 2026.
- later: from 2 December 2024, passed on 20 January 2026 (after the date): still current.
Cohort "2023" (starts 2 October 2023):
- kept: passed 1 November 2024, still in post; left: passed 15 October 2024, left on
  30 June 2025; quit: withdrew 1 March 2024; slow: from 1 June 2023, no outcome, past the
  24-month deadline (1 June 2025).
Cohort "2022" (starts 3 October 2022): veteran, passed 1 November 2023, still in post.

Retention one year after passing: kept, left, veteran (3), of whom kept and veteran are
still in post; two years: veteran only (1 of 1).
"""

from __future__ import annotations

import itertools
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from tests import builders
from workforce.extensions import db
from workforce.models import Framework, FrameworkDomain
from workforce.models.asye import (
    AsyeCohort,
    AsyeEnrolment,
    AsyeEvidence,
    AsyePause,
    AsyeProgramme,
    AsyeReview,
    ProtectedTime,
)
from workforce.models.supervision import SupervisionAttendee, SupervisionSession
from workforce.models.training import Booking, Course, TrainingSession
from workforce.models.workforce_planning import CaseloadSnapshot
from workforce.reports.base import Parameters
from workforce.reports.registry import get

ON = date(2026, 1, 15)
_titles = itertools.count(1)

POINTS = [
    {"code": "agreement", "label": "Support and assessment agreement", "months": 0,
     "optional": False},
    {"code": "review_3", "label": "3-month review", "months": 3, "optional": False},
    {"code": "review_6", "label": "6-month review", "months": 6, "optional": False},
    {"code": "review_9", "label": "9-month review", "months": 9, "optional": True},
    {"code": "final", "label": "Final review", "months": 12, "optional": False},
    {"code": "moderation", "label": "Moderation panel", "months": 13, "optional": False},
]  # fmt: skip


def programme() -> AsyeProgramme:
    record = AsyeProgramme(
        name="Test ASYE",
        effective_from=date(2018, 9, 1),
        review_points=POINTS,
        evidence_requirements={
            "observation": {"label": "Direct observations", "required": 3},
            "kss_self_assessment": {"label": "KSS self-assessments", "required": 2},
        },
        protected_share=Decimal("0.100"),
        completion_months=24,
        workload_cap_points=Decimal("80"),
    )
    db.session.add(record)
    db.session.flush()
    return record


def build_world() -> dict[str, Any]:
    builders.load_supervision_policies()
    alpha = builders.make_team("Alpha")
    beta = builders.make_team("Beta")
    boss = builders.make_staff(alpha, first_name="Bea", last_name="Boss", org_role="3")
    manager = builders.make_user("supervisor", staff=boss)
    assessor = builders.make_user("supervisor")
    prog = programme()
    cohorts = {
        name: AsyeCohort(name=name, starts_on=day)
        for name, day in (
            ("2025", date(2025, 10, 1)),
            ("2023", date(2023, 10, 2)),
            ("2022", date(2022, 10, 3)),
        )
    }
    db.session.add_all(cohorts.values())

    def enrol(key: str, cohort: str, start: date, team: Any = alpha, **values: Any) -> Any:
        staff = builders.make_staff(
            team,
            first_name=key.title(),
            last_name="Nqsw",
            start=start,
            end=values.pop("left", None),
            manager=boss,
            hours=values.get("hours", "37"),
        )
        enrolment = AsyeEnrolment(
            staff_id=staff.id,
            cohort=cohorts[cohort],
            programme_id=prog.id,
            start_date=start,
            contracted_hours=Decimal(values.pop("hours", "37")),
            **values,
        )
        db.session.add(enrolment)
        db.session.flush()
        return enrolment

    e = {
        "green": enrol("green", "2025", date(2025, 10, 1), line_manager_id=boss.id),
        "amber": enrol("amber", "2025", date(2025, 10, 1), hours="18.5", assessor_id=assessor.id),
        "red": enrol("red", "2025", date(2025, 7, 1), team=beta),
        "later": enrol(
            "later", "2025", date(2024, 12, 2), outcome="passed", outcome_on=date(2026, 1, 20)
        ),
        "kept": enrol(
            "kept", "2023", date(2023, 10, 2), outcome="passed", outcome_on=date(2024, 11, 1)
        ),
        "left": enrol(
            "left",
            "2023",
            date(2023, 10, 2),
            outcome="passed",
            outcome_on=date(2024, 10, 15),
            left=date(2025, 6, 30),
        ),
        "quit": enrol(
            "quit", "2023", date(2023, 10, 2), outcome="withdrawn", outcome_on=date(2024, 3, 1)
        ),
        "slow": enrol("slow", "2023", date(2023, 6, 1)),
        "veteran": enrol(
            "veteran", "2022", date(2022, 10, 3), outcome="passed", outcome_on=date(2023, 11, 1)
        ),
    }
    green, amber, red = e["green"], e["amber"], e["red"]
    for enrolment, point, day, judgement in (
        (green, "agreement", date(2025, 10, 1), "on_track"),
        (green, "review_3", date(2026, 1, 2), "on_track"),
        (amber, "agreement", date(2025, 10, 1), "on_track"),
        (amber, "review_3", date(2026, 1, 5), "some_concerns"),
        (red, "agreement", date(2025, 7, 1), "on_track"),
    ):
        db.session.add(
            AsyeReview(enrolment_id=enrolment.id, point=point, held_on=day, judgement=judgement)
        )
    db.session.add(
        AsyePause(
            enrolment_id=red.id,
            start_date=date(2025, 8, 1),
            end_date=date(2025, 8, 31),
            reason="sickness",
        )
    )
    for kind, day in (
        ("observation", date(2025, 11, 1)),
        ("observation", date(2025, 12, 1)),
        ("observation", date(2026, 1, 20)),  # after the date
        ("kss_self_assessment", date(2025, 10, 2)),
    ):
        db.session.add(AsyeEvidence(enrolment_id=green.id, kind=kind, dated=day, title="Evidence"))
    for day, hours in (
        (date(2025, 11, 3), "7.5"),
        (date(2025, 11, 10), "7.5"),
        (date(2025, 11, 17), "7.5"),
        (date(2025, 11, 24), "7.5"),
        (date(2025, 12, 8), "20"),
        (date(2026, 1, 16), "7"),  # after the date
    ):
        db.session.add(
            ProtectedTime(
                enrolment_id=green.id, taken_on=day, hours=Decimal(hours), activity="Reading"
            )
        )
    days = [green.start_date + timedelta(weeks=w) for w in range(6)]
    days += [green.start_date + timedelta(weeks=6 + 2 * f) for f in range(4)]
    for day in days:
        session = SupervisionSession(
            supervisor_id=boss.id,
            kind="one_to_one",
            held_on=day,
            outcome="held",
            duration_minutes=90,
            covers_decisions=True,
            notes="Notes",
        )
        session.attendees = [SupervisionAttendee(staff_id=green.staff_id)]
        db.session.add(session)
    for enrolment, points in ((green, "60"), (amber, "50")):
        db.session.add(
            CaseloadSnapshot(
                staff_id=enrolment.staff_id,
                taken_on=date(2026, 1, 5),
                total_cases=10,
                case_points=Decimal(points),
            )
        )
    practice = db.session.scalar(
        select(FrameworkDomain)
        .join(Framework, Framework.id == FrameworkDomain.framework_id)
        .where(Framework.code == "PCF")
        .order_by(FrameworkDomain.position)
    )
    course = Course(
        title=f"ASYE workshop {next(_titles)}",
        provider="in_house",
        delivery_mode="face_to_face",
        is_asye_workshop=True,
    )
    course.domains = [practice]
    outsider = builders.make_staff(alpha)
    db.session.add(course)
    db.session.flush()
    training = TrainingSession(
        course_id=course.id,
        starts_at=datetime.combine(date(2025, 12, 10), time(9, 30)),
        ends_at=datetime.combine(date(2025, 12, 10), time(16, 0)),
        capacity=10,
        status="completed",
    )
    db.session.add(training)
    db.session.flush()
    for staff_id, attendance in (
        (green.staff_id, "attended"),
        (amber.staff_id, None),
        (outsider.id, "attended"),
    ):
        db.session.add(
            Booking(
                session_id=training.id, staff_id=staff_id, status="booked", attendance=attendance
            )
        )
    db.session.commit()
    return {
        "e": e,
        "alpha": alpha,
        "beta": beta,
        "manager": manager,
        "assessor": assessor,
        "practice": practice.name,
    }


def run(viewer: Any = None, team_id: int | None = None) -> Any:
    return get("asye-cohort").build(Parameters(on=ON, team_id=team_id), viewer)


def by_name(report: Any) -> dict[str, dict[str, Any]]:
    return {row["name"].split(", ")[1].lower(): row for row in report.rows}


def section(report: Any, key: str) -> list[dict[str, Any]]:
    return report.table(key)[1]


def test_rows_status_and_figures(app_ctx):
    world = build_world()
    report = run()
    rows = by_name(report)
    assert sorted(rows) == ["amber", "green", "later", "red", "slow"]

    green = rows["green"]
    assert green["status"] == "Green" and green["reasons"] == ""
    assert green["cohort"] == "2025" and green["team"] == "Alpha"
    assert green["weeks_in"] == 15
    assert (green["next_review"], green["next_review_due"]) == ("6-month review", date(2026, 4, 1))
    assert green["overdue_reviews"] == 0
    assert (green["evidence_held"], green["evidence_required"]) == (3, 5)
    assert green["protected_used"] == Decimal("50.0")
    assert green["protected_due"] == Decimal("55.9")
    assert green["missed_supervision"] == 0
    assert (green["caseload_points"], green["caseload_cap"]) == (Decimal("60.0"), Decimal("80.0"))

    amber = rows["amber"]
    assert amber["status"] == "Amber"
    assert amber["missed_supervision"] == 10
    assert amber["protected_used"] == Decimal("0.0")
    assert amber["protected_due"] == Decimal("27.9")
    assert (amber["caseload_points"], amber["caseload_cap"]) == (Decimal("50.0"), Decimal("40.0"))
    assert amber["reasons"] == (
        "some concerns; 10 missed supervision windows; protected time 27.9 hours behind; "
        "caseload over the cap"
    )

    red = rows["red"]
    assert red["status"] == "Red" and red["team"] == "Beta"
    assert red["overdue_reviews"] == 1
    assert (red["next_review"], red["next_review_due"]) == ("3-month review", date(2025, 11, 1))
    assert red["reasons"].startswith("1 review overdue;")
    assert (red["caseload_points"], red["caseload_cap"]) == (None, None)  # no snapshot

    slow = rows["slow"]
    assert slow["status"] == "Red"
    assert "past the completion deadline" in slow["reasons"]

    assert report.summary["current"] == 5
    assert (report.summary["red"], report.summary["amber"]) == (3, 1)
    assert report.summary["green"] == 1
    assert report.summary["over_cap"] == 1
    assert report.summary["passed"] == 3
    assert report.summary["retention_1y_rate"] == Decimal("0.6667")
    assert report.summary["retention_2y_rate"] == Decimal("1.0000")
    assert section(report, "by_status") == [
        {"status": "Red", "people": 3},
        {"status": "Amber", "people": 1},
        {"status": "Green", "people": 1},
    ]
    del world


def test_sections(app_ctx):
    world = build_world()
    report = run()
    outcomes = {row["cohort"]: row for row in section(report, "outcomes")}
    assert list(outcomes) == ["2022", "2023", "2025"]
    assert outcomes["2022"] == {
        "cohort": "2022",
        "starts_on": date(2022, 10, 3),
        "enrolled": 1,
        "passed": 1,
        "failed": 0,
        "deferred": 0,
        "withdrawn": 0,
        "in_progress": 0,
    }
    assert (outcomes["2023"]["enrolled"], outcomes["2023"]["passed"]) == (4, 2)
    assert (outcomes["2023"]["withdrawn"], outcomes["2023"]["in_progress"]) == (1, 1)
    assert (outcomes["2025"]["enrolled"], outcomes["2025"]["in_progress"]) == (4, 4)
    assert outcomes["2025"]["passed"] == 0  # "later" passed after the date

    assert section(report, "retention") == [
        {
            "measure": "One year after passing",
            "eligible": 3,
            "retained": 2,
            "retention_rate": Decimal("0.6667"),
        },
        {
            "measure": "Two years after passing",
            "eligible": 1,
            "retained": 1,
            "retention_rate": Decimal("1.0000"),
        },
    ]
    assert section(report, "workshops") == [
        {"domain": world["practice"], "workshops": 1, "attendances": 1, "people": 1}
    ]


def test_scope_and_team(app_ctx):
    world = build_world()
    assert sorted(by_name(run(world["manager"]))) == ["green"]
    assert sorted(by_name(run(world["assessor"]))) == ["amber"]
    assert sorted(by_name(run(team_id=world["beta"].id))) == ["red"]
    hr = builders.make_user("hr")
    assert len(by_name(run(hr))) == 5
    practitioner = builders.make_user("practitioner")
    assert not get("asye-cohort").visible_to(practitioner)


def test_exports_and_page(app_ctx, client, login):
    build_world()
    login("ld_officer")
    page = client.get("/reports/asye-cohort?on=2026-01-15")
    assert page.status_code == 200
    assert b"Nqsw, Green" in page.data
    assert b"Cohort outcomes" in page.data and b"Retention after passing" in page.data
    csv = client.get("/reports/asye-cohort?on=2026-01-15&format=csv")
    assert csv.status_code == 200
    assert '"Nqsw, Amber"' in csv.get_data(as_text=True)
    data = client.get("/reports/asye-cohort?on=2026-01-15&format=json").get_json()
    assert data["summary"]["current"] == 5
    xlsx = client.get("/reports/asye-cohort?on=2026-01-15&format=xlsx")
    assert xlsx.status_code == 200
    result = app_ctx.test_cli_runner().invoke(
        args=["report", "asye-cohort", "--on", "2026-01-15", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    assert '"current": 5' in result.output
