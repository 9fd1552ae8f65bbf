"""Role profiles, assessments and gaps: every change and every query the capability pages,
reports and demo use.

**Expected level.** A person's expected framework and level come from the role profile
matching their employment spell in force (``workforce.metrics.capability.match_profile``).

**Who assesses whom.** HR and admins may assess anyone; a supervisor may assess the people
they manage (``workforce.security.managed_staff_ids``); an ASYE assessor may write the ASYE
reviews of the newly qualified social worker they assess; anyone linked to a staff record may
write their own self-assessment, and nobody else may. Only the assessor signs off; a
signed-off assessment is read-only and is corrected by a new assessment.

**Who reads an assessment.** The person assessed, the assessor, the person's managers, HR
and admins. L&D officers and senior leaders see the aggregate reports, not the evidence.

**Latest ratings** come from signed-off assessments other than self-assessments; the latest
self-assessment is shown beside them.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import selectinload

from workforce.extensions import db
from workforce.metrics.capability import (
    MEETING,
    RATINGS,
    Judgement,
    ProfileCriteria,
    RatingRow,
    judge,
    latest_ratings,
    match_profile,
    months_before,
)
from workforce.models import (
    ASSESSMENT_KINDS,
    Assessment,
    AssessmentRating,
    Booking,
    Course,
    DevelopmentAction,
    EmploymentSpell,
    Framework,
    FrameworkDescriptor,
    FrameworkDomain,
    FrameworkLevel,
    FrameworkPathway,
    RoleProfile,
    Staff,
    TrainingSession,
    User,
)
from workforce.models._base import utcnow
from workforce.models.people import spell_in_force
from workforce.models.training import course_domain
from workforce.pagination import Page
from workforce.security import PEOPLE_MANAGERS, managed_staff_ids
from workforce.services import ServiceError
from workforce.services.reference import labels

#: How long an assessment counts as recent.
ASSESSMENT_DUE_MONTHS = 12
#: The longest text a rating's evidence or an action may hold.
MAX_TEXT = 5000


# --- role profiles -------------------------------------------------------------------------


def active_profiles() -> list[RoleProfile]:
    """Every active role profile, oldest first (the tie-break order for matching)."""
    return list(
        db.session.scalars(
            select(RoleProfile).where(RoleProfile.active.is_(True)).order_by(RoleProfile.id)
        )
    )


def _criteria(profile: RoleProfile) -> ProfileCriteria:
    return ProfileCriteria(profile.post_title, profile.org_role, profile.grade)


def profile_for_spell(
    spell: EmploymentSpell | None, profiles: Sequence[RoleProfile] | None = None
) -> RoleProfile | None:
    """The role profile that applies to ``spell`` (None without a spell or a match)."""
    if spell is None:
        return None
    profiles = active_profiles() if profiles is None else profiles
    index = match_profile(
        [_criteria(p) for p in profiles], spell.post_title, spell.org_role, spell.grade
    )
    return None if index is None else profiles[index]


def expected_profile(staff: Staff, on: date | None = None) -> RoleProfile | None:
    """The role profile of ``staff``'s spell in force on ``on`` (default today)."""
    return profile_for_spell(staff.spell_on(on or date.today()))


@dataclass(frozen=True)
class ProfileDetails:
    """What a role profile form gives."""

    name: str
    framework_id: int
    level_id: int
    pathway_id: int | None = None
    post_title: str | None = None
    org_role: str | None = None
    grade: str | None = None
    active: bool = True


def _clean(text: str | None) -> str | None:
    text = (text or "").strip()
    return text or None


