"""Demo capability data for the demo authority built by ``workforce.demo``: Northbrook's own
capabilities framework for staff who are not social workers, a role profile for every demo
post, and two years of assessments up to today.

Social workers are assessed against the PCF at the level of their post (ASYE, Social worker,
Experienced social worker, Advanced with its pathway, Strategic); everyone else against the
council's framework, at "Supervises others" for team managers and "Does not supervise
others" for the rest, the way Lincolnshire adapted the PCF for its whole children's services
workforce (seed 003).

Most people have an annual appraisal each year, some a supervisor assessment, newly
qualified social workers ASYE reviews; their line manager's account assesses them where the
manager has one (Claire Redfern, the demo supervisor, for Assessment North), the demo HR
account otherwise. Ratings are mostly "meets", newer staff lower; a rating below "meets"
comes with a development action. Some people miss their appraisal, so the list of people
without an assessment in the last 12 months is not empty. Every assessment is built
directly as rows (no per-person checks: the data is made valid by construction) and
flushed once, so it takes about a second.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select

from workforce.extensions import db
from workforce.metrics.capability import ProfileCriteria, match_profile
from workforce.models import (
    Assessment,
    AssessmentRating,
    DevelopmentAction,
    EmploymentSpell,
    Framework,
    FrameworkDescriptor,
    FrameworkDomain,
    RoleProfile,
    Staff,
    User,
)
from workforce.services.capability import ProfileDetails, active_profiles, save_profile
from workforce.services.frameworks import load_framework, pcf

SUPERVISES = "Supervises others"
DOES_NOT_SUPERVISE = "Does not supervise others"

#: The council's framework for staff who are not social workers (``load_framework`` shape).
NORTHBROOK_FRAMEWORK: dict[str, Any] = {
    "code": "NORTHBROOK",
    "name": "Northbrook Children's Services Capabilities Framework",
    "description": (
        "The capabilities Northbrook expects of children's services staff who are not social "
        "workers, adapted from the Professional Capabilities Framework: one set for staff who "
        "do not supervise others and one for those who do. Appraisals and supervisor "
        "assessments rate each domain."
    ),
    "source": (
        "Northbrook Children's Services (a fictional demo authority), after the adapted "
        "capabilities Lincolnshire County Council applies to its non-social-work children's "
        "services staff, underpinned by its values: professional, resourceful, respectful, "
        "reflective."
    ),
    "domains": [
        {
            "name": "Professional conduct",
            "description": (
                "Behaves professionally and is accountable for their work: reliable, honest, "
                "keeps good records and works within policy and their role."
            ),
        },
        {
            "name": "Values, equality and respect",
            "description": (
                "Treats children, families and colleagues with respect, challenges "
                "discrimination and values diversity."
            ),
        },
        {
            "name": "Safeguarding and the child's voice",
            "description": (
                "Recognises and reports concerns about a child's safety promptly, and keeps the "
                "child's experience and wishes at the centre of the work."
            ),
        },
        {
            "name": "Working with families and partners",
            "description": (
                "Builds purposeful relationships with families and works with schools, health "
                "and other partners so that help is joined up."
            ),
        },
        {
            "name": "Knowledge and skills for the role",
            "description": (
                "Knows the law, procedures and approaches that apply to the role (including the "
                "council's practice models) and uses them well."
            ),
        },
        {
            "name": "Reflection and learning",
            "description": (
                "Reflects on their practice, uses supervision and feedback, and keeps their "
                "learning up to date."
            ),
        },
        {
            "name": "Resourcefulness and leadership",
            "description": (
                "Uses time and resources well, finds solutions, and leads by example; those who "
                "supervise develop and support their staff."
            ),
        },
    ],
    "levels": [
        {
            "name": DOES_NOT_SUPERVISE,
            "description": "Staff who do not supervise others.",
        },
        {
            "name": SUPERVISES,
            "description": "Staff who supervise others, such as team managers.",
        },
    ],
}

#: A few "what good looks like" statements: (domain, level) → text.
DESCRIPTORS: dict[tuple[str, str], str] = {
    ("Professional conduct", DOES_NOT_SUPERVISE): (
        "I keep accurate, timely records and act within my role and the council's policies."
    ),
    ("Professional conduct", SUPERVISES): (
        "I set clear standards for my team, model them, and act when they are not met."
    ),
    ("Safeguarding and the child's voice", DOES_NOT_SUPERVISE): (
        "I notice and report concerns about a child the same day, and record what the child "
        "says in their own words."
    ),
    ("Safeguarding and the child's voice", SUPERVISES): (
        "I make sure my team's work keeps children safe and that concerns are escalated and "
        "followed up."
    ),
    ("Resourcefulness and leadership", DOES_NOT_SUPERVISE): (
        "I plan my work, use resources carefully and suggest better ways of doing things."
    ),
    ("Resourcefulness and leadership", SUPERVISES): (
        "I supervise my staff regularly, support their development and use the team's "
        "resources where they make most difference."
    ),
}

#: (profile name, framework code, level, pathway, post title, census role, grade)
PROFILES: tuple[tuple[str, str, str, str | None, str | None, str | None, str | None], ...] = (
    ("Newly qualified social worker (ASYE)", "PCF", "ASYE", None, None, None, "SW1"),
    ("Social worker", "PCF", "Social worker", None, None, "5", None),
    ("Senior social worker", "PCF", "Experienced social worker", None, None, "4", None),
    (
        "Advanced practitioner",
        "PCF",
        "Advanced",
        "Advanced social work practitioner",
        "Advanced practitioner",
        None,
        None,
    ),
    (
        "Practice educator",
        "PCF",
        "Advanced",
        "Professional social work educator",
        "Practice educator",
        None,
        None,
    ),
    (
        "Team manager (social work)",
        "PCF",
        "Advanced",
        "Social work manager",
        "Team manager",
        "3",
        None,
    ),
    ("Head of service", "PCF", "Strategic", None, None, "2", None),
    ("Director of children's services", "PCF", "Strategic", None, None, "1", None),
    ("Team manager (not social work)", "NORTHBROOK", SUPERVISES, None, "Team manager", None, None),
    (
        "Family support worker",
        "NORTHBROOK",
        DOES_NOT_SUPERVISE,
        None,
        "Family support worker",
        None,
        None,
    ),
    (
        "Early help practitioner",
        "NORTHBROOK",
        DOES_NOT_SUPERVISE,
        None,
        "Early help practitioner",
        None,
        None,
    ),
    (
        "Business support officer",
        "NORTHBROOK",
        DOES_NOT_SUPERVISE,
        None,
        "Business support officer",
        None,
        None,
    ),
    (
        "Learning and development officer",
        "NORTHBROOK",
        DOES_NOT_SUPERVISE,
        None,
        "Learning and development officer",
        None,
        None,
    ),
    (
        "HR business partner",
        "NORTHBROOK",
        DOES_NOT_SUPERVISE,
        None,
        "HR business partner",
        None,
        None,
    ),
)

#: Rating weights (not yet evident, developing, meets, exceeds) by how settled a person is.
RATING_WEIGHTS: dict[str, tuple[int, int, int, int]] = {
    "new": (6, 30, 62, 2),
    "struggling": (8, 38, 52, 2),
    "steady": (1, 7, 80, 12),
    "strong": (0, 2, 60, 38),
}
RATING_ORDER = ("not_yet_evident", "developing", "meets", "exceeds")

EVIDENCE = {
    "not_yet_evident": (
        "Not yet seen in practice; discussed in supervision.",
        "No evidence yet this year; agreed a plan to build it.",
    ),
    "developing": (
        "Emerging in recent work but not yet consistent.",
        "Seen in some cases; needs more confidence and consistency.",
        "Improving since the last review; keep building on it.",
    ),
    "meets": (
        "Consistently evidenced in case audits and supervision.",
        "Observed practice and feedback from families show this clearly.",
        "Good examples brought to supervision throughout the year.",
        "Meets the expected level; recorded well on the case file.",
    ),
    "exceeds": (
        "Strong practice that colleagues learn from.",
        "Went beyond the expected level; shared learning with the team.",
    ),
}
ACTIONS = (
    "Attend the linked workshop and bring the learning to supervision",
    "Shadow an experienced colleague on two visits and reflect on them",
    "Keep a reflective log for three months and discuss it in supervision",
    "Complete the e-learning module and apply it to one piece of work",
    "Take part in a case audit and agree what to change",
)
SUMMARIES = {
    "appraisal": (
        "Annual appraisal: a good year overall, with the development areas agreed below.",
        "Annual appraisal: objectives reviewed and next year's agreed.",
        "Annual appraisal: steady progress; development actions agreed.",
    ),
    "supervisor": (
        "Supervisor assessment after a period of observed practice.",
        "Mid-year check on progress against the framework.",
    ),
    "asye_review": ("ASYE review: progress against the ASYE level of the PCF.",),
    "self": ("My own view of where I am against the framework.",),
}
COMMENTS = (
    "I agree with this assessment and will focus on the actions agreed.",
    "Thank you; a fair reflection of my year.",
    "I would like more time to develop the areas below before the next review.",
)


@dataclass
class _Spell:
    staff_id: int
    staff_number: str
    name: str
    start: date
    end: date | None
    post_title: str | None
    org_role: str | None
    grade: str | None
    line_manager_id: int | None


def _northbrook_framework() -> Framework:
    framework = load_framework(NORTHBROOK_FRAMEWORK)
    levels = {level.name: level for level in framework.levels}
    domains = {domain.name: domain for domain in framework.domains}
    held = {
        (d.domain_id, d.level_id)
        for d in db.session.scalars(
            select(FrameworkDescriptor).where(
                FrameworkDescriptor.domain_id.in_([d.id for d in domains.values()])
            )
        )
    }
    for (domain_name, level_name), text in DESCRIPTORS.items():
        key = (domains[domain_name].id, levels[level_name].id)
        if key not in held:
            db.session.add(FrameworkDescriptor(domain_id=key[0], level_id=key[1], text=text))
    return framework


def build_profiles() -> list[RoleProfile]:
    """The Northbrook framework and a role profile for every demo post (by name, so a
    second run changes nothing)."""
    frameworks = {"PCF": pcf(), "NORTHBROOK": _northbrook_framework()}
    if frameworks["PCF"] is None:
        raise RuntimeError("Load the reference data (the PCF) before the demo")
    existing = {p.name: p for p in db.session.scalars(select(RoleProfile))}
    for name, code, level_name, pathway_name, post_title, org_role, grade in PROFILES:
        framework = frameworks[code]
        assert framework is not None
        level = next(level for level in framework.levels if level.name == level_name)
        pathway = (
            next(p for p in level.pathways if p.name == pathway_name) if pathway_name else None
        )
        save_profile(
            existing.get(name),
            ProfileDetails(
                name=name,
                framework_id=framework.id,
                level_id=level.id,
                pathway_id=pathway.id if pathway else None,
                post_title=post_title,
                org_role=org_role,
                grade=grade,
            ),
        )
    return active_profiles()


def _band(day: date, first_start: date, settle: float) -> str:
    """How settled a person is on ``day``: new in their first year, then by ``settle``."""
    if (day - first_start).days < 365:
        return "new"
    if settle < -1.1:
        return "struggling"
    return "strong" if settle > 1.2 else "steady"


def _window(low: date, high: date, first_start: date, until: date) -> tuple[date, date]:
    """The days from ``low`` to ``high`` someone in post from ``first_start`` to ``until``
    could be appraised (not in their first 60 days)."""
    return max(low, first_start + timedelta(days=60)), min(high, until)


def _pick(rng: random.Random, options: tuple[str, ...]) -> str:
    return options[rng.randrange(len(options))]


def build_capability_demo(rng: random.Random, today: date) -> str:
    """Create the framework, the profiles and two years of assessments; return a summary.
    The caller commits."""
    profiles = build_profiles()
    criteria = [ProfileCriteria(p.post_title, p.org_role, p.grade) for p in profiles]
    domains: dict[int, list[FrameworkDomain]] = {}
    for profile in profiles:
        if profile.framework_id not in domains:
            domains[profile.framework_id] = list(
                db.session.scalars(
                    select(FrameworkDomain)
                    .where(
                        FrameworkDomain.framework_id == profile.framework_id,
                        FrameworkDomain.retired.is_(False),
                    )
                    .order_by(FrameworkDomain.position)
                )
            )
    asye_level = next(p.level for p in profiles if p.level.name == "ASYE")

    from workforce.demo import DEMO_DOMAIN  # here: workforce.demo imports this module

    accounts = list(db.session.scalars(select(User)))
    users = {u.staff_id: u for u in accounts if u.staff_id}
    by_email = {u.email: u for u in accounts}
    hr_user = by_email[f"hr@{DEMO_DOMAIN}"]
    admin_user = by_email[f"admin@{DEMO_DOMAIN}"]
    practitioner = by_email[f"practitioner@{DEMO_DOMAIN}"].staff_id

    spells: dict[int, list[_Spell]] = {}
    for row in db.session.execute(
        select(
            Staff.id,
            Staff.staff_number,
            Staff.first_name,
            Staff.last_name,
            EmploymentSpell.start_date,
            EmploymentSpell.end_date,
            EmploymentSpell.post_title,
            EmploymentSpell.org_role,
            EmploymentSpell.grade,
            EmploymentSpell.line_manager_id,
        )
        .join(EmploymentSpell, EmploymentSpell.staff_id == Staff.id)
        .order_by(Staff.staff_number, EmploymentSpell.start_date, EmploymentSpell.id)
    ):
        spells.setdefault(row[0], []).append(_Spell(row[0], row[1], f"{row[2]} {row[3]}", *row[4:]))
    names = {staff_id: rows[0].name for staff_id, rows in spells.items()}

    window_start = today - timedelta(days=730)
    last_day = today - timedelta(days=1)
    built: list[Assessment] = []
    counts = {"signed": 0, "draft": 0, "actions": 0}

    def spell_on(staff_spells: list[_Spell], day: date) -> _Spell | None:
        current = [s for s in staff_spells if s.start <= day and (s.end is None or s.end >= day)]
        return current[-1] if current else None

    def assessor_for(spell: _Spell, kind: str) -> User:
        if kind == "self":
            return users[spell.staff_id]
        manager = users.get(spell.line_manager_id) if spell.line_manager_id else None
        if manager is not None and manager.staff_id != spell.staff_id:
            return manager
        return admin_user if hr_user.staff_id == spell.staff_id else hr_user

    def assess(
        spell: _Spell,
        day: date,
        kind: str,
        band: str,
        *,
        draft: bool = False,
        force_gap: bool = False,
    ) -> None:
        index = match_profile(criteria, spell.post_title, spell.org_role, spell.grade)
        if index is None:
            return
        profile = profiles[index]
        level = asye_level if kind == "asye_review" else profile.level
        assessor = assessor_for(spell, kind)
        assessment = Assessment(
            staff_id=spell.staff_id,
            framework_id=profile.framework_id,
            level_id=level.id,
            pathway_id=profile.pathway_id if kind != "asye_review" else None,
            kind=kind,
            assessed_on=day,
            assessor_id=assessor.id,
            status="draft" if draft else "signed_off",
            summary=_pick(rng, SUMMARIES[kind]),
        )
        weights = RATING_WEIGHTS[band]
        framework_domains = domains[profile.framework_id]
        rated = (
            framework_domains[: rng.randint(2, len(framework_domains) - 1)]
            if draft
            else framework_domains
        )
        gap_at = rng.randrange(len(rated)) if force_gap else -1
        for position, domain in enumerate(rated):
            rating = rng.choices(RATING_ORDER, weights=weights)[0]
            if position == gap_at:
                rating = "developing"
            assessment.ratings.append(
                AssessmentRating(
                    domain_id=domain.id,
                    rating=rating,
                    evidence=_pick(rng, EVIDENCE[rating]),
                )
            )
            if rating in ("not_yet_evident", "developing") and kind != "self":
                due = day + timedelta(days=rng.choice((60, 90, 120, 180)))
                done = None
                if not draft and due < today and rng.random() < 0.65:
                    done = min(due - timedelta(days=rng.randint(0, 40)), last_day)
                    done = max(done, day)
                owner = names[spell.staff_id] if rng.random() < 0.8 else "Line manager"
                assessment.actions.append(
                    DevelopmentAction(
                        description=f"{domain.name}: {_pick(rng, ACTIONS)}",
                        owner=owner,
                        due_date=due,
                        domain_id=domain.id,
                        completed_on=done,
                    )
                )
                counts["actions"] += 1
        if not draft:
            signed = min(day + timedelta(days=rng.randint(0, 10)), last_day)
            assessment.signed_off_at = datetime.combine(
                signed, time(rng.randint(9, 16), rng.choice((0, 15, 30, 45))), tzinfo=UTC
            )
            if kind != "self" and rng.random() < 0.3:
                assessment.assessee_comment = _pick(rng, COMMENTS)
                assessment.assessee_commented_at = assessment.signed_off_at
            counts["signed"] += 1
        else:
            counts["draft"] += 1
        built.append(assessment)

    for staff_id, staff_spells in spells.items():
        first_start = staff_spells[0].start
        ends = [s.end for s in staff_spells]
        last_end = None if any(e is None for e in ends) else max(e for e in ends if e)
        until = last_day if last_end is None else min(last_end, last_day)
        settle = rng.gauss(0, 1)
        offset = rng.randint(0, 364)
        asye = staff_spells[-1].grade == "SW1" and last_end is None

        if asye:  # newly qualified: ASYE reviews at three and six months, no appraisal yet
            for months in (3, 6):
                day = first_start + timedelta(days=30 * months + rng.randint(0, 10))
                if day <= last_day:
                    spell = spell_on(staff_spells, day)
                    if spell is not None:
                        assess(spell, day, "asye_review", "new")
            continue

        for cycle in (0, 1):
            cycle_start = window_start + timedelta(days=365 * cycle)
            low, high = _window(cycle_start, cycle_start + timedelta(days=364), first_start, until)
            if low > high:
                continue
            day = cycle_start + timedelta(days=offset)
            day = min(max(day, low), high)
            spell = spell_on(staff_spells, day)
            if spell is None:
                continue
            roll = rng.random()
            is_practitioner = staff_id == practitioner
            if cycle == 1 and not is_practitioner and roll < 0.08:
                continue  # missed this year's appraisal
            draft = cycle == 1 and not is_practitioner and roll < 0.11 and last_end is None
            if draft:
                day = max(last_day - timedelta(days=rng.randint(0, 25)), low)
                spell = spell_on(staff_spells, day) or spell
            if staff_id in users and not draft:
                own_day = max(day - timedelta(days=rng.randint(7, 20)), low)
                own_spell = spell_on(staff_spells, own_day)
                if own_spell is not None:
                    assess(own_spell, own_day, "self", _band(own_day, first_start, settle))
            assess(
                spell,
                day,
                "appraisal",
                _band(day, first_start, settle),
                draft=draft,
                force_gap=is_practitioner and cycle == 1,
            )

        if rng.random() < 0.3:
            low, high = _window(window_start, last_day, first_start, until)
            if low <= high:
                day = low + timedelta(days=rng.randint(0, (high - low).days))
                spell = spell_on(staff_spells, day)
                if spell is not None:
                    assess(spell, day, "supervisor", _band(day, first_start, settle))

    # A draft self-assessment in progress for the demo practitioner.
    practitioner_spell = spell_on(spells[practitioner], last_day)
    if practitioner_spell is not None:
        assess(practitioner_spell, last_day, "self", "steady", draft=True)

    db.session.add_all(built)
    db.session.flush()
    return (
        f"{len(profiles)} role profiles, {counts['signed']} signed-off assessments, "
        f"{counts['draft']} drafts, {counts['actions']} development actions"
    )


__all__ = ["NORTHBROOK_FRAMEWORK", "build_capability_demo", "build_profiles"]
