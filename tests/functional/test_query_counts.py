"""No page issues a query per row (issue 9).

Every list page, every page that lists a record's rows, and every report (page and its
JSON, CSV and XLSX downloads, and each of its groupings as JSON) is requested twice: on a
small authority, then after every table those pages list has grown to three times its rows.
The number of SQL statements a request sends must not grow with the rows.

The authority is built once per database (``measured``): one "unit" of data, measured; two
more units, measured again. A unit is a team with people, their employment history,
training (courses, sessions, bookings, evaluations, impact follow-ups, CPD), supervision
(sessions, actions, audits, policies), capability (assessments with ratings and actions,
role profiles, frameworks), caseloads (snapshots, case types, schemes), establishment and
absence, an ASYE enrolment with its record, and performance measures with figures on a
scorecard and in the evaluation model; and for each "focus" record (a person, a team, a
course, a training session, a supervision session, an enrolment, a measure...) one more of
each row its page lists. Lists show every row on one page (``PAGE_SIZE`` is raised while
measuring), so a query per row cannot hide behind pagination.

``test_every_page_is_measured`` keeps the lists below in step with the application: a new
page without URL parameters, a new page with them, or a new report fails it until it is
listed here (measured, or named with the reason it lists no rows).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from tests import builders
from tests.conftest import clean_database
from tests.query_count import page_queries, repeated
from workforce.clock import local_now
from workforce.extensions import db
from workforce.models import (
    Absence,
    Assessment,
    AssessmentRating,
    AsyeEvidence,
    AsyePause,
    AsyeProgramme,
    AsyeReview,
    Booking,
    CaseloadCount,
    CaseloadSnapshot,
    CaseType,
    CaseWeight,
    Course,
    CourseAudience,
    CpdEntry,
    DevelopmentAction,
    EmploymentSpell,
    Evaluation,
    EvaluationActivity,
    EvaluationEvidence,
    EvaluationStage,
    FrameworkDomain,
    FrameworkLevel,
    ImpactFollowUp,
    Measure,
    MeasureAction,
    MeasureBenchmark,
    MeasureCommentary,
    MeasureFigure,
    PracticeModel,
    ProtectedTime,
    Scorecard,
    ScorecardMeasure,
    Staff,
    StrategicPriority,
    Strategy,
    SupervisionAction,
    SupervisionAttendee,
    SupervisionAudit,
    SupervisionPolicy,
    SupervisionPolicyStage,
    SupervisionSession,
    TeamEstablishment,
    TrainingSession,
    UtilisationBand,
    Venue,
    WeightingScheme,
)
from workforce.models._base import utcnow
from workforce.models.performance import STAGE_KINDS
from workforce.services import asye as asye_service
from workforce.services.caseloads import recompute_snapshot_totals
from workforce.services.frameworks import pcf

TODAY = date.today()

# --- what is measured ---------------------------------------------------------------------

#: Every GET page without URL parameters that lists rows, as the administrator sees it; the
#: forms among them offer choices (people, teams, courses) that grow with the rows.
LIST_PAGES = [
    "/",
    "/admin/audit",
    "/admin/users",
    "/asye/",
    "/asye/enrol",
    "/asye/programmes",
    "/capability/",
    "/capability/due",
    "/capability/frameworks",
    "/capability/profiles",
    "/capability/profiles/new",
    "/capability/teams",
    "/performance/",
    "/performance/measures/new",
    "/performance/scorecards",
    "/planning/absence",
    "/planning/caseloads",
    "/planning/caseloads/case-types",
    "/planning/caseloads/new",
    "/planning/caseloads/schemes",
    "/planning/caseloads/schemes/new",
    "/planning/census",
    "/planning/census/import",
    "/planning/establishment",
    "/staff",
    "/staff/new",
    "/supervision/",
    "/supervision/audits",
    "/supervision/policies",
    "/supervision/sessions/new",
    "/supervision/teams",
    "/teams",
    "/training/",
    "/training/courses",
    "/training/courses/new",
    "/training/evaluations",
    "/training/lists/practice-models",
    "/training/lists/priorities",
    "/training/lists/venues",
    "/training/sessions/new",
]
#: Other views of the list pages, as the administrator sees them.
FILTERED_PAGES = [
    "/training/impact?scope=all",
    "/training/impact?scope=all&state=answered",
]

#: GET pages without URL parameters that are not measured, and why: nothing on them grows
#: with the authority.
UNMEASURED_LIST_PAGES = {
    "/login": "the sign-in form; a signed-in user is sent on",
    "/account/password": "a fixed form",
    "/admin/users/new": "a fixed form",
    "/asye/programmes/new": "a form copying the programme in force",
    "/capability/frameworks/import": "an upload form",
    "/capability/frameworks/new": "a fixed form",
    "/performance/upload": "an upload form",
    "/performance/upload/template.csv": "a fixed template",
    "/planning/": "a menu",
    "/planning/absence/new": "a fixed form",
    "/planning/caseloads/case-types/new": "a fixed form",
    "/planning/caseloads/import": "an upload form",
    "/reports": "a menu of the reports",
    "/staff/import": "an upload form",
    "/supervision/policies/new": "a fixed form",
    "/teams/new": "a fixed form",
    "/training/lists": "a menu",
    "/training/lists/practice-models/new": "a fixed form",
    "/training/lists/priorities/new": "a fixed form",
    "/training/lists/venues/new": "a fixed form",
    "/me": "sends the user to their staff record (measured)",
    "/training/me": "sends the user to their training record (measured)",
}

#: Pages of one record that list its rows (or whose choices grow with the authority), with
#: {placeholders} for the focus records of the authority below, as the administrator sees
#: them.
DETAIL_PAGES = [
    "/staff/{person}",
    "/staff/{person}/move",
    "/staff/{person}/spells/new",
    "/spells/{spell}/edit",
    "/training/people/{person}",
    "/training/people/{person}/cpd/new",
    "/training/courses/{course}",
    "/training/courses/{course}/edit",
    "/training/sessions/{session}",
    "/training/sessions/{session}/edit",
    "/training/sessions/{session}/book",
    "/training/sessions/{session}/register",
    "/training/evaluations/sessions/{session}",
    "/supervision/people/{person}",
    "/supervision/sessions/{supervision}",
    "/supervision/audits/{audit}",
    "/capability/people/{person}",
    "/capability/teams/{team}",
    "/capability/assessments/{assessment}",
    "/capability/people/{person}/assessments/new",
    "/capability/frameworks/{framework}",
    "/capability/frameworks/{framework}/export",
    "/capability/profiles/{profile}/edit",
    "/asye/enrolments/{enrolment}",
    "/asye/enrolments/{enrolment}/print",
    "/asye/enrolments/{enrolment}/record.xlsx",
    "/performance/measures/{measure}",
    "/planning/caseloads/staff/{person}",
    "/planning/caseloads/staff/{person}/new",
    "/planning/caseloads/schemes/{scheme}",
    "/planning/caseloads/schemes/{scheme}/edit",
    "/planning/establishment/teams/{team}",
]

#: Pages with URL parameters that list no rows that grow with the authority, and why.
UNMEASURED_DETAIL_PAGES = {
    "admin.user_detail": "a form about one account",
    "admin.user_reset_password": "a password form",
    "asye.programme_detail": "one programme's rules",
    "people.staff_edit": "a form about one person",
    "people.staff_leaver": "a form about one person",
    "people.team_edit": "a form about one team",
    "supervision.policy_edit": "a form about one policy",
    "asye.evidence_new": "a form whose choices are the PCF's fixed domains",
    "asye.evidence_remove": "a confirmation of one row",
    "asye.outcome": "a form",
    "asye.pause_new": "a form",
    "asye.pause_remove": "a confirmation of one row",
    "asye.protected_time_new": "a form",
    "asye.review_new": "a form whose choices are the programme's review points",
    "capability.action_new": "a form whose choices are the framework's domains",
    "capability.assessment_comment": "a form about one assessment",
    "capability.assessment_discard": "a confirmation of one row",
    "capability.assessment_rate": "a form of the framework's fixed domains",
    "capability.assessment_sign_off": "a confirmation of one row",
    "capability.framework_descriptor": "a form about one descriptor",
    "capability.framework_edit": "a form about one framework",
    "capability.framework_item_edit": "a form about one domain or level",
    "capability.framework_item_new": "a form",
    "capability.framework_item_retire": "a confirmation of one row",
    "capability.framework_pathway_edit": "a form about one pathway",
    "capability.framework_pathway_new": "a form",
    "capability.framework_pathway_remove": "a confirmation of one row",
    "performance.action_edit": "a form about one row",
    "performance.action_new": "a form",
    "performance.actual_new": "a form",
    "performance.benchmark_delete": "a confirmation of one row",
    "performance.benchmark_edit": "a form about one row",
    "performance.benchmark_new": "a form",
    "performance.commentary_new": "a form",
    "performance.figure_delete": "a confirmation of one row",
    "performance.figure_edit": "a form about one row",
    "performance.measure_edit": "a form about one measure",
    "performance.plan_edit": "a form about one measure",
    "performance.target_new": "a form",
    "planning.absence_delete": "a confirmation of one row",
    "planning.absence_edit": "a form about one row",
    "planning.case_type_edit": "a form about one row",
    "planning.caseload_delete": "a confirmation of one row",
    "planning.caseload_edit": "a form of the case types in use (measured as caseload_new)",
    "planning.caseload_import_template": "a fixed template",
    "planning.census_download": "the return built by the census check page (measured)",
    "planning.establishment_delete": "a confirmation of one row",
    "planning.establishment_edit": "a form about one row",
    "static": "files",
    "people.import_staff_template": "a fixed template",
    "supervision.action_new": "a form",
    "supervision.audit_new": "a form about one session",
    "training.booking_cancel": "a confirmation of one row",
    "training.cpd_delete": "a confirmation of one row",
    "training.cpd_edit": "a form whose choices are the person's bookings (as cpd_new)",
    "training.course_remove": "a confirmation of one row",
    "training.evaluation_form": "a form about one booking",
    "training.impact_form": "a form about one follow-up",
    "training.list_model_edit": "a form about one row",
    "training.list_priority_edit": "a form about one row",
    "training.list_venue_edit": "a form about one row",
    "training.register_import": "an upload form",
    "training.register_template": "the register as a file (as the register page)",
    "training.session_calendar": "one session as an .ics file",
    "training.session_cancel": "a form about one session",
}

#: The reports, each measured as a page, as JSON, CSV and XLSX, and by each grouping.
REPORTS = [
    "appraisals",
    "asye-cohort",
    "capability-gaps",
    "caseload",
    "evaluation-model",
    "scorecard",
    "supervision-audit",
    "supervision-compliance",
    "training",
    "training-compliance",
    "training-evaluation",
    "turnover",
    "workforce-profile",
]
#: Each report's groupings other than its default (``by=``), as JSON.
GROUPINGS = {
    "appraisals": ["quarter", "team"],
    "caseload": ["team", "trend"],
    "supervision-audit": ["month", "team"],
    "supervision-compliance": ["team"],
    "training": ["team", "practice_model", "domain"],
    "turnover": ["role", "year"],
    "workforce-profile": ["age", "ethnicity", "team"],
}
#: Reports a supervisor runs (over the people they manage).
SUPERVISOR_REPORTS = [
    "appraisals",
    "asye-cohort",
    "capability-gaps",
    "caseload",
    "supervision-audit",
    "supervision-compliance",
    "training-compliance",
]
#: What a supervisor sees of the people they manage.
SUPERVISOR_PAGES = [
    "/supervision/audits/sample?size=50&seed=7",
    "/",
    "/staff",
    "/asye/",
    "/capability/",
    "/capability/due",
    "/capability/teams",
    "/capability/teams/{team}",
    "/capability/people/{person}",
    "/planning/caseloads",
    "/planning/caseloads/staff/{person}",
    "/staff/{person}",
    "/supervision/",
    "/supervision/audits",
    "/supervision/people/{person}",
    "/supervision/sessions/new",
    "/supervision/sessions/{supervision}/edit",
    "/supervision/teams",
    "/training/",
    "/training/impact",
    "/training/people/{person}",
]


def report_paths(names: list[str], formats: tuple[str, ...], groupings: bool) -> list[str]:
    """The addresses each report is measured at: its page, its downloads in ``formats``,
    and (``groupings``) each of its other groupings as JSON."""
    paths = []
    for name in names:
        paths += [f"/reports/{name}"]
        paths += [f"/reports/{name}?format={fmt}" for fmt in formats]
        if groupings:
            paths += [f"/reports/{name}?format=json&by={by}" for by in GROUPINGS.get(name, [])]
    return paths


MEASURED = [("admin", path) for path in LIST_PAGES + FILTERED_PAGES + DETAIL_PAGES]
MEASURED += [("admin", path) for path in report_paths(REPORTS, ("json", "csv", "xlsx"), True)]
MEASURED += [("supervisor", path) for path in SUPERVISOR_PAGES]
# A supervisor's reports are built over the people they manage; each format renders the
# same rows, so the page and the streamed CSV stand for them.
MEASURED += [("supervisor", path) for path in report_paths(SUPERVISOR_REPORTS, ("csv",), False)]

#: Downloads whose rows are aggregates (a quarter, say) that do not lengthen as the tables
#: grow: only their figures change.
AGGREGATES = {"/reports/supervision-audit?format=csv"}

#: Statements a page may add as its rows grow, where that is not a query per row; none
#: so far.
ALLOWANCE: dict[str, int] = {}


# --- the authority ------------------------------------------------------------------------


def days_ago(days: int) -> date:
    """A day this reporting year where there is room (else the year's first day), so the
    reports' default period sees it."""
    year_start = date(TODAY.year if TODAY.month >= 4 else TODAY.year - 1, 4, 1)
    return max(TODAY - timedelta(days=days), year_start)


@dataclass
class Counts:
    """What one request sent on the small and on the large authority."""

    small: list[str]
    large: list[str]
    small_bytes: int
    large_bytes: int
    statuses: tuple[int, int]


class Authority:
    """A small authority that grows by ``grow()``: one more unit of every listed row."""

    def __init__(self) -> None:
        builders.load_caseload_defaults()
        builders.load_supervision_policies()
        asye_service.load_default_programme()
        db.session.commit()
        self.units = 0
        self.pcf = pcf()
        self.pcf_domains = [d for d in self.pcf.domains if not d.retired]
        self.level = db.session.scalar(
            select(FrameworkLevel).where(
                FrameworkLevel.framework_id == self.pcf.id, FrameworkLevel.name == "Social worker"
            )
        )
        self.team = builders.make_team("Focus team")
        self.manager = builders.make_staff(
            self.team, first_name="Mona", last_name="Manager", start=date(2015, 1, 5)
        )
        self.person = builders.make_staff(
            self.team, manager=self.manager, first_name="Pat", last_name="Person"
        )
        self.admin = builders.make_user("admin", staff=self.person, email="admin@example.org")
        self.supervisor = builders.make_user(
            "supervisor", staff=self.manager, email="supervisor@example.org"
        )
        self.profile = builders.make_profile(self.level, post_title="Social worker")
        self.framework = builders.make_framework()
        self.course = self._course("Focus course")
        self.session = self._session(self.course, days=-3)
        self.supervision = self._supervision(self.manager, self.person, days=5)
        self.audit = SupervisionAudit(
            session_id=self.supervision.id,
            auditor_id=self.admin.id,
            audited_on=TODAY,
            grade="good",
        )
        self.assessment = self._assessment(self.person, days=1)
        nqsw = builders.make_staff(
            self.team, manager=self.manager, start=TODAY - timedelta(days=200), first_name="Nia"
        )
        self.enrolment = self._enrol(nqsw, TODAY - timedelta(days=200), "Focus cohort")
        self.programme = self.enrolment.programme
        self.scheme = db.session.scalar(select(WeightingScheme))
        self.measure = Measure(
            code="focus-measure",
            name="Focus measure",
            unit="percent",
            polarity="higher",
            frequency="financial_year",
            rba_question="how_well",
            source="entered",
        )
        self.policy = db.session.scalar(select(SupervisionPolicy))
        self.scorecard = Scorecard(code="focus-scorecard", name="Focus scorecard", history=3)
        self.strategy = Strategy(
            code="focus-strategy",
            name="Focus strategy",
            stages=[
                EvaluationStage(kind=kind, position=n, title=label)
                for n, (kind, label) in enumerate(STAGE_KINDS.items())
            ],
        )
        db.session.add_all([self.audit, self.measure, self.scorecard, self.strategy])
        db.session.commit()

    def ids(self) -> dict[str, int]:
        """The focus records' numbers, for the addresses."""
        spell = self.person.spells[-1]
        return {
            "person": self.person.id,
            "spell": spell.id,
            "team": self.team.id,
            "course": self.course.id,
            "session": self.session.id,
            "supervision": self.supervision.id,
            "audit": self.audit.id,
            "assessment": self.assessment.id,
            "framework": self.framework.id,
            "profile": self.profile.id,
            "enrolment": self.enrolment.id,
            "programme": self.programme.id,
            "measure": self.measure.id,
            "scheme": self.scheme.id,
            "policy": self.policy.id,
            "user": self.supervisor.id,
        }

    # --- one row of each kind

    def _course(self, title: str, model: Any = None, priority: Any = None) -> Course:
        course = Course(
            title=title,
            provider="in_house",
            delivery_mode="face_to_face",
            cpd_hours=Decimal("3"),
            cost_per_place=Decimal("20"),
            refresher_months=12,
            practice_model=model,
            domains=self.pcf_domains[:2],
            priorities=[priority] if priority else [],
            audiences=[CourseAudience(kind="role", value="5", mandatory=True)],
        )
        db.session.add(course)
        db.session.flush()
        return course

    def _session(self, course: Course, *, days: int, venue: Any = None) -> TrainingSession:
        """A session ``days`` from now (negative: in the past, and completed)."""
        starts = datetime.combine(local_now().date() + timedelta(days=days), time(9, 30))
        if days < 0:
            starts = datetime.combine(days_ago(-days), time(9, 30))
        session = TrainingSession(
            course_id=course.id,
            starts_at=starts,
            ends_at=starts + timedelta(hours=3),
            capacity=100,
            venue=venue,
            trainer="Tess Trainer",
            status="completed" if days < 0 else "scheduled",
        )
        db.session.add(session)
        db.session.flush()
        return session

    def _attend(self, session: TrainingSession, staff: Staff) -> Booking:
        """An attended place, evaluated, with its impact question to the manager."""
        booking = Booking(
            session_id=session.id, staff_id=staff.id, status="booked", attendance="attended"
        )
        booking.evaluation = Evaluation(
            overall=4, relevance=5, confidence_before=2, confidence_after=4, source="self"
        )
        booking.impact_follow_up = ImpactFollowUp(
            supervisor_staff_id=self.manager.id, due_on=TODAY - timedelta(days=1)
        )
        db.session.add(booking)
        db.session.flush()
        return booking

    def _supervision(self, supervisor: Staff, *people: Staff, days: int) -> SupervisionSession:
        session = SupervisionSession(
            supervisor_id=supervisor.id,
            kind="group" if len(people) > 1 else "one_to_one",
            held_on=days_ago(days),
            outcome="held",
            duration_minutes=90,
            covers_decisions=True,
            covers_wellbeing=True,
            notes="Talked through the plan",
            attendees=[SupervisionAttendee(staff_id=p.id) for p in people],
            actions=[
                SupervisionAction(
                    description="Update the plan", owner="Pat", due_date=TODAY + timedelta(9)
                )
            ],
        )
        db.session.add(session)
        db.session.flush()
        return session

    def _assessment(self, staff: Staff, *, days: int) -> Assessment:
        assessment = Assessment(
            staff_id=staff.id,
            framework_id=self.pcf.id,
            level_id=self.level.id,
            kind="supervisor",
            assessed_on=days_ago(days),
            assessor_id=self.supervisor.id,
            status="signed_off",
            signed_off_at=utcnow(),
            ratings=[
                AssessmentRating(domain_id=d.id, rating="meets" if n % 2 else "developing")
                for n, d in enumerate(self.pcf_domains)
            ],
        )
        self._action(assessment)
        db.session.add(assessment)
        db.session.flush()
        return assessment

    def _action(self, assessment: Assessment) -> None:
        assessment.actions.append(
            DevelopmentAction(
                description="Shadow a court hearing",
                owner="Pat",
                due_date=TODAY + timedelta(days=30),
                domain_id=self.pcf_domains[0].id,
            )
        )

    def _enrol(self, nqsw: Staff, start: date, cohort: str) -> Any:
        enrolment = asye_service.enrol(
            nqsw,
            start_date=start,
            contracted_hours="37",
            cohort_name=cohort,
            assessor=self.supervisor,
            line_manager=self.manager,
        )
        db.session.flush()
        return enrolment

    def _snapshot(self, staff: Staff, on: date, types: list[CaseType]) -> None:
        snapshot = CaseloadSnapshot(
            staff_id=staff.id,
            taken_on=on,
            counts=[
                CaseloadCount(case_type_id=t.id, tier=1 + n % 3, cases=3 + n)
                for n, t in enumerate(types)
            ],
        )
        db.session.add(snapshot)
        db.session.flush()
        recompute_snapshot_totals([snapshot.id])

    def _measure(
        self, code: str, name: str, calculation: str | None = None, argument: str | None = None
    ) -> Measure:
        measure = Measure(
            code=code,
            name=name,
            unit="percent",
            polarity="higher",
            frequency="financial_year",
            rba_question="how_well",
            source="computed" if calculation else "entered",
            calculation=calculation,
            calculation_argument=argument,
            baseline_start=date(2022, 4, 1),
        )
        db.session.add(measure)
        if calculation:
            db.session.flush()
            return measure
        for first in (2022, 2023, 2024):
            db.session.add(
                MeasureFigure(
                    measure=measure,
                    kind="actual",
                    start=date(first, 4, 1),
                    end_on=date(first + 1, 3, 31),
                    value=Decimal(50 + first % 10),
                )
            )
        db.session.add_all(
            [
                MeasureFigure(
                    measure=measure,
                    kind="target",
                    start=date(2022, 4, 1),
                    end_on=date(2026, 3, 31),
                    value=Decimal(70),
                ),
                MeasureBenchmark(measure=measure, comparator="england", value=Decimal(55)),
                MeasureCommentary(measure=measure, body="Better than last year"),
                MeasureAction(
                    measure=measure, description="Audit", owner="Head", due_on=TODAY + timedelta(9)
                ),
            ]
        )
        db.session.flush()
        return measure

    # --- one unit more of everything

    def grow(self) -> None:
        """Add one unit: a team with people and every row the pages list, and one more of
        each row of every focus record."""
        self.units += 1
        u = self.units
        team = builders.make_team(f"Unit team {u}")
        newcomers = [
            builders.make_staff(team, manager=self.manager, first_name=f"Unit{u}", last_name=n)
            for n in ("Ash", "Birch", "Cedar")
        ]
        newcomers.append(
            builders.make_staff(self.team, manager=self.manager, first_name=f"Focus{u}")
        )
        everyone = [*newcomers, self.person]
        builders.make_user("practitioner", staff=newcomers[0])
        # Employment: an earlier post of the focus person's, establishment, absence.
        db.session.add(
            EmploymentSpell(
                staff_id=self.person.id,
                post_title=f"Earlier post {u}",
                org_role="5",
                contracted_hours=Decimal("37"),
                standard_hours=Decimal("37"),
                contract_type="permanent",
                team_id=team.id,
                line_manager_id=self.manager.id,
                start_date=date(1988 + 2 * u, 1, 1),
                end_date=date(1989 + 2 * u, 6, 30),
            )
        )
        for each in (team, self.team):
            db.session.add(
                TeamEstablishment(
                    team_id=each.id, effective_from=date(2020 + u, 4, 1), funded_fte=Decimal(5)
                )
            )
        for n, staff in enumerate(everyone):
            start = days_ago(5 + n)
            db.session.add(
                Absence(
                    staff_id=staff.id,
                    start_date=start,
                    end_date=start,
                    working_days_lost=Decimal(1),
                    reason="SIC",
                )
            )
        # Training: lists, a course with a past and a coming session, bookings and CPD.
        venue = Venue(name=f"Venue {u}")
        model = PracticeModel(name=f"Practice model {u}")
        priority = StrategicPriority(name=f"Priority {u}", source="Our plan", position=u)
        db.session.add_all([venue, model, priority])
        course = self._course(f"Course {u}", model, priority)
        past = self._session(course, days=-3, venue=venue)
        self._session(course, days=10, venue=venue)
        self._session(self.course, days=20)
        for staff in everyone:
            booking = self._attend(past, staff)
            db.session.add(
                CpdEntry(
                    staff_id=staff.id,
                    entry_type="course",
                    description=f"Course {u}",
                    activity_date=past.starts_at.date(),
                    learning="Much",
                    impact="Some",
                    peer_reflection=True,
                    booking_id=booking.id,
                )
            )
        for staff in newcomers:
            answered = self._attend(self.session, staff).impact_follow_up
            answered.practice_changed = "yes"
            answered.responded_at = utcnow()
            answered.responded_by_user_id = self.supervisor.id
        # Supervision: a session each, one more attendee and action on the focus session,
        # an audit, a policy.
        for staff in everyone:
            self._supervision(self.manager, staff, days=8)
        self._supervision(newcomers[1], newcomers[2], days=4)  # for a manager to sample
        for staff in newcomers:
            self.supervision.attendees.append(SupervisionAttendee(staff_id=staff.id))
        self.supervision.actions.append(
            SupervisionAction(description=f"Action {u}", owner="Pat", due_date=TODAY)
        )
        db.session.add(
            SupervisionAudit(
                session_id=self._supervision(newcomers[1], newcomers[3], days=2).id,
                auditor_id=self.admin.id,
                audited_on=TODAY,
                grade="requires_improvement",
            )
        )
        db.session.add(
            SupervisionPolicy(
                name=f"Policy {u}",
                post_title=f"Post {u}",
                stages=[SupervisionPolicyStage(from_week=0, every=2, unit="month")],
            )
        )
        # Capability: an assessment each, an action on the focus one, a profile, a
        # framework, a domain of the focus framework.
        for staff in everyone:
            self._assessment(staff, days=3)
        self._action(self.assessment)
        builders.make_profile(self.level, post_title=f"Post {u}")
        builders.make_framework()
        db.session.add(
            FrameworkDomain(framework_id=self.framework.id, name=f"Domain {u}", position=10 + u)
        )
        # Caseloads: a case type weighted in the scheme, a scheme, a snapshot each.
        case_type = CaseType(code=f"type_{u}", label=f"Case type {u}", position=100 + u)
        db.session.add(case_type)
        db.session.flush()
        for tier in (1, 2, 3):
            self.scheme.weights.append(
                CaseWeight(case_type_id=case_type.id, tier=tier, points=Decimal(tier + 2))
            )
        db.session.add(
            WeightingScheme(
                name=f"Scheme {u}",
                effective_from=date(2010 + u, 4, 1),
                weights=[CaseWeight(case_type_id=case_type.id, tier=1, points=Decimal(4))],
                bands=[
                    UtilisationBand(
                        name="Any", lower_pct=Decimal(0), rag="green", within_desired=True
                    )
                ],
            )
        )
        types = list(db.session.scalars(select(CaseType).order_by(CaseType.id)))[:3]
        for staff in newcomers:
            self._snapshot(staff, days_ago(1), [*types, case_type])
        self._snapshot(self.person, TODAY - timedelta(days=u), [*types, case_type])
        # ASYE: a newcomer enrolled; a pause, a review, evidence and protected time on the
        # focus enrolment; a programme.
        nqsw = builders.make_staff(
            team, manager=self.manager, start=TODAY - timedelta(days=60), first_name="Newly"
        )
        self._enrol(nqsw, TODAY - timedelta(days=60), "Unit cohort")
        start = self.enrolment.start_date
        kinds = list(self.programme.evidence_requirements)
        points = [code for code, *_ in asye_service.review_points(self.programme)]
        self.enrolment.pauses.append(
            AsyePause(
                start_date=start + timedelta(days=20 * u),
                end_date=start + timedelta(days=20 * u + 4),
                reason="sickness",
            )
        )
        self.enrolment.reviews.append(
            AsyeReview(
                point=points[u - 1],
                held_on=start + timedelta(days=20 * u),
                judgement="on_track",
                assessment=self._assessment(self.enrolment.staff, days=u),
            )
        )
        self.enrolment.evidence.append(
            AsyeEvidence(
                kind=kinds[u % len(kinds)],
                dated=start + timedelta(days=20 * u + 5),
                title=f"Evidence {u}",
                domains=self.pcf_domains[:2],
            )
        )
        self.enrolment.protected_time.append(
            ProtectedTime(
                taken_on=start + timedelta(days=20 * u + 6), hours=Decimal(3), activity="Reading"
            )
        )
        db.session.add(
            AsyeProgramme(
                name=f"Programme {u}",
                effective_from=date(2000 + u, 1, 1),
                review_points=self.programme.review_points,
                evidence_requirements=self.programme.evidence_requirements,
            )
        )
        # Performance: an entered measure and a computed one (whose calculation takes an
        # argument) on the scorecard and evidencing each stage of the evaluation model, and
        # one more of each row of the focus measure.
        measures = [
            self._measure(f"unit-measure-{u}", f"Unit measure {u}"),
            self._measure(
                f"unit-trained-{u}",
                f"Trained in model {u}",
                calculation="staff-trained-in-practice-model",
                argument=model.name,
            ),
        ]
        for n, measure in enumerate(measures):
            self.scorecard.entries.append(ScorecardMeasure(measure=measure, position=10 * u + n))
        db.session.add(
            Scorecard(
                code=f"unit-scorecard-{u}",
                name=f"Unit scorecard {u}",
                entries=[ScorecardMeasure(measure=m, position=n) for n, m in enumerate(measures)],
            )
        )
        for stage in self.strategy.stages:
            stage.activities.append(EvaluationActivity(position=u, text=f"Activity {u}"))
            stage.evidence.append(
                EvaluationEvidence(position=u, text=f"Evidence {u}", measures=measures)
            )
        first = 2010 + u
        db.session.add_all(
            [
                MeasureFigure(
                    measure=self.measure,
                    kind="actual",
                    start=date(first, 4, 1),
                    end_on=date(first + 1, 3, 31),
                    value=Decimal(60 + u),
                ),
                MeasureBenchmark(
                    measure=self.measure,
                    comparator="england",
                    start=date(first, 4, 1),
                    value=Decimal(55),
                ),
                MeasureCommentary(measure=self.measure, body=f"Comment {u}"),
                MeasureAction(
                    measure=self.measure, description=f"Do {u}", owner="Me", due_on=TODAY
                ),
            ]
        )
        db.session.commit()


# --- measuring ----------------------------------------------------------------------------


def signed_in(app: Flask, email: str) -> Any:
    client = app.test_client()
    response = client.post("/login", data={"email": email, "password": builders.PASSWORD})
    assert response.status_code == 302, response.data[:300]
    return client


def measure_all(clients: dict[str, Any], ids: dict[str, int]) -> dict[tuple[str, str], Any]:
    """Request every measured page; what each sent, and the response's length."""
    found = {}
    for role, path in MEASURED:
        statements, response = page_queries(clients[role], path.format(**ids), status=None)
        found[role, path] = (statements, len(response.get_data()), response.status_code)
    return found


@pytest.fixture(scope="module")
def measured(app: Flask) -> Iterator[dict[tuple[str, str], Counts]]:
    """Every measured page on the small authority, then on one three times its size."""
    page_size = app.config["PAGE_SIZE"]
    app.config["PAGE_SIZE"] = 10_000
    try:
        with app.app_context():
            authority = Authority()
            authority.grow()
            ids = authority.ids()
            clients = {
                "admin": signed_in(app, "admin@example.org"),
                "supervisor": signed_in(app, "supervisor@example.org"),
            }
            for client in clients.values():  # the first request opens connections
                client.get("/")
            small = measure_all(clients, ids)
            authority.grow()
            authority.grow()
            large = measure_all(clients, ids)
        yield {
            key: Counts(
                small[key][0],
                large[key][0],
                small[key][1],
                large[key][1],
                (small[key][2], large[key][2]),
            )
            for key in small
        }
    finally:
        app.config["PAGE_SIZE"] = page_size
        clean_database(app)


# --- the tests ----------------------------------------------------------------------------


def test_no_page_queries_per_row(measured):
    """Every measured page answers, sends as many statements on the large authority as on
    the small one, and shows more there (so the rows it lists did grow). One test for all
    the pages, so the authority is built once per database however the suite is shared
    out among workers; each failure names its page."""
    refused = [
        f"{path} as {role}: {counts.statuses}"
        for (role, path), counts in measured.items()
        if counts.statuses != (200, 200)
    ]
    assert refused == [], "\n".join(refused)
    grew = [
        f"{path} as {role}: {len(counts.small)} statements on the small authority, "
        f"{len(counts.large)} on one three times its size. Sent most often:\n"
        + repeated(counts.large)
        for (role, path), counts in measured.items()
        if len(counts.large) > len(counts.small) + ALLOWANCE.get(path, 0)
    ]
    assert grew == [], "\n\n".join(grew)
    # Downloads of a few aggregate rows, and XLSX files (compressed, so their length says
    # little), need not get longer.
    unchanged = [
        f"{path} as {role}"
        for (role, path), counts in measured.items()
        if counts.large_bytes <= counts.small_bytes
        and path not in AGGREGATES
        and "xlsx" not in path
    ]
    assert unchanged == [], "\n".join(unchanged)


def test_every_page_is_measured(app):
    """Every GET page of the application is measured here or named with the reason it is
    not; every report is measured, with each of its groupings."""
    from workforce.reports.registry import all_reports

    adapter = app.url_map.bind("localhost")
    ids = dict.fromkeys(
        (
            "person",
            "spell",
            "team",
            "course",
            "session",
            "supervision",
            "audit",
            "assessment",
            "framework",
            "profile",
            "enrolment",
            "programme",
            "measure",
            "scheme",
            "policy",
            "user",
        ),
        1,
    )
    rules = [
        adapter.match(path.format(**ids).split("?")[0], return_rule=True)[0] for _, path in MEASURED
    ]
    measured = {rule.endpoint for rule in rules}
    plain = {r.rule for r in app.url_map.iter_rules() if "GET" in r.methods and not r.arguments}
    with_arguments = {
        r.endpoint for r in app.url_map.iter_rules() if "GET" in r.methods and r.arguments
    }
    assert plain - {rule.rule for rule in rules} - set(UNMEASURED_LIST_PAGES) == set()
    assert plain & {rule.rule for rule in rules} & set(UNMEASURED_LIST_PAGES) == set()
    assert set(LIST_PAGES) - plain == set()
    assert with_arguments - measured - set(UNMEASURED_DETAIL_PAGES) == set()
    assert measured & set(UNMEASURED_DETAIL_PAGES) == set()
    assert sorted(r.name for r in all_reports()) == sorted(REPORTS)
    for definition in all_reports():
        groupings = [code for code, _ in definition.by_choices[1:]]
        assert GROUPINGS.get(definition.name, []) == groupings, definition.name
        if "supervisor" in definition.roles:
            assert definition.name in SUPERVISOR_REPORTS