def save_profile(profile: RoleProfile | None, details: ProfileDetails) -> RoleProfile:
    """Create (``profile`` None) or update a role profile after checking it."""
    name = _clean(details.name)
    if not name:
        raise ServiceError("Enter a name for the role profile", "name")
    framework = db.session.get(Framework, details.framework_id)
    if framework is None:
        raise ServiceError("Choose a framework", "framework_id")
    level = db.session.get(FrameworkLevel, details.level_id)
    if level is None or level.framework_id != framework.id:
        raise ServiceError(f"{framework.name} has no such level", "level_id")
    if level.retired:
        raise ServiceError(f"The level {level.name} is retired; choose a current one", "level_id")
    pathway = None
    if details.pathway_id is not None:
        pathway = db.session.get(FrameworkPathway, details.pathway_id)
        if pathway is None or pathway.level_id != level.id:
            raise ServiceError(f"The level {level.name} has no such pathway", "pathway_id")
    elif level.pathways:
        raise ServiceError(f"Choose a pathway of the level {level.name}", "pathway_id")
    org_role = _clean(details.org_role)
    if org_role is not None and org_role not in labels("org_role"):
        raise ServiceError("Choose an organisational role from the census list", "org_role")
    criteria = ProfileCriteria(_clean(details.post_title), org_role, _clean(details.grade))
    clash = db.session.scalar(
        select(RoleProfile).where(
            RoleProfile.name == name, RoleProfile.id != (profile and profile.id)
        )
    )
    if clash is not None:
        raise ServiceError(f"There is already a role profile called {name}", "name")
    if details.active:
        for other in active_profiles():
            if other is not profile and _criteria(other) == criteria:
                raise ServiceError(
                    f"The role profile {other.name} already matches exactly these posts",
                    "post_title",
                )
    if profile is None:
        profile = RoleProfile()
        db.session.add(profile)
    profile.name = name
    profile.framework_id = framework.id
    profile.level_id = level.id
    profile.pathway_id = pathway.id if pathway else None
    profile.post_title, profile.org_role, profile.grade = (
        criteria.post_title,
        criteria.org_role,
        criteria.grade,
    )
    profile.active = details.active
    db.session.flush()
    return profile


@dataclass(frozen=True)
class ProfileUse:
    """How many people in post a role profile applies to today."""

    profile: RoleProfile
    people: int


def profile_coverage(on: date) -> tuple[list[ProfileUse], int]:
    """People in post per active profile, and how many match no profile."""
    profiles = active_profiles()
    counts: dict[int, int] = defaultdict(int)
    unmatched = 0
    rows = db.session.execute(
        select(
            EmploymentSpell.staff_id,
            EmploymentSpell.post_title,
            EmploymentSpell.org_role,
            EmploymentSpell.grade,
        )
        .where(spell_in_force(EmploymentSpell, on))
        .order_by(EmploymentSpell.staff_id, EmploymentSpell.start_date, EmploymentSpell.id)
    ).all()
    latest: dict[int, Any] = {}
    for row in rows:  # the latest started spell in force wins, as in Staff.spell_on
        latest[row.staff_id] = row
    criteria = [_criteria(p) for p in profiles]
    for row in latest.values():
        index = match_profile(criteria, row.post_title, row.org_role, row.grade)
        if index is None:
            unmatched += 1
        else:
            counts[profiles[index].id] += 1
    return [ProfileUse(p, counts[p.id]) for p in profiles], unmatched


# --- who may do what -------------------------------------------------------------------


def manages(user: User, staff_id: int, on: date | None = None) -> bool:
    """Whether ``user`` is a supervisor who manages ``staff_id`` on ``on``."""
    if user.staff_id is None or not user.has_role("supervisor") or user.staff_id == staff_id:
        return False
    return bool(
        db.session.scalar(
            select(func.count()).where(
                managed_staff_ids(user.staff_id, on).subquery().c[0] == staff_id
            )
        )
    )


def can_assess(user: User, staff: Staff, kind: str) -> bool:
    """Whether ``user`` may start an assessment of ``kind`` for ``staff``."""
    if kind == "self":
        return user.staff_id == staff.id
    if user.staff_id == staff.id:
        return False
    if user.has_role(*PEOPLE_MANAGERS) or manages(user, staff.id):
        return True
    if kind == "asye_review":  # the ASYE assessor rates their NQSW at review points
        from workforce.services import asye

        return asye.assesses(user, staff.id)
    return False


def assessment_kinds_for(user: User, staff: Staff) -> list[str]:
    """The kinds of assessment ``user`` may start for ``staff`` (maybe none)."""
    return [kind for kind in ASSESSMENT_KINDS if can_assess(user, staff, kind)]


def can_read_assessments(user: User, staff: Staff) -> bool:
    """Whether ``user`` may read ``staff``'s assessments and their evidence."""
    return user.staff_id == staff.id or user.has_role(*PEOPLE_MANAGERS) or manages(user, staff.id)


def readable_staff_ids(user: User, staff_ids: Iterable[int]) -> set[int]:
    """Which of ``staff_ids`` ``user`` may read the assessments of (one query at most)."""
    wanted = set(staff_ids)
    if user.has_role(*PEOPLE_MANAGERS):
        return wanted
    readable = {user.staff_id} & wanted if user.staff_id is not None else set()
    if user.staff_id is not None and user.has_role("supervisor") and wanted:
        managed = managed_staff_ids(user.staff_id).subquery().c[0]
        readable |= set(
            db.session.scalars(select(managed).where(managed.in_(wanted), managed != user.staff_id))
        )
    return readable


