"""The demo authority's capability data: Northbrook's framework, a role profile for every
post, and two years of valid assessments, the same for the same seed."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date

from sqlalchemy import func, literal, select

from workforce.demo_capability import NORTHBROOK_FRAMEWORK
from workforce.extensions import db
from workforce.metrics.capability import RATINGS
from workforce.models import (
    Assessment,
    AssessmentRating,
    DevelopmentAction,
    Framework,
    FrameworkDescriptor,
    FrameworkDomain,
    RoleProfile,
    Team,
    User,
)
from workforce.services.capability import (
    profile_coverage,
    staff_in_post,
    team_capability,
    without_recent_assessment,
)

TODAY = date(2026, 6, 15)
SEED = 11


def test_demo_capability_data_is_complete_and_valid(demo_authority):
    assert (demo_authority.seed, demo_authority.today) == (SEED, TODAY)

    council = db.session.scalar(select(Framework).where(Framework.code == "NORTHBROOK"))
    assert council is not None and council.name == NORTHBROOK_FRAMEWORK["name"]
    assert 6 <= len(council.domains) <= 8
    assert [level.name for level in council.levels] == [
        "Does not supervise others",
        "Supervises others",
    ]
    assert db.session.scalar(
        select(func.count())
        .select_from(FrameworkDescriptor)
        .join(FrameworkDomain)
        .where(FrameworkDomain.framework_id == council.id)
    )

    # Every person in post matches a role profile, and the profiles say what they should.
    uses, unmatched = profile_coverage(TODAY)
    assert unmatched == 0
    people = {use.profile.name: use for use in uses}
    assert sum(use.people for use in uses) == len(staff_in_post(literal(True), TODAY))
    expected = {
        "Newly qualified social worker (ASYE)": ("PCF", "ASYE", None),
        "Social worker": ("PCF", "Social worker", None),
        "Senior social worker": ("PCF", "Experienced social worker", None),
        "Advanced practitioner": ("PCF", "Advanced", "Advanced social work practitioner"),
        "Practice educator": ("PCF", "Advanced", "Professional social work educator"),
        "Team manager (social work)": ("PCF", "Advanced", "Social work manager"),
        "Head of service": ("PCF", "Strategic", None),
        "Team manager (not social work)": ("NORTHBROOK", "Supervises others", None),
        "Family support worker": ("NORTHBROOK", "Does not supervise others", None),
    }
    for name, (code, level, pathway) in expected.items():
        profile = people[name].profile
        assert (profile.framework.code, profile.level.name) == (code, level), name
        assert (profile.pathway.name if profile.pathway else None) == pathway, name
        assert people[name].people > 0, name
    assert db.session.scalar(select(func.count()).select_from(RoleProfile)) == len(uses)

    # Two years of assessments, every signed-off one rating every current domain.
    assessments = list(db.session.scalars(select(Assessment)))
    kinds = Counter((a.kind, a.status) for a in assessments)
    assert kinds[("appraisal", "signed_off")] > 300
    assert kinds[("supervisor", "signed_off")] > 20
    assert kinds[("asye_review", "signed_off")] > 0
    assert kinds[("self", "signed_off")] > 0
    assert 0 < kinds[("appraisal", "draft")] < 20
    days = [a.assessed_on for a in assessments]
    assert min(days) >= date(2024, 6, 15) and max(days) < TODAY
    current = defaultdict(set)
    for framework_id, domain_id in db.session.execute(
        select(FrameworkDomain.framework_id, FrameworkDomain.id).where(
            FrameworkDomain.retired.is_(False)
        )
    ):
        current[framework_id].add(domain_id)
    rated = defaultdict(set)
    for assessment_id, domain_id, rating in db.session.execute(
        select(AssessmentRating.assessment_id, AssessmentRating.domain_id, AssessmentRating.rating)
    ):
        assert rating in RATINGS
        rated[assessment_id].add(domain_id)
    users = {u.id: u for u in db.session.scalars(select(User))}
    for a in assessments:
        assert a.level.framework_id == a.framework_id
        assert rated[a.id] <= current[a.framework_id]
        if a.status == "signed_off":
            assert rated[a.id] == current[a.framework_id], a
            assert a.signed_off_at is not None and a.signed_off_at.date() >= a.assessed_on
        else:
            assert a.signed_off_at is None
            assert rated[a.id] < current[a.framework_id]
        assessor = users[a.assessor_id]
        if a.kind == "self":
            assert assessor.staff_id == a.staff_id
        else:
            assert assessor.staff_id != a.staff_id
    ratings = Counter(
        db.session.scalars(
            select(AssessmentRating.rating)
            .join(Assessment)
            .where(Assessment.status == "signed_off", Assessment.kind != "self")
        )
    )
    assert ratings["meets"] > ratings["developing"] > ratings["exceeds"] / 2
    assert ratings["not_yet_evident"] < ratings["developing"]

    # Development actions for the domains below expectation, some done.
    actions = list(db.session.scalars(select(DevelopmentAction)))
    assert actions
    assert any(a.completed_on for a in actions) and any(not a.completed_on for a in actions)
    assert all(a.owner and a.due_date and a.domain_id for a in actions)
    assert all(a.completed_on is None or a.completed_on <= TODAY for a in actions)

    # Some people in post (about one in ten) lack an assessment in the last 12 months.
    overdue = without_recent_assessment(literal(True), TODAY)
    in_post = len(staff_in_post(literal(True), TODAY))
    assert 0.04 * in_post < len(overdue) < 0.2 * in_post

    # The demo supervisor assessed her team, and its heatmap shows a mix.
    manager = db.session.scalar(select(User).where(User.email == "manager@northbrook.example.org"))
    assert db.session.scalar(
        select(func.count()).select_from(Assessment).where(Assessment.assessor_id == manager.id)
    )
    team = db.session.scalar(select(Team).where(Team.name == "Assessment North"))
    heatmap = team_capability(team.id, TODAY).heatmaps[0]
    assert heatmap.framework.code == "PCF"
    judgements = Counter(j.value for row in heatmap.rows for _, j in row.cells)
    assert judgements["meets"] > judgements["below"] > 0
    assert len(set(heatmap.meeting_counts())) > 1
