"""The demo authority's ASYE: the shipped programme and two cohorts (about 14 and about 4
months ago), valid by construction, with what the dashboard should show; deterministic."""

from __future__ import annotations

from collections import Counter
from datetime import date

from sqlalchemy import func, select

from workforce.demo import DEMO_DOMAIN
from workforce.extensions import db
from workforce.metrics.asye import Pause, check_pauses
from workforce.metrics.supervision import add_months
from workforce.models import EmploymentSpell, User
from workforce.models.asye import (
    AsyeCohort,
    AsyeEnrolment,
    AsyeEvidence,
    AsyeProgramme,
    AsyeReview,
    ProtectedTime,
)
from workforce.reports.base import Parameters
from workforce.reports.registry import get

TODAY = date(2026, 6, 15)
SEED = 11


def test_demo_asye_is_valid_and_realistic(demo_authority):
    assert (demo_authority.seed, demo_authority.today) == (SEED, TODAY)
    summary = demo_authority.summary
    assert "ASYE:" in summary
    assert db.session.scalar(select(func.count()).select_from(AsyeProgramme)) == 1
    cohorts = list(db.session.scalars(select(AsyeCohort).order_by(AsyeCohort.starts_on)))
    assert len(cohorts) == 2
    earlier, recent = cohorts
    assert 12 <= (TODAY - earlier.starts_on).days / 30.4 <= 18.5
    assert 2.5 <= (TODAY - recent.starts_on).days / 30.4 <= 7
    lead = db.session.scalar(select(User).where(User.email == f"learning@{DEMO_DOMAIN}"))
    accounts = {u.staff_id: u.id for u in db.session.scalars(select(User)) if u.staff_id}

    # The earlier cohort: most passed, one deferred, one withdrawn; one paused.
    outcomes = Counter(e.outcome for e in earlier.enrolments)
    assert outcomes["deferred"] == 1 and outcomes["withdrawn"] == 1
    assert outcomes["passed"] >= 3 and None not in outcomes
    assert sum(len(e.pauses) for e in earlier.enrolments) == 1
    for enrolment in earlier.enrolments:
        assert enrolment.outcome_on <= TODAY
        assert enrolment.moderation_notes
        held = {r.point: r.held_on for r in enrolment.reviews}
        if enrolment.outcome in ("passed", "deferred"):
            assert {"agreement", "review_3", "review_6", "final", "moderation"} <= set(held)
            assert enrolment.outcome_on >= held["final"]
            kinds = Counter(e.kind for e in enrolment.evidence)
            for kind, spec in enrolment.programme.evidence_requirements.items():
                assert kinds[kind] >= spec["required"]
        assert not check_pauses(
            [Pause(p.start_date, p.end_date) for p in enrolment.pauses], enrolment.start_date
        )

    # The recent cohort: the demo's newly qualified social workers, four-ish months in.
    assert len(recent.enrolments) >= 3
    overdue = 0
    for enrolment in recent.enrolments:
        spell = db.session.scalar(
            select(EmploymentSpell).where(
                EmploymentSpell.staff_id == enrolment.staff_id,
                EmploymentSpell.start_date == enrolment.start_date,
            )
        )
        assert spell.start_origin == "1" and spell.grade == "SW1"
        assert enrolment.outcome is None
        assert enrolment.assessor_id == accounts.get(spell.line_manager_id, lead.id)
        points = {r.point for r in enrolment.reviews}
        assert "agreement" in points
        overdue += "review_3" not in points and add_months(enrolment.start_date, 3) < TODAY
        assert enrolment.evidence and enrolment.protected_time
    assert overdue == 1

    # Everything is dated within each programme and up to today.
    for day, start in db.session.execute(
        select(AsyeReview.held_on, AsyeEnrolment.start_date).join(AsyeEnrolment)
    ):
        assert start <= day <= TODAY
    for day, start in db.session.execute(
        select(AsyeEvidence.dated, AsyeEnrolment.start_date).join(AsyeEnrolment)
    ):
        assert start <= day <= TODAY
    for day, hours in db.session.execute(select(ProtectedTime.taken_on, ProtectedTime.hours)):
        assert day <= TODAY and 0 < hours <= 24

    # The dashboard: every recent enrolee current, one overdue review (red), a missed
    # supervision week flagged, retention not yet due; outcomes per cohort.
    report = get("asye-cohort").build(Parameters(on=TODAY), None)
    rows = list(report.rows)
    assert len(rows) == len(recent.enrolments)
    assert report.summary["red"] >= 1
    assert sum(1 for row in rows if row["overdue_reviews"]) == 1
    assert report.summary["missed_supervision"] >= 1
    assert sum(1 for row in rows if row["missed_supervision"]) >= 1
    assert report.summary["passed"] == outcomes["passed"]
    outcome_rows = report.table("outcomes")[1]
    assert [r["enrolled"] for r in outcome_rows] == [
        len(earlier.enrolments),
        len(recent.enrolments),
    ]
    assert report.table("retention")[1][0]["eligible"] == 0
    assert report.table("workshops")[1]  # the training demo's ASYE workshops