def can_read(user: User, assessment: Assessment) -> bool:
    """Whether ``user`` may read ``assessment`` (a draft self-assessment stays private to
    its author until they sign it off)."""
    if assessment.assessor_id == user.id:
        return True
    if assessment.kind == "self" and not assessment.signed_off:
        return False
    return can_read_assessments(user, assessment.staff)


def can_edit(user: User, assessment: Assessment) -> bool:
    """Whether ``user`` may change ``assessment`` (its assessor, while it is a draft)."""
    return not assessment.signed_off and assessment.assessor_id == user.id


def can_comment(user: User, assessment: Assessment) -> bool:
    """Whether ``user`` may comment on ``assessment`` (the person assessed, before sign-off,
    on an assessment someone else wrote)."""
    return (
        not assessment.signed_off
        and assessment.kind != "self"
        and user.staff_id == assessment.staff_id
    )


def can_update_actions(user: User, assessment: Assessment) -> bool:
    """Whether ``user`` may mark ``assessment``'s development actions done: the assessor or
    the person assessed, once it is signed off."""
    return assessment.signed_off and (
        assessment.assessor_id == user.id or user.staff_id == assessment.staff_id
    )


# --- assessments -------------------------------------------------------------------------


def _check_date(day: date, today: date) -> None:
    if day > today:
        raise ServiceError("The assessment date must be today or in the past", "assessed_on")


def start_assessment(
    staff: Staff,
    assessor: User,
    *,
    kind: str,
    assessed_on: date,
    level_id: int | None = None,
    pathway_id: int | None = None,
    today: date | None = None,
) -> Assessment:
    """Start a draft assessment of ``staff`` against ``level_id`` (default: their expected
    level) in that level's framework."""
    today = today or date.today()
    if kind not in ASSESSMENT_KINDS:
        raise ServiceError("Choose what kind of assessment this is", "kind")
    if not can_assess(assessor, staff, kind):
        if kind == "self":
            raise ServiceError("Only the person themselves can write a self-assessment", "kind")
        raise ServiceError(
            f"You can only assess people you manage; {staff.full_name} is not one of them",
            "kind",
        )
    _check_date(assessed_on, today)
    profile = expected_profile(staff, assessed_on)
    if level_id is None:
        if profile is None:
            raise ServiceError(
                f"No role profile applies to {staff.full_name}'s post; choose a level",
                "level_id",
            )
        level_id, pathway_id = profile.level_id, profile.pathway_id
    level = db.session.get(FrameworkLevel, level_id)
    if level is None:
        raise ServiceError("Choose a level of the framework", "level_id")
    if level.retired:
        raise ServiceError(f"The level {level.name} is retired; choose a current one", "level_id")
    if pathway_id is not None:
        pathway = db.session.get(FrameworkPathway, pathway_id)
        if pathway is None or pathway.level_id != level.id:
            raise ServiceError(f"The level {level.name} has no such pathway", "level_id")
    assessment = Assessment(
        staff_id=staff.id,
        framework_id=level.framework_id,
        level_id=level.id,
        pathway_id=pathway_id,
        kind=kind,
        assessed_on=assessed_on,
        assessor_id=assessor.id,
        status="draft",
    )
    db.session.add(assessment)
    db.session.flush()
    return assessment


def _require_draft(assessment: Assessment) -> None:
    if assessment.signed_off:
        raise ServiceError(
            "This assessment is signed off and cannot be changed; start a correction instead"
        )


def active_domains(framework_id: int) -> list[FrameworkDomain]:
    """The framework's domains that are not retired, in order."""
    return list(
        db.session.scalars(
            select(FrameworkDomain)
            .where(FrameworkDomain.framework_id == framework_id, FrameworkDomain.retired.is_(False))
            .order_by(FrameworkDomain.position)
        )
    )


@dataclass(frozen=True)
class RatingInput:
    """One domain's rating from the form: blank rating leaves the domain unrated."""

    domain_id: int
    rating: str | None
    evidence: str | None = None


