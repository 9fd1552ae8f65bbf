"""The named calculations behind computed performance measures, each on a small hand-made
data set checked against hand counts (in the comments), and on the demo authority checked
against counts made here with plain queries, independently of the reports.

Periods: FY 2025 is the reporting year 1 April 2025 to 31 March 2026; the census year 2024
is 1 October 2023 to 30 September 2024. Everyone works 37 hours (FTE 1), census role 5,
permanent, from 6 January 2020, unless said otherwise.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from tests import builders
from workforce.extensions import db
from workforce.models import (
    Assessment,
    Booking,
    CaseloadCount,
    CaseloadSnapshot,
    CaseType,
    Course,
    EmploymentSpell,
    Evaluation,
    PracticeModel,
    Staff,
    TrainingSession,
)
from workforce.models.asye import AsyeCohort, AsyeEnrolment, AsyeProgramme
from workforce.models.performance import UNITS
from workforce.models.supervision import (
    SupervisionAttendee,
    SupervisionAudit,
    SupervisionSession,
)
from workforce.services import caseloads
from workforce.services.measure_calculations import CALCULATIONS, CalculationError, compute

D = Decimal
FY_2025 = (date(2025, 4, 1), date(2026, 3, 31))
NOTHING_2019 = (date(2019, 1, 1), date(2019, 12, 31))
_titles = itertools.count(1)

NAMES = {
    "training-places-delivered": "count",
    "staff-trained-in-practice-model": "count",
    "training-evaluations-good-or-better": "percent",
    "capability-appraisals": "count",
    "supervisions-per-person": "number",
    "supervision-within-policy": "percent",
    "supervision-audits-good-or-better": "percent",
    "asye-completion": "percent",
    "asye-retention": "percent",
    "sw-turnover": "percent",
    "sw-stability": "percent",
    "caseload-within-desired": "percent",
    "average-caseload": "number",
}


def person(team: Any = None, **values: Any) -> Staff:
    return builders.make_staff(team, **values)


# --- the registry -----------------------------------------------------------------------------


def test_every_calculation_is_registered_with_its_unit_and_a_definition():
    assert {name: c.unit for name, c in CALCULATIONS.items()} == NAMES
    for found in CALCULATIONS.values():
        assert found.unit in UNITS
        assert found.label and len(found.description) > 60
        assert (found.argument is None) == (found.choices is None)
    assert CALCULATIONS["staff-trained-in-practice-model"].argument == "practice model"


def test_compute_refuses_what_it_cannot_run(db_session):
    with pytest.raises(CalculationError, match="no calculation called 'staff-happiness'"):
        compute("staff-happiness", *FY_2025)
    with pytest.raises(CalculationError, match="needs a practice model"):
        compute("staff-trained-in-practice-model", *FY_2025)
    with pytest.raises(CalculationError, match="needs a practice model"):
        CALCULATIONS["staff-trained-in-practice-model"].compute(*FY_2025, "  ")
    with pytest.raises(CalculationError, match="no practice model called 'Signs of Danger'"):
        compute("staff-trained-in-practice-model", *FY_2025, "Signs of Danger")
    for name in NAMES:
        with pytest.raises(CalculationError, match="must end on or after its first day"):
            compute(name, date(2025, 4, 1), date(2025, 3, 31), "Signs of Safety")


def test_a_period_still_to_come_has_no_figure(db_session):
    start = date.today() + timedelta(days=1)
    for name in NAMES:
        assert compute(name, start, start + timedelta(days=90), "Signs of Safety") is None, name


def test_practice_model_choices_are_the_active_practice_models(db_session):
    choices = CALCULATIONS["staff-trained-in-practice-model"].choices()
    names = db.session.scalars(
        select(PracticeModel.name)
        .where(PracticeModel.active.is_(True))
        .order_by(PracticeModel.name)
    ).all()
    assert choices == [(name, name) for name in names]
    assert ("Signs of Safety", "Signs of Safety") in choices


# --- training -----------------------------------------------------------------------------------


def make_course(practice_model: str | None) -> Course:
    model_id = (
        db.session.scalar(select(PracticeModel.id).where(PracticeModel.name == practice_model))
        if practice_model
        else None
    )
    course = Course(
        title=f"Course {next(_titles)}",
        provider="in_house",
        delivery_mode="face_to_face",
        cost_per_place=D("0"),
        practice_model_id=model_id,
    )
    db.session.add(course)
    db.session.flush()
    return course


def make_session(course: Course, day: date, status: str = "completed") -> TrainingSession:
    session = TrainingSession(
        course_id=course.id,
        starts_at=datetime.combine(day, time(9, 30)),
        ends_at=datetime.combine(day, time(16, 0)),
        capacity=10,
        status=status,
    )
    db.session.add(session)
    db.session.flush()
    return session


def book(
    session: TrainingSession,
    staff: Staff,
    attendance: str | None = None,
    status: str = "booked",
    overall: int | None = None,
) -> Booking:
    booking = Booking(
        session_id=session.id, staff_id=staff.id, status=status, attendance=attendance
    )
    db.session.add(booking)
    db.session.flush()
    if overall is not None:
        db.session.add(
            Evaluation(
                booking_id=booking.id,
                overall=overall,
                relevance=3,
                confidence_before=2,
                confidence_after=4,
            )
        )
    return booking


@pytest.fixture
def training(db_session: Any) -> dict[str, Staff]:
    """Signs of Safety course: S0 1 February 2025 (before FY 2025): p5 attended (rated 5).
    S1 10 May 2025, completed: p1 attended (5), p2 partly (3), p3 did not attend, p4 on the
    waiting list, p5's booking cancelled. S2 1 September 2025, still "scheduled" but its
    register marked: p1 attended again, p3 attended (4). S3 1 October 2025, cancelled: p2
    booked. S4 1 December 2025, scheduled, register not marked: p4 booked.
    Triple P course: T1 1 January 2026, completed: p4 attended (4), p5 partly (2).
    A course with no practice model: N1 2 February 2026, completed: p2 attended.

    FY 2025: places delivered S1 2 + S2 2 + T1 2 + N1 1 = 7. Staff trained (in full) in Signs
    of Safety: p1, p3 = 2 (p2 only partly); in Triple P: p4 = 1; in Solihull Approach: 0.
    Evaluations: 5, 3, 4 on Signs of Safety and 4, 2 on Triple P: 3 of 5 good or better, 60%.
    """
    team = builders.make_team("Alpha")
    p = {key: person(team) for key in ("p1", "p2", "p3", "p4", "p5")}
    sos, triple_p, none = make_course("Signs of Safety"), make_course("Triple P"), make_course(None)
    book(make_session(sos, date(2025, 2, 1)), p["p5"], "attended", overall=5)
    s1 = make_session(sos, date(2025, 5, 10))
    book(s1, p["p1"], "attended", overall=5)
    book(s1, p["p2"], "partial", overall=3)
    book(s1, p["p3"], "did_not_attend")
    book(s1, p["p4"], status="waiting")
    book(s1, p["p5"], status="cancelled")
    s2 = make_session(sos, date(2025, 9, 1), status="scheduled")
    book(s2, p["p1"], "attended")
    book(s2, p["p3"], "attended", overall=4)
    book(make_session(sos, date(2025, 10, 1), status="cancelled"), p["p2"])
    book(make_session(sos, date(2025, 12, 1), status="scheduled"), p["p4"])
    t1 = make_session(triple_p, date(2026, 1, 1))
    book(t1, p["p4"], "attended", overall=4)
    book(t1, p["p5"], "partial", overall=2)
    book(make_session(none, date(2026, 2, 2)), p["p2"], "attended")
    db.session.commit()
    return p


def test_training_places_delivered(training):
    assert compute("training-places-delivered", *FY_2025) == 7
    # Only S1 (10 May) falls in May 2025; the day a session starts decides its period.
    assert compute("training-places-delivered", date(2025, 5, 10), date(2025, 5, 10)) == 2
    assert compute("training-places-delivered", date(2025, 5, 11), date(2025, 8, 31)) == 0
    assert compute("training-places-delivered", *NOTHING_2019) == 0


def test_staff_trained_in_a_practice_model(training):
    def trained(model: str, start: date = FY_2025[0], end: date = FY_2025[1]) -> Any:
        return compute("staff-trained-in-practice-model", start, end, model)

    assert trained("Signs of Safety") == 2
    assert trained(" Signs of Safety ") == 2  # stray spaces from a form
    assert trained("Triple P") == 1
    assert trained("Solihull Approach") == 0  # a practice model with no training
    # The year before: only S0, where p5 attended.
    assert trained("Signs of Safety", date(2024, 4, 1), date(2025, 3, 31)) == 1
    assert trained("Signs of Safety", *NOTHING_2019) == 0
    with pytest.raises(CalculationError, match="no practice model called 'signs of safety'"):
        trained("signs of safety")


def test_training_evaluations_good_or_better(training):
    assert compute("training-evaluations-good-or-better", *FY_2025) == D("60")
    # April to December 2025: S1 and S2 only (5, 3, 4): 2 of 3.
    assert compute(
        "training-evaluations-good-or-better", date(2025, 4, 1), date(2025, 12, 31)
    ) == D("66.67")
    # Places but no evaluations (N1 only), and nothing at all: no figure, not 0%.
    assert (
        compute("training-evaluations-good-or-better", date(2026, 2, 1), date(2026, 2, 28)) is None
    )
    assert compute("training-evaluations-good-or-better", *NOTHING_2019) is None


# --- capability ---------------------------------------------------------------------------------


def test_capability_appraisals(db_session):
    """Signed-off annual appraisals dated in FY 2025: 1 April 2025 (the first day), 31 March
    2026 (the last) and 1 September 2025 = 3. Not counted: a draft appraisal, a supervisor
    assessment, an ASYE review and a self-assessment in the year, and appraisals on 31 March
    2025 and 1 April 2026."""
    framework = builders.make_framework()
    assessor = builders.make_user("supervisor")
    team = builders.make_team()
    people = [person(team) for _ in range(4)]

    def assess(who: int, kind: str, day: date, status: str = "signed_off") -> None:
        db.session.add(
            Assessment(
                staff_id=people[who].id,
                framework_id=framework.id,
                level_id=framework.levels[0].id,
                kind=kind,
                assessed_on=day,
                assessor_id=assessor.id,
                status=status,
                signed_off_at=datetime(2026, 4, 2, tzinfo=UTC) if status == "signed_off" else None,
            )
        )

    assess(0, "appraisal", date(2025, 4, 1))
    assess(1, "appraisal", date(2026, 3, 31))
    assess(2, "appraisal", date(2025, 9, 1))
    assess(3, "appraisal", date(2025, 9, 1), status="draft")
    assess(3, "supervisor", date(2025, 10, 1))
    assess(3, "asye_review", date(2025, 11, 1))
    assess(3, "self", date(2025, 12, 1))
    assess(0, "appraisal", date(2025, 3, 31))
    assess(1, "appraisal", date(2026, 4, 1))
    db.session.commit()

    assert compute("capability-appraisals", *FY_2025) == 3
    assert compute("capability-appraisals", date(2025, 9, 1), date(2025, 9, 30)) == 1
    assert compute("capability-appraisals", *NOTHING_2019) == 0


# --- supervision --------------------------------------------------------------------------------


def held(
    supervisor: Staff, people: list[Staff], day: date, minutes: int = 90
) -> SupervisionSession:
    session = SupervisionSession(
        supervisor_id=supervisor.id,
        kind="group" if len(people) > 1 else "one_to_one",
        held_on=day,
        outcome="held",
        duration_minutes=minutes,
        covers_decisions=True,
        notes="Discussed workload",
    )
    session.attendees = [SupervisionAttendee(staff_id=p.id) for p in people]
    db.session.add(session)
    db.session.flush()
    return session


def a_supervisor() -> Staff:
    """A supervisor with no post of their own, so no policy of their own to be judged by."""
    staff = Staff(staff_number=f"S{next(_titles):05d}", first_name="Bea", last_name="Boss")
    db.session.add(staff)
    db.session.flush()
    return staff


def test_supervision_per_person_and_within_policy(db_session):
    """Standing on 31 December 2025 (the quarter October to December 2025), under the shipped
    monthly policy (90 minutes; 12 sessions expected in the 12 months from 1 January 2025):

    - steady: 90 minutes on the 15th of every month of 2025: 12 sessions, all full-length,
      next due 15 January 2026: within policy.
    - short: the same days, but January to June last 60 minutes: 12 sessions, 6 full-length:
      short of sessions.
    - never: no sessions: overdue.
    - leaver: left 30 November 2025 with sessions every month: not in post, not counted.

    Sessions per person: (12 + 12 + 0) / 3 = 8.00. Within policy: 1 of 3, 33.33%.
    """
    builders.load_supervision_policies()
    team = builders.make_team()
    boss = a_supervisor()
    steady, short, never = person(team), person(team), person(team)
    leaver = person(team, end=date(2025, 11, 30), leaving_reason="1")
    for month in range(1, 13):
        held(boss, [steady], date(2025, month, 15))
        held(boss, [short], date(2025, month, 15), 60 if month <= 6 else 90)
        if month <= 11:
            held(boss, [leaver], date(2025, month, 10))
    assert never.id
    db.session.commit()

    quarter = (date(2025, 10, 1), date(2025, 12, 31))
    assert compute("supervisions-per-person", *quarter) == D("8.00")
    assert compute("supervision-within-policy", *quarter) == D("33.33")
    # The same figures stand on the last day whatever the period's first day.
    assert compute("supervisions-per-person", date(2025, 12, 31), date(2025, 12, 31)) == D("8")
    # Standing on 31 December 2019 nobody was in post (everyone started in 2020).
    assert compute("supervisions-per-person", *NOTHING_2019) is None
    assert compute("supervision-within-policy", *NOTHING_2019) is None


def test_supervision_audits_good_or_better(db_session):
    """Audits dated in FY 2025: outstanding, good, good, requires improvement, inadequate:
    3 of 5 good or better (60%). An outstanding audit on 31 March 2025 is outside it; what
    counts is the audit's date, not the session's (a March 2025 session audited in April
    2025 is inside)."""
    auditor = builders.make_user("supervisor")
    boss = a_supervisor()
    worker = person()

    def audit(session_day: date, audited_on: date, grade: str) -> None:
        session = held(boss, [worker], session_day)
        db.session.add(
            SupervisionAudit(
                session_id=session.id, auditor_id=auditor.id, audited_on=audited_on, grade=grade
            )
        )

    audit(date(2025, 3, 20), date(2025, 4, 1), "outstanding")
    audit(date(2025, 6, 1), date(2025, 6, 10), "good")
    audit(date(2025, 9, 1), date(2025, 9, 10), "good")
    audit(date(2025, 12, 1), date(2025, 12, 10), "requires_improvement")
    audit(date(2026, 3, 1), date(2026, 3, 31), "inadequate")
    audit(date(2025, 3, 1), date(2025, 3, 31), "outstanding")
    db.session.commit()

    assert compute("supervision-audits-good-or-better", *FY_2025) == D("60")
    assert compute("supervision-audits-good-or-better", date(2025, 12, 1), date(2026, 3, 31)) == D(
        "0"
    )
    assert compute("supervision-audits-good-or-better", *NOTHING_2019) is None


# --- ASYE ---------------------------------------------------------------------------------------


@pytest.fixture
def asye(db_session: Any) -> None:
    """Cohort 2023 (starts 2 October 2023) and 2024 (1 October 2024), on a 12-month programme.

    Outcomes: kept passed 1 November 2024 (in post since); left passed 15 October 2024, left
    on 30 June 2025; quit withdrew 1 March 2024; failer failed 1 December 2024; new1 passed
    1 October 2025; new2 deferred 15 October 2025; current has no outcome.

    Completion in FY 2024 (1 April 2024 to 31 March 2025): kept, left passed, failer failed:
    2 of 3, 66.67%. FY 2025: new1 passed, new2 deferred: 50%. FY 2023: quit withdrew: 0%.

    Retention one year after passing, standing on 30 November 2025: kept (anniversary
    1 November 2025, in post) and left (15 October 2025, gone): 1 of 2, 50%; new1's
    anniversary (1 October 2026) has not come. Standing on 31 October 2025: left only: 0%.
    """
    builders.load_supervision_policies()
    programme = AsyeProgramme(
        name="Test ASYE",
        effective_from=date(2018, 9, 1),
        review_points=[{"code": "final", "label": "Final review", "months": 12, "optional": False}],
        evidence_requirements={},
        protected_share=D("0.100"),
        completion_months=24,
    )
    cohorts = {
        "2023": AsyeCohort(name="2023", starts_on=date(2023, 10, 2)),
        "2024": AsyeCohort(name="2024", starts_on=date(2024, 10, 1)),
    }
    db.session.add_all([programme, *cohorts.values()])
    db.session.flush()
    team = builders.make_team()

    def enrol(cohort: str, outcome: str | None = None, on: date | None = None, **values: Any):
        start = cohorts[cohort].starts_on
        staff = person(team, start=start, end=values.pop("left", None))
        db.session.add(
            AsyeEnrolment(
                staff_id=staff.id,
                cohort_id=cohorts[cohort].id,
                programme_id=programme.id,
                start_date=start,
                contracted_hours=D("37"),
                outcome=outcome,
                outcome_on=on,
            )
        )

    enrol("2023", "passed", date(2024, 11, 1))
    enrol("2023", "passed", date(2024, 10, 15), left=date(2025, 6, 30))
    enrol("2023", "withdrawn", date(2024, 3, 1))
    enrol("2023", "failed", date(2024, 12, 1))
    enrol("2024", "passed", date(2025, 10, 1))
    enrol("2024", "deferred", date(2025, 10, 15))
    enrol("2024")
    db.session.commit()


def test_asye_completion(asye):
    assert compute("asye-completion", date(2024, 4, 1), date(2025, 3, 31)) == D("66.67")
    assert compute("asye-completion", *FY_2025) == D("50")
    assert compute("asye-completion", date(2023, 4, 1), date(2024, 3, 31)) == D("0")
    assert compute("asye-completion", date(2024, 11, 1), date(2024, 11, 1)) == D("100")
    assert compute("asye-completion", *NOTHING_2019) is None  # no outcome in it


def test_asye_retention(asye):
    assert compute("asye-retention", date(2025, 11, 1), date(2025, 11, 30)) == D("50")
    assert compute("asye-retention", date(2025, 10, 1), date(2025, 10, 31)) == D("0")
    # Before anyone's first anniversary of passing: no figure.
    assert compute("asye-retention", date(2025, 4, 1), date(2025, 6, 30)) is None


# --- turnover and stability (the DfE census) ----------------------------------------------------


def test_turnover_and_stability(db_session):
    """Census year 2024. In post at 30 September 2024: stay1, stay2, stay3, starter (from
    15 January 2024) and mover (who changed team on 1 March 2024: neither a leaver nor a
    starter): 5.0 FTE. Leavers: leaver (1.0, left 30 June 2024) and part (0.5, left 31 March
    2024): 1.5 FTE. Turnover 1.5 / 5.0 = 30.0%. Not counted: an agency worker who left and a
    business support leaver (no census role).

    Stability: in post on 30 September 2023: stay1-3, mover, leaver and part (6); still in
    post at the end: stay1-3 and mover (4): 66.7%.
    """
    alpha, beta = builders.make_team("Alpha"), builders.make_team("Beta")
    for _ in range(3):
        person(alpha)
    person(alpha, start=date(2024, 1, 15))
    person(alpha, end=date(2024, 6, 30), leaving_reason="1")
    person(alpha, hours="18.5", end=date(2024, 3, 31), leaving_reason="1")
    person(alpha, contract="agency", end=date(2024, 5, 31))
    person(alpha, org_role=None, end=date(2024, 5, 31), leaving_reason="1")
    mover = person(alpha, end=date(2024, 2, 29))
    db.session.add(
        EmploymentSpell(
            staff_id=mover.id,
            post_title="Social worker",
            org_role="5",
            contracted_hours=D("37"),
            standard_hours=D("37"),
            contract_type="permanent",
            team_id=beta.id,
            start_date=date(2024, 3, 1),
        )
    )
    db.session.commit()

    year = (date(2023, 10, 1), date(2024, 9, 30))
    assert compute("sw-turnover", *year) == D("30.0")
    assert compute("sw-stability", *year) == D("66.7")
    # The quarter April to June 2024: leaver left on its last day, so is a leaver and not in
    # post: 1.0 FTE over 5.0 in post (stay1-3, starter, mover), 20%. Stability: of the six
    # in post on 30 June 2023, all but part and leaver are in post on 30 June 2024: 4 of 6.
    assert compute("sw-turnover", date(2024, 4, 1), date(2024, 6, 30)) == D("20.0")
    assert compute("sw-stability", date(2024, 4, 1), date(2024, 6, 30)) == D("66.7")
    assert compute("sw-turnover", *NOTHING_2019) is None  # nobody in post
    assert compute("sw-stability", *NOTHING_2019) is None


# --- caseload -----------------------------------------------------------------------------------


def snapshot(staff: Staff, on: date, *counts: tuple[str, int, int], extra: str = "0") -> None:
    types = {t.code: t.id for t in db.session.scalars(select(CaseType))}
    taken = CaseloadSnapshot(
        staff_id=staff.id,
        taken_on=on,
        extra_points=D(extra),
        counts=[
            CaseloadCount(case_type_id=types[code], tier=tier, cases=cases)
            for code, tier, cases in counts
        ],
    )
    db.session.add(taken)
    db.session.flush()
    assert caseloads.recompute_snapshot_totals([taken.id]) == 1
    db.session.commit()


def test_caseload_within_desired_and_average_caseload(db_session):
    """Standing on 30 September 2025 (the quarter July to September 2025) under the shipped
    default scheme (stable element 15, full-time maximum 100; 0-100 within the desired level,
    100 and over not), snapshots in the 45 days from 16 August 2025:

    - alice, 15 September: child in need tier 1 x5 (20) + child protection tier 2 x4 (28) +
      looked after tier 1 x3 (15) + 15 = 78 of 100: within; 12 cases.
    - bob (18.5 hours, FTE 0.5), 30 September: child protection tier 1 x3 (18) + care
      proceedings tier 3 x2 (20) + 2 extra + 15 = 55 of 50: 110%, not within; 5 cases.
    - dan, 20 August: looked after tier 2 x10 (60) + care leaver tier 2 x2 (8) + 2 extra + 15
      = 85: within; 12 cases.
    - finn, 10 September, no cases: 15 points: within; not a case holder.
    - erin, 10 August: too old, not counted. gail left 20 September: not in post.

    Within: 3 of 4, 75%. Average caseload: 29 cases over 2.5 case-holding FTE = 11.6.
    """
    builders.load_caseload_defaults()
    team = builders.make_team()
    alice, bob, dan = person(team), person(team, hours="18.5"), person(team)
    finn, erin = person(team), person(team)
    gail = person(team, end=date(2025, 9, 20), leaving_reason="1")
    snapshot(alice, date(2025, 9, 15), ("cin", 1, 5), ("cp", 2, 4), ("lac", 1, 3))
    snapshot(bob, date(2025, 9, 30), ("cp", 1, 3), ("care_proceedings", 3, 2), extra="2")
    snapshot(dan, date(2025, 8, 20), ("lac", 2, 10), ("care_leaver", 2, 2), extra="2")
    snapshot(finn, date(2025, 9, 10))
    snapshot(erin, date(2025, 8, 10), ("cp", 1, 2))
    snapshot(gail, date(2025, 9, 15), ("cin", 1, 8))

    quarter = (date(2025, 7, 1), date(2025, 9, 30))
    assert compute("caseload-within-desired", *quarter) == D("75")
    assert compute("average-caseload", *quarter) == D("11.6")
    # Standing on 31 July 2025 nobody has a snapshot in the 45 days before.
    month = (date(2025, 7, 1), date(2025, 7, 31))
    assert compute("caseload-within-desired", *month) is None
    assert compute("average-caseload", *month) is None


def test_a_stock_stands_on_today_while_its_period_is_under_way(db_session):
    """A snapshot taken 5 days ago is in the 45 days up to today, but not in the 45 days up
    to a last day 80 days ahead: the calculation stands on today."""
    builders.load_caseload_defaults()
    today = date.today()
    snapshot(person(start=today - timedelta(days=400)), today - timedelta(days=5), ("cin", 1, 5))
    period = (today - timedelta(days=10), today + timedelta(days=80))
    assert compute("caseload-within-desired", *period) == D("100")
    assert compute("average-caseload", *period) == D("5.0")


def test_average_caseload_without_case_holders(db_session):
    builders.load_caseload_defaults()
    snapshot(person(), date(2025, 9, 10))  # 15 points, within the desired level, no cases
    quarter = (date(2025, 7, 1), date(2025, 9, 30))
    assert compute("caseload-within-desired", *quarter) == D("100")
    assert compute("average-caseload", *quarter) is None


# --- the demo authority -------------------------------------------------------------------------

DEMO_TODAY = date(2026, 6, 15)


def _delivered_sessions(start: date, end: date) -> dict[int, TrainingSession]:
    """Sessions starting from ``start`` to ``end`` that were delivered: completed, or not
    cancelled with at least one attendance marked."""
    sessions = {
        s.id: s
        for s in db.session.scalars(select(TrainingSession))
        if start <= s.starts_at.date() <= end
    }
    marked = {b.session_id for b in db.session.scalars(select(Booking)) if b.attendance is not None}
    return {
        i: s
        for i, s in sessions.items()
        if s.status == "completed" or (s.status != "cancelled" and i in marked)
    }


def test_calculations_on_the_demo_authority_match_plain_counts(demo_authority_seed5):
    # The shared, read-only build of seed 5 on the demo's day (tests/conftest.py).
    assert (demo_authority_seed5.seed, demo_authority_seed5.today) == (5, DEMO_TODAY)
    start, end = FY_2025
    delivered = _delivered_sessions(start, end)
    courses = {c.id: c for c in db.session.scalars(select(Course))}
    models = {m.name: m.id for m in db.session.scalars(select(PracticeModel))}
    bookings = [
        b
        for b in db.session.scalars(select(Booking))
        if b.status == "booked" and b.session_id in delivered
    ]

    places = sum(1 for b in bookings if b.attendance in ("attended", "partial"))
    assert places > 100
    assert compute("training-places-delivered", start, end) == places

    trained: dict[int | None, set[int]] = defaultdict(set)
    for b in bookings:
        if b.attendance == "attended":
            trained[courses[delivered[b.session_id].course_id].practice_model_id].add(b.staff_id)
    used = [name for name, i in models.items() if trained.get(i)]
    assert used, "the demo trains people in some practice model"
    for name, model_id in models.items():
        expected = len(trained.get(model_id, set()))
        assert compute("staff-trained-in-practice-model", start, end, name) == expected, name

    by_booking = {b.id for b in bookings}
    ratings = [
        e.overall for e in db.session.scalars(select(Evaluation)) if e.booking_id in by_booking
    ]
    assert ratings
    good = sum(1 for r in ratings if r >= 4)
    assert (
        compute("training-evaluations-good-or-better", start, end)
        == (D(good) / D(len(ratings))).quantize(D("0.0001")) * 100
    )

    appraisals = [
        a
        for a in db.session.scalars(select(Assessment))
        if a.kind == "appraisal" and a.status == "signed_off" and start <= a.assessed_on <= end
    ]
    assert appraisals
    assert compute("capability-appraisals", start, end) == len(appraisals)

    grades = [
        a.grade
        for a in db.session.scalars(select(SupervisionAudit))
        if start <= a.audited_on <= end
    ]
    assert grades
    audited_good = sum(1 for g in grades if g in ("good", "outstanding"))
    assert (
        compute("supervision-audits-good-or-better", start, end)
        == (D(audited_good) / D(len(grades))).quantize(D("0.0001")) * 100
    )

    # The demo's cohorts are recent: outcomes so far fall between 2020 and its today.
    asye_window = (date(2020, 1, 1), DEMO_TODAY)
    outcomes = [
        e.outcome
        for e in db.session.scalars(select(AsyeEnrolment))
        if e.outcome_on is not None and asye_window[0] <= e.outcome_on <= asye_window[1]
    ]
    assert outcomes
    passed = sum(1 for o in outcomes if o == "passed")
    assert (
        compute("asye-completion", *asye_window)
        == (D(passed) / D(len(outcomes))).quantize(D("0.0001")) * 100
    )

    every_spell = list(db.session.scalars(select(EmploymentSpell)))

    def in_force(s: EmploymentSpell, day: date) -> bool:
        return s.start_date <= day and (s.end_date is None or s.end_date >= day)

    # Supervisions per person on 31 March 2026: days with a session held in the 12 months
    # from 1 April 2025 by each person in post that day (everyone in post has a policy
    # under the shipped monthly one), over the people in post.
    in_post_then = {s.staff_id for s in every_spell if in_force(s, end)}
    held_days: dict[int, set[date]] = defaultdict(set)
    for session in db.session.scalars(select(SupervisionSession)):
        if session.outcome == "held" and start <= session.held_on <= end:
            for attendee in session.attendees:
                held_days[attendee.staff_id].add(session.held_on)
    sessions = sum(len(held_days[i]) for i in in_post_then)
    assert compute("supervisions-per-person", start, end) == (
        D(sessions) / D(len(in_post_then))
    ).quantize(D("0.01"))

    # Average caseload on 31 March 2026: each worker in post's latest snapshot in the 45
    # days up to it; cases over the FTE (of the post held on the snapshot's day) of those
    # holding one or more cases.
    window_start = end - timedelta(days=45)
    latest: dict[int, CaseloadSnapshot] = {}
    for taken in db.session.scalars(select(CaseloadSnapshot)):
        if window_start <= taken.taken_on <= end and taken.staff_id in in_post_then:
            known = latest.get(taken.staff_id)
            if known is None or taken.taken_on > known.taken_on:
                latest[taken.staff_id] = taken
    cases = fte = D(0)
    for staff_id, taken in latest.items():
        held = sum(count.cases for count in taken.counts)
        posts = sorted(
            (s for s in every_spell if s.staff_id == staff_id and in_force(s, taken.taken_on)),
            key=lambda s: (s.start_date, s.id),
        )
        if held and posts:
            cases += held
            fte += posts[-1].fte
    assert cases > 100
    assert compute("average-caseload", start, end) == (cases / fte).quantize(D("0.1"))

    # Stability as the census counts it: in post on a day means holding a non-agency post
    # with a census role on that day and the next (someone whose post ends that day, with
    # nothing after, is a leaver, not in post).
    spells: dict[int, list[EmploymentSpell]] = defaultdict(list)
    for s in db.session.scalars(select(EmploymentSpell)):
        if s.org_role is not None and s.contract_type != "agency":
            spells[s.staff_id].append(s)

    def holds(staff_id: int, day: date) -> bool:
        return any(
            s.start_date <= day and (s.end_date is None or s.end_date >= day)
            for s in spells[staff_id]
        )

    def in_post(staff_id: int, day: date) -> bool:
        return holds(staff_id, day) and holds(staff_id, day + timedelta(days=1))

    year_before = date(2025, 3, 31)
    before = [i for i in spells if in_post(i, year_before)]
    still = [i for i in before if in_post(i, end)]
    assert len(before) > 50
    assert (
        compute("sw-stability", start, end)
        == (D(len(still)) / D(len(before))).quantize(D("0.001")) * 100
    )


# --- each calculation against the report that publishes it ---------------------------------------


def report_figure(name: str, start: date, end: date, argument: str | None = None) -> Any:
    """The figure as the report that publishes it gives it, built whole for the period (the
    way the calculations used to work it out): the definition the calculations must match."""
    from workforce.reports.asye import retention_on
    from workforce.reports.base import Parameters
    from workforce.reports.capability import build_appraisals
    from workforce.reports.caseload import build_caseload
    from workforce.reports.supervision import (
        build_supervision_audit,
        build_supervision_compliance,
    )
    from workforce.reports.training import build_training, build_training_evaluation
    from workforce.reports.turnover import build_turnover
    from workforce.services.measure_calculations import _decimal, _percent

    if start > date.today():
        return None
    day = min(end, date.today())
    period = Parameters(start=start, end=end)
    if name in ("training-places-delivered", "staff-trained-in-practice-model"):
        result = build_training(Parameters(start=start, end=end, by="practice_model"), None)
        if name == "training-places-delivered":
            return D(result.summary["attended"] + result.summary["partly_attended"])
        rows = [r for r in result.rows if r["group"] == argument and not r["_placeholder"]]
        return D(rows[0]["staff_trained"]) if rows else D(0)
    if name == "training-evaluations-good-or-better":
        return _percent(build_training_evaluation(period, None).summary["good_or_better_rate"])
    if name == "capability-appraisals":
        params = Parameters(start=start, end=end, by="quarter")
        return D(build_appraisals(params, None).summary["appraisals"])
    if name in ("supervisions-per-person", "supervision-within-policy"):
        summary = build_supervision_compliance(Parameters(on=day, by="team"), None).summary
        if name == "supervisions-per-person":
            return _decimal(summary["sessions_per_person"])
        return _percent(summary["within_rate"])
    if name == "supervision-audits-good-or-better":
        params = Parameters(start=start, end=end, by="quarter")
        return _percent(build_supervision_audit(params, None).summary["good_or_better_rate"])
    if name == "asye-completion":
        return compute(name, start, end)  # counted directly: no report publishes it
    if name == "asye-retention":
        return _percent(retention_on(day)[0]["retention_rate"])
    if name in ("sw-turnover", "sw-stability"):
        summary = build_turnover(Parameters(start=start, end=end, by="team"), None).summary
        return _percent(summary["turnover_rate" if name == "sw-turnover" else "stability_rate"])
    summary = build_caseload(Parameters(on=day, by="team"), None).summary
    if name == "average-caseload":
        return _decimal(summary["average_caseload"])
    return _percent(summary["within_rate"])


def assert_calculations_match_reports(spans: list[tuple[date, date]], model: str) -> None:
    """Every calculation, for all ``spans`` at once (``compute_many``), gives exactly the
    figure of its report built for each span."""
    from workforce.services.measure_calculations import compute_many, sharing

    with sharing({}):
        for name in NAMES:
            argument = model if name == "staff-trained-in-practice-model" else None
            together = compute_many(name, spans, argument)
            expected = [report_figure(name, start, end, argument) for start, end in spans]
            assert together == expected, name
            # The same, digit for digit (73.50 is not 73.5).
            assert [str(v) for v in together] == [str(v) for v in expected], name


def test_calculations_match_their_reports_on_hand_made_data(training, asye):
    """The training and ASYE data above, with supervision, audits, turnover and caseloads
    added: every calculation over several periods at once against its report."""
    builders.load_caseload_defaults()
    team = builders.make_team("Gamma")
    boss = a_supervisor()
    steady, late = person(team), person(team, start=date(2025, 6, 2))
    leaver = person(team, end=date(2025, 8, 31), leaving_reason="1")
    for month in range(1, 13):
        held(boss, [steady, late], date(2025, month, 15), 60 if month % 3 == 0 else 90)
        held(boss, [steady], date(2025, month, 15), 45)  # a second, shorter one that day
        if month <= 8:
            held(boss, [leaver], date(2025, month, 10))
    auditor = builders.make_user("supervisor")
    for day, grade in ((date(2025, 5, 1), "good"), (date(2025, 11, 1), "inadequate")):
        session = held(boss, [steady], day)
        db.session.add(
            SupervisionAudit(
                session_id=session.id, auditor_id=auditor.id, audited_on=day, grade=grade
            )
        )
    snapshot(steady, date(2025, 9, 15), ("cin", 1, 5), ("cp", 2, 4))
    snapshot(late, date(2025, 12, 20), ("lac", 1, 3), extra="2")
    db.session.commit()
    spans = [
        (date(2024, 4, 1), date(2025, 3, 31)),
        FY_2025,
        (date(2025, 7, 1), date(2025, 9, 30)),
        (date(2025, 10, 1), date(2025, 12, 31)),
        NOTHING_2019,
    ]
    assert_calculations_match_reports(spans, "Signs of Safety")


def test_calculations_match_their_reports_on_the_demo_authority(demo_authority_seed5):
    # The shared, read-only build of seed 5 on the demo's day (tests/conftest.py).
    assert (demo_authority_seed5.seed, demo_authority_seed5.today) == (5, DEMO_TODAY)
    spans = [
        (date(2023, 4, 1), date(2024, 3, 31)),
        (date(2024, 4, 1), date(2025, 3, 31)),
        FY_2025,
        (date(2025, 10, 1), date(2025, 12, 31)),
    ]
    assert_calculations_match_reports(spans, "Signs of Safety")