def save_ratings(
    assessment: Assessment,
    inputs: Iterable[RatingInput],
    *,
    assessed_on: date | None = None,
    summary: str | None = None,
    today: date | None = None,
) -> None:
    """Set the draft's ratings (and its date and summary), refusing a rating off the scale
    or a domain the framework lacks or has retired."""
    _require_draft(assessment)
    domains = {d.id: d for d in active_domains(assessment.framework_id)}
    held = {r.domain_id: r for r in assessment.ratings}
    if assessed_on is not None:
        _check_date(assessed_on, today or date.today())
        assessment.assessed_on = assessed_on
    assessment.summary = _clean(summary)
    for item in inputs:
        domain = domains.get(item.domain_id)
        if domain is None:
            raise ServiceError(
                "That domain is not a current domain of the framework", f"rating_{item.domain_id}"
            )
        rating = _clean(item.rating)
        evidence = _clean(item.evidence)
        if evidence and len(evidence) > MAX_TEXT:
            raise ServiceError(
                f"Evidence for {domain.name} must be {MAX_TEXT} characters or fewer",
                f"evidence_{domain.id}",
            )
        if rating is None:
            if evidence:
                raise ServiceError(
                    f"Choose a rating for {domain.name}, or remove its evidence",
                    f"rating_{domain.id}",
                )
            if domain.id in held:
                assessment.ratings.remove(held[domain.id])
            continue
        if rating not in RATINGS:
            raise ServiceError(
                f"Rate {domain.name} as one of: {', '.join(RATINGS.values()).lower()}",
                f"rating_{domain.id}",
            )
        row = held.get(domain.id)
        if row is None:
            assessment.ratings.append(
                AssessmentRating(domain_id=domain.id, rating=rating, evidence=evidence)
            )
        else:
            row.rating, row.evidence = rating, evidence
    db.session.flush()


def add_action(
    assessment: Assessment,
    *,
    description: str,
    owner: str,
    due_date: date,
    domain_id: int | None = None,
) -> DevelopmentAction:
    """Agree a development action in a draft assessment."""
    _require_draft(assessment)
    description_text, owner_text = _clean(description), _clean(owner)
    if not description_text:
        raise ServiceError("Describe the development action", "description")
    if len(description_text) > MAX_TEXT:
        raise ServiceError(f"The action must be {MAX_TEXT} characters or fewer", "description")
    if not owner_text:
        raise ServiceError("Enter who owns the action", "owner")
    if len(owner_text) > 150:
        raise ServiceError("The owner must be 150 characters or fewer", "owner")
    if due_date < assessment.assessed_on:
        raise ServiceError("The due date must be on or after the assessment date", "due_date")
    if domain_id is not None:
        domain = db.session.get(FrameworkDomain, domain_id)
        if domain is None or domain.framework_id != assessment.framework_id or domain.retired:
            raise ServiceError("Choose a current domain of the framework", "domain_id")
    action = DevelopmentAction(
        description=description_text, owner=owner_text, due_date=due_date, domain_id=domain_id
    )
    assessment.actions.append(action)
    db.session.flush()
    return action


def remove_action(action: DevelopmentAction) -> None:
    """Remove an action from a draft assessment."""
    _require_draft(action.assessment)
    action.assessment.actions.remove(action)
    db.session.flush()


def set_action_done(
    action: DevelopmentAction, done_on: date | None, today: date | None = None
) -> None:
    """Mark an action done on ``done_on`` (None reopens it)."""
    if done_on is not None:
        if done_on > (today or date.today()):
            raise ServiceError("The date done must be today or in the past", "completed_on")
        if done_on < action.assessment.assessed_on:
            raise ServiceError(
                "The date done must be on or after the assessment date", "completed_on"
            )
    action.completed_on = done_on
    db.session.flush()


def comment(assessment: Assessment, user: User, text: str | None) -> None:
    """The person assessed adds (or changes) their comment before sign-off."""
    if not can_comment(user, assessment):
        raise ServiceError("Only the person assessed can comment, before it is signed off")
    cleaned = _clean(text)
    if cleaned and len(cleaned) > MAX_TEXT:
        raise ServiceError(f"The comment must be {MAX_TEXT} characters or fewer", "comment")
    assessment.assessee_comment = cleaned
    assessment.assessee_commented_at = utcnow() if cleaned else None
    db.session.flush()


def unrated_domains(assessment: Assessment) -> list[FrameworkDomain]:
    """Current domains of the framework the draft has not rated yet."""
    rated = {r.domain_id for r in assessment.ratings}
    return [d for d in active_domains(assessment.framework_id) if d.id not in rated]


def sign_off(assessment: Assessment, user: User) -> None:
    """The assessor signs the assessment off; every current domain must be rated."""
    _require_draft(assessment)
    if assessment.assessor_id != user.id:
        raise ServiceError("Only the assessor can sign this assessment off")
    missing = unrated_domains(assessment)
    if missing:
        names = ", ".join(d.name for d in missing)
        raise ServiceError(f"Rate every domain before signing off. Not yet rated: {names}")
    assessment.status = "signed_off"
    assessment.signed_off_at = utcnow()
    db.session.flush()


def discard(assessment: Assessment) -> None:
    """Delete a draft (a signed-off assessment is kept for good)."""
    _require_draft(assessment)
    db.session.delete(assessment)
    db.session.flush()


def start_correction(original: Assessment, user: User, today: date | None = None) -> Assessment:
    """A new draft copying a signed-off assessment's ratings and actions, for its assessor
    (or HR/admin) to correct; the original stays as it was."""
    if not original.signed_off:
        raise ServiceError("Only a signed-off assessment can be corrected; edit the draft")
    if original.assessor_id != user.id and not user.has_role(*PEOPLE_MANAGERS):
        raise ServiceError("Only the assessor, HR or an admin can correct this assessment")
    correction = Assessment(
        staff_id=original.staff_id,
        framework_id=original.framework_id,
        level_id=original.level_id,
        pathway_id=original.pathway_id,
        kind=original.kind,
        assessed_on=original.assessed_on,
        assessor_id=user.id,
        status="draft",
        summary=original.summary,
        corrects_id=original.id,
    )
    current = {d.id for d in active_domains(original.framework_id)}
    correction.ratings = [
        AssessmentRating(domain_id=r.domain_id, rating=r.rating, evidence=r.evidence)
        for r in original.ratings
        if r.domain_id in current
    ]
    correction.actions = [
        DevelopmentAction(
            description=a.description,
            owner=a.owner,
            due_date=a.due_date,
            domain_id=a.domain_id,
            completed_on=a.completed_on,
        )
        for a in original.actions
    ]
    db.session.add(correction)
    db.session.flush()
    return correction


def assessment_history(staff_id: int, user: User) -> list[Assessment]:
    """Every assessment of a person ``user`` may read, newest first, with their levels
    loaded (a draft self-assessment only for its author)."""
    private_draft = and_(
        Assessment.kind == "self",
        Assessment.status == "draft",
        Assessment.assessor_id != user.id,
    )
    return list(
        db.session.scalars(
            select(Assessment)
            .where(Assessment.staff_id == staff_id, ~private_draft)
            .options(
                selectinload(Assessment.level),
                selectinload(Assessment.framework),
                selectinload(Assessment.assessor),
                selectinload(Assessment.ratings),
            )
            .order_by(Assessment.assessed_on.desc(), Assessment.id.desc())
        )
    )


# --- gaps ----------------------------------------------------------------------------------


def rating_rows(
    staff_ids: Iterable[int] | Any, *, self_assessed: bool = False, on: date | None = None
) -> dict[int, list[RatingRow]]:
    """Signed-off ratings per person (self-assessments only, or only the others), up to
    ``on``, with the position of the level each was given at."""
    query = (
        select(
            Assessment.staff_id,
            AssessmentRating.domain_id,
            AssessmentRating.rating,
            Assessment.assessed_on,
            Assessment.id,
            FrameworkLevel.position,
        )
        .join(AssessmentRating, AssessmentRating.assessment_id == Assessment.id)
        .join(FrameworkLevel, FrameworkLevel.id == Assessment.level_id)
        .where(
            Assessment.status == "signed_off",
            (Assessment.kind == "self") if self_assessed else (Assessment.kind != "self"),
            Assessment.staff_id.in_(staff_ids),
        )
    )
    if on is not None:
        query = query.where(Assessment.assessed_on <= on)
    out: dict[int, list[RatingRow]] = defaultdict(list)
    for staff_id, domain_id, rating, assessed_on, assessment_id, position in db.session.execute(
        query
    ):
        out[staff_id].append(RatingRow(domain_id, rating, assessed_on, assessment_id, position))
    return out


@dataclass
class DomainGap:
    """One domain of a person's expected framework, judged."""

    domain: FrameworkDomain
    latest: RatingRow | None
    judgement: Judgement
    self_rating: RatingRow | None = None
    #: Active catalogue courses linked to the domain (suggested where it is a gap).
    courses: list[Course] = field(default_factory=list)
    #: Courses linked to the domain the person attended: evidence, never a rating.
    completed: list[tuple[Course, date]] = field(default_factory=list)

    @property
    def is_gap(self) -> bool:
        """Whether the domain is below expectation."""
        return self.judgement is Judgement.BELOW


@dataclass
class PersonGaps:
    """A person's latest ratings per domain against their expected level."""

    staff: Staff
    profile: RoleProfile | None
    domains: list[DomainGap]
    last_assessed: date | None

    @property
    def gaps(self) -> list[DomainGap]:
        """The domains below expectation."""
        return [d for d in self.domains if d.is_gap]

    @property
    def meeting(self) -> int:
        """How many domains meet expectation."""
        return sum(d.judgement is Judgement.MEETS for d in self.domains)


def _judged(
    domains: Sequence[FrameworkDomain],
    rows: Sequence[RatingRow],
    expected_position: int | None,
) -> list[tuple[FrameworkDomain, RatingRow | None, Judgement]]:
    latest = latest_ratings(rows)
    judged = []
    for domain in domains:
        row = latest.get(domain.id)
        judgement = judge(
            row.rating if row else None, row.level_position if row else None, expected_position
        )
        judged.append((domain, row, judgement))
    return judged


def person_gaps(staff: Staff, on: date | None = None) -> PersonGaps:
    """``staff``'s gaps on ``on`` (default today), with suggested courses and the training
    they completed in each domain."""
    on = on or date.today()
    profile = expected_profile(staff, on)
    rows = rating_rows([staff.id], on=on).get(staff.id, [])
    last = max((r.assessed_on for r in rows), default=None)
    if profile is None:
        return PersonGaps(staff, None, [], last)
    domains = active_domains(profile.framework_id)
    own = latest_ratings(rating_rows([staff.id], self_assessed=True, on=on).get(staff.id, []))
    courses = courses_by_domain([d.id for d in domains])
    completed = completed_by_domain(staff.id, [d.id for d in domains], on)
    result = [
        DomainGap(
            domain=domain,
            latest=row,
            judgement=judgement,
            self_rating=own.get(domain.id),
            courses=courses.get(domain.id, []),
            completed=completed.get(domain.id, []),
        )
        for domain, row, judgement in _judged(domains, rows, profile.level.position)
    ]
    return PersonGaps(staff, profile, result, last)


def courses_by_domain(domain_ids: Sequence[int]) -> dict[int, list[Course]]:
    """Active catalogue courses linked to each domain, by title."""
    out: dict[int, list[Course]] = defaultdict(list)
    rows = db.session.execute(
        select(course_domain.c.domain_id, Course)
        .join(Course, Course.id == course_domain.c.course_id)
        .where(course_domain.c.domain_id.in_(domain_ids), Course.active.is_(True))
        .order_by(Course.title)
    )
    for domain_id, course in rows:
        out[domain_id].append(course)
    return out


def completed_by_domain(
    staff_id: int, domain_ids: Sequence[int], on: date
) -> dict[int, list[tuple[Course, date]]]:
    """Courses linked to each domain that ``staff_id`` attended by ``on``, latest first."""
    out: dict[int, list[tuple[Course, date]]] = defaultdict(list)
    attended_on = func.max(TrainingSession.starts_at)
    rows = db.session.execute(
        select(course_domain.c.domain_id, Course, attended_on)
        .join(Course, Course.id == course_domain.c.course_id)
        .join(TrainingSession, TrainingSession.course_id == Course.id)
        .join(
            Booking,
            and_(
                Booking.session_id == TrainingSession.id,
                Booking.staff_id == staff_id,
                Booking.status == "booked",
                Booking.attendance == "attended",
            ),
        )
        .where(
            course_domain.c.domain_id.in_(domain_ids),
            TrainingSession.starts_at < datetime.combine(on + timedelta(days=1), time()),
        )
        .group_by(course_domain.c.domain_id, Course.id)
        .order_by(attended_on.desc())
    )
    for domain_id, course, day in rows:
        out[domain_id].append((course, day.date()))
    return out


@dataclass
class HeatmapRow:
    """One person in a team heatmap."""

    staff: Staff
    profile: RoleProfile
    cells: list[tuple[RatingRow | None, Judgement]]
    last_assessed: date | None

    @property
    def meeting(self) -> int:
        """How many domains meet expectation."""
        return sum(j is Judgement.MEETS for _, j in self.cells)


@dataclass
class Heatmap:
    """People by domains of one framework, with counts meeting expectation per domain."""

    framework: Framework
    domains: list[FrameworkDomain]
    rows: list[HeatmapRow]

    def meeting_counts(self) -> list[int]:
        """People meeting expectation, per domain in order."""
        return [
            sum(row.cells[i][1] is Judgement.MEETS for row in self.rows)
            for i in range(len(self.domains))
        ]


@dataclass
class TeamCapability:
    """A team's heatmaps (one per framework in use) and the people no profile covers."""

    heatmaps: list[Heatmap]
    unprofiled: list[Staff]


def staff_in_post(staff_filter: Any, on: date) -> list[tuple[Staff, EmploymentSpell]]:
    """People (matching ``staff_filter``, a condition on ``EmploymentSpell``/``Staff``) with
    their spell in force on ``on``, by name; the latest started spell where two overlap."""
    rows = db.session.execute(
        select(Staff, EmploymentSpell)
        .join(EmploymentSpell, EmploymentSpell.staff_id == Staff.id)
        .where(spell_in_force(EmploymentSpell, on), staff_filter)
        .order_by(Staff.last_name, Staff.first_name, Staff.id, EmploymentSpell.start_date)
    ).all()
    latest: dict[int, tuple[Staff, EmploymentSpell]] = {}
    for staff, spell in rows:
        latest[staff.id] = (staff, spell)
    return list(latest.values())


def team_capability(
    team_id: int, on: date | None = None, staff_filter: Any = None
) -> TeamCapability:
    """The heatmaps of everyone whose spell in force on ``on`` is in ``team_id`` (and who
    matches ``staff_filter``, say the people a user may see)."""
    on = on or date.today()
    condition = EmploymentSpell.staff_id.in_(
        select(EmploymentSpell.staff_id).where(
            EmploymentSpell.team_id == team_id, spell_in_force(EmploymentSpell, on)
        )
    )
    if staff_filter is not None:
        condition = and_(condition, staff_filter)
    people = [
        (staff, spell) for staff, spell in staff_in_post(condition, on) if spell.team_id == team_id
    ]
    return capability_of(people, on)


def capability_of(people: Sequence[tuple[Staff, EmploymentSpell]], on: date) -> TeamCapability:
    """Heatmaps for ``people`` (staff with their spell in force), grouped by framework."""
    profiles = active_profiles()
    ratings = rating_rows([staff.id for staff, _ in people], on=on)
    by_framework: dict[int, list[tuple[Staff, RoleProfile]]] = defaultdict(list)
    unprofiled = []
    for staff, spell in people:
        profile = profile_for_spell(spell, profiles)
        if profile is None:
            unprofiled.append(staff)
        else:
            by_framework[profile.framework_id].append((staff, profile))
    heatmaps = []
    for members in by_framework.values():
        framework = members[0][1].framework
        domains = active_domains(framework.id)
        rows = []
        for staff, profile in members:
            own = ratings.get(staff.id, [])
            cells = [
                (row, judgement)
                for _, row, judgement in _judged(domains, own, profile.level.position)
            ]
            rows.append(
                HeatmapRow(staff, profile, cells, max((r.assessed_on for r in own), default=None))
            )
        heatmaps.append(Heatmap(framework, domains, rows))
    heatmaps.sort(key=lambda h: (h.framework.code != "PCF", h.framework.name))
    return TeamCapability(heatmaps, unprofiled)


@dataclass(frozen=True)
class Overdue:
    """A person in post with no assessment in the last 12 months."""

    staff: Staff
    spell: EmploymentSpell
    last_assessed: date | None


def _overdue_query(staff_filter: Any, on: date) -> Select[Any]:
    """SQL: (Staff, EmploymentSpell, last assessed, how many rows in all) for each person in
    post on ``on`` (their latest started spell in force among those matching
    ``staff_filter``) with no signed-off assessment other than a self-assessment in the
    ``ASSESSMENT_DUE_MONTHS`` months up to ``on``
    (``workforce.metrics.capability.assessment_overdue``), never-assessed first, then
    longest since, then by name."""
    counted = (Assessment.status == "signed_off", Assessment.kind != "self")
    recently_assessed = select(Assessment.staff_id).where(
        *counted,
        Assessment.assessed_on >= months_before(on, ASSESSMENT_DUE_MONTHS),
        Assessment.assessed_on <= on,
    )
    last_assessed = (
        select(func.max(Assessment.assessed_on))
        .where(
            Assessment.staff_id == EmploymentSpell.staff_id, *counted, Assessment.assessed_on <= on
        )
        .correlate(EmploymentSpell)
        .scalar_subquery()
    )
    ranked = (
        select(
            EmploymentSpell.id.label("spell_id"),
            last_assessed.label("last_assessed"),
            func.row_number()
            .over(
                partition_by=EmploymentSpell.staff_id,
                order_by=(EmploymentSpell.start_date.desc(), EmploymentSpell.id.desc()),
            )
            .label("rank"),
        )
        .join(Staff, Staff.id == EmploymentSpell.staff_id)
        .where(
            spell_in_force(EmploymentSpell, on),
            staff_filter,
            EmploymentSpell.staff_id.not_in(recently_assessed),
        )
        .subquery("ranked")
    )
    return (
        select(Staff, EmploymentSpell, ranked.c.last_assessed, func.count().over())
        .join(EmploymentSpell, EmploymentSpell.staff_id == Staff.id)
        .join(ranked, ranked.c.spell_id == EmploymentSpell.id)
        .where(ranked.c.rank == 1)
        .order_by(
            ranked.c.last_assessed.is_not(None),
            ranked.c.last_assessed,
            Staff.last_name,
            Staff.first_name,
            Staff.id,
        )
    )


def without_recent_assessment(staff_filter: Any, on: date | None = None) -> list[Overdue]:
    """People in post (matching ``staff_filter``) with no signed-off assessment other than a
    self-assessment in the ``ASSESSMENT_DUE_MONTHS`` months up to ``on``, never-assessed
    first, then longest since."""
    query = _overdue_query(staff_filter, on or date.today())
    return [Overdue(staff, spell, last) for staff, spell, last, _ in db.session.execute(query)]


def overdue_page(staff_filter: Any, page: int, per_page: int, on: date | None = None) -> Page:
    """One page of ``without_recent_assessment`` (a page past the end shows the last page),
    in one query that also counts the whole list: only the page's people are loaded."""
    query = _overdue_query(staff_filter, on or date.today())
    page = max(page, 1)
    rows = db.session.execute(query.limit(per_page).offset((page - 1) * per_page)).all()
    if not rows and page > 1:  # past the end: count, then show the last page
        total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
        page = max(1, math.ceil(total / per_page))
        rows = db.session.execute(query.limit(per_page).offset((page - 1) * per_page)).all()
    total = rows[0][3] if rows else 0
    return Page(
        rows=[Overdue(staff, spell, last) for staff, spell, last, _ in rows],
        page=page,
        per_page=per_page,
        total=total,
    )


def open_actions(staff_id: int) -> list[DevelopmentAction]:
    """Development actions of signed-off assessments of ``staff_id`` not yet done, by due date."""
    return list(
        db.session.scalars(
            select(DevelopmentAction)
            .join(Assessment)
            .where(
                Assessment.staff_id == staff_id,
                Assessment.status == "signed_off",
                DevelopmentAction.completed_on.is_(None),
            )
            .options(
                selectinload(DevelopmentAction.assessment),
                selectinload(DevelopmentAction.domain),
            )
            .order_by(DevelopmentAction.due_date, DevelopmentAction.id)
        )
    )


def drafts_about(staff_id: int) -> list[Assessment]:
    """Draft assessments of ``staff_id`` written by someone else (open to their comment)."""
    return list(
        db.session.scalars(
            select(Assessment)
            .where(
                Assessment.staff_id == staff_id,
                Assessment.status == "draft",
                Assessment.kind != "self",
            )
            .order_by(Assessment.assessed_on)
        )
    )


def rating_choices() -> list[tuple[str, str]]:
    """The rating scale as form choices."""
    return list(RATINGS.items())


def meets(rating: str | None) -> bool:
    """Whether ``rating`` meets the level it was given against."""
    return rating in MEETING


def ratings_by_domain(assessment: Assessment) -> Mapping[int, AssessmentRating]:
    """The assessment's ratings keyed by domain."""
    return {r.domain_id: r for r in assessment.ratings}


def level_choices() -> list[tuple[str, str]]:
    """Every current level of every active framework as "level" or "level:pathway" keys,
    labelled "Framework: Level (pathway)"."""
    levels = db.session.scalars(
        select(FrameworkLevel)
        .join(Framework)
        .where(Framework.active.is_(True), FrameworkLevel.retired.is_(False))
        .options(selectinload(FrameworkLevel.pathways), selectinload(FrameworkLevel.framework))
        .order_by(Framework.code != "PCF", Framework.name, FrameworkLevel.position)
    )
    out: list[tuple[str, str]] = []
    for level in levels:
        prefix = f"{level.framework.name}: {level.name}"
        if level.pathways:
            out.extend((f"{level.id}:{p.id}", f"{prefix} ({p.name})") for p in level.pathways)
        else:
            out.append((str(level.id), prefix))
    return out


def level_key(level_id: int | None, pathway_id: int | None) -> str:
    """The key ``level_choices`` gives a level and pathway."""
    if level_id is None:
        return ""
    return f"{level_id}:{pathway_id}" if pathway_id else str(level_id)


def parse_level_key(key: str | None) -> tuple[int | None, int | None]:
    """(level id, pathway id) from a ``level_choices`` key; (None, None) when unreadable."""
    level, _, pathway = (key or "").partition(":")
    if not level.isdigit() or (pathway and not pathway.isdigit()):
        return None, None
    return int(level), int(pathway) if pathway else None


def descriptors_for(level_id: int, domain_ids: Sequence[int]) -> dict[int, str]:
    """The framework's descriptor text for each domain at ``level_id``, where it has one."""
    return dict(
        db.session.execute(
            select(FrameworkDescriptor.domain_id, FrameworkDescriptor.text).where(
                FrameworkDescriptor.level_id == level_id,
                FrameworkDescriptor.domain_id.in_(domain_ids),
            )
        ).all()
    )
