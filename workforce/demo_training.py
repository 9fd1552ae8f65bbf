"""Demo learning and development programme: a year of courses, sessions, registers and
evaluations, and upcoming sessions, for the demo authority built by ``workforce.demo``."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import select

from workforce.extensions import db
from workforce.models import (
    Booking,
    Course,
    CourseAudience,
    CpdEntry,
    EmploymentSpell,
    Evaluation,
    ImpactFollowUp,
    PracticeModel,
    Staff,
    StrategicPriority,
    TrainingSession,
    Venue,
)
from workforce.services.evaluations import schedule_impact_follow_ups
from workforce.services.frameworks import pcf

VENUES = (
    (
        "Northbrook Learning House",
        "12 Mill Lane, Northbrook: a house set up as a family home, with cameras for reflection",
    ),
    ("Civic Centre training suite", "Civic Centre, Market Street, Northbrook"),
    ("Eastgate Family Hub", "Eastgate Road, Northbrook"),
)

#: title, provider, mode, CPD hours, cost, practice model, PCF domain numbers, priorities,
#: mandatory roles, refresher months, sessions a year, capacity, ASYE workshop
COURSES = (
    (
        "Signs of Safety: two-day foundation",
        "commissioned",
        "face_to_face",
        "12",
        "180",
        "Signs of Safety",
        (6, 7),
        ("Signs of Safety",),
        (),
        None,
        6,
        16,
        False,
    ),
    (
        "Restorative Practice in social work",
        "in_house",
        "workshop",
        "6",
        "40",
        "Restorative Practice",
        (2, 7),
        ("Restorative Practice",),
        (),
        None,
        4,
        18,
        False,
    ),
    (
        "Family Group Conferencing for practitioners",
        "in_house",
        "workshop",
        "3",
        "25",
        "Family Group Conferencing",
        (4, 7),
        ("Family Group Conferencing",),
        (),
        None,
        3,
        14,
        False,
    ),
    (
        "Triple P Standard",
        "commissioned",
        "face_to_face",
        "21",
        "450",
        "Triple P",
        (5, 7),
        ("Early Intervention and Prevention",),
        (),
        None,
        2,
        12,
        False,
    ),
    (
        "Solihull Approach foundation",
        "commissioned",
        "face_to_face",
        "12",
        "150",
        "Solihull Approach",
        (5, 7),
        ("Early Intervention and Prevention",),
        (),
        None,
        2,
        15,
        False,
    ),
    (
        "Outcomes Based Accountability for managers",
        "external",
        "workshop",
        "6",
        "120",
        "Outcomes Based Accountability",
        (8, 9),
        ("Outcomes Based Accountability",),
        ("2", "3"),
        None,
        2,
        12,
        False,
    ),
    (
        "Safeguarding children: level 3",
        "in_house",
        "face_to_face",
        "6",
        "30",
        None,
        (1, 4, 5),
        ("Safeguarding our Children",),
        ("1", "2", "3", "4", "5", "6"),
        36,
        6,
        20,
        False,
    ),
    (
        "Data protection and information sharing",
        "in_house",
        "e_learning",
        "1.5",
        "0",
        None,
        (1, 8),
        ("Best Use of Resources",),
        ("1", "2", "3", "4", "5", "6", "other"),
        12,
        6,
        60,
        False,
    ),
    (
        "Court skills and evidence",
        "external",
        "simulation",
        "6",
        "95",
        None,
        (5, 6, 7),
        ("Safeguarding our Children",),
        (),
        None,
        2,
        12,
        False,
    ),
    (
        "Supervision skills for new managers",
        "commissioned",
        "workshop",
        "12",
        "220",
        None,
        (6, 9),
        ("Best Use of Resources",),
        ("3",),
        36,
        2,
        10,
        False,
    ),
)
ASYE_THEME = "ASYE workshop: {name}"


def _course(
    rng: random.Random,
    spec: tuple,
    domains: dict[int, object],
    priorities: dict[str, StrategicPriority],
    models: dict[str, PracticeModel],
) -> Course:
    (
        title,
        provider,
        mode,
        hours,
        cost,
        model,
        domain_numbers,
        priority_names,
        mandatory,
        refresher,
        _,
        _,
        asye,
    ) = spec
    course = Course(
        title=title,
        provider=provider,
        delivery_mode=mode,
        cpd_hours=Decimal(hours),
        cost_per_place=Decimal(cost),
        practice_model=models.get(model) if model else None,
        refresher_months=refresher,
        impact_follow_up_months=3,
        is_asye_workshop=asye,
        active=True,
        description=f"{title}. Part of Northbrook's learning and development programme.",
    )
    course.domains = [domains[n] for n in domain_numbers if n in domains]
    course.priorities = [p for name in priority_names if (p := priorities.get(name))]
    for role in mandatory:
        course.audiences.append(CourseAudience(kind="role", value=role, mandatory=True))
    if not mandatory:
        for role in ("4", "5", "6"):
            course.audiences.append(CourseAudience(kind="role", value=role, mandatory=False))
    db.session.add(course)
    return course


def build_training_demo(rng: random.Random, today: date) -> str:
    """Add courses, a year of delivered sessions with registers and evaluations, and the
    next three months of scheduled sessions. The caller commits."""
    framework = pcf()
    domains = {d.position: d for d in framework.domains} if framework else {}
    priorities = {p.name: p for p in db.session.scalars(select(StrategicPriority))}
    models = {m.name: m for m in db.session.scalars(select(PracticeModel))}
    venues = []
    for name, address in VENUES:
        venue = Venue(name=name, address=address, active=True)
        db.session.add(venue)
        venues.append(venue)
    courses = [(_course(rng, spec, domains, priorities, models), spec) for spec in COURSES]
    for position, domain in sorted(domains.items()):
        spec = (
            ASYE_THEME.format(name=domain.name),
            "in_house",
            "workshop",
            "3",
            "0",
            None,
            (position,),
            (),
            (),
            None,
            1,
            14,
            True,
        )
        courses.append((_course(rng, spec, domains, priorities, models), spec))
    db.session.flush()

    # Everyone in post today, with their team, is a possible attendee.
    people = db.session.execute(
        select(
            Staff.id,
            EmploymentSpell.org_role,
            EmploymentSpell.post_title,
            EmploymentSpell.line_manager_id,
        )
        .join(EmploymentSpell, EmploymentSpell.staff_id == Staff.id)
        .where(EmploymentSpell.current_on(today))
    ).all()
    social_workers = [p.id for p in people if p.org_role in ("4", "5", "6")]
    newly_qualified = [p.id for p in people if p.post_title.startswith("Newly")]
    everyone = [p.id for p in people]

    sessions = bookings = evaluations = 0
    for course, spec in courses:
        per_year, capacity, asye = spec[10], spec[11], spec[12]
        pool = (
            newly_qualified
            if asye
            else (everyone if spec[8] and "other" in spec[8] else social_workers)
        )
        if not pool:
            continue
        for index in range(per_year + 1):
            # Spread a year's delivery over the last 12 months, plus one upcoming session.
            offset = -int(365 * (per_year - index) / max(per_year, 1)) + rng.randint(0, 20)
            day = today + timedelta(days=offset if index < per_year else rng.randint(10, 90))
            while day.weekday() >= 5:
                day += timedelta(days=1)
            hours = min(float(spec[3]), 6.5)
            start = datetime.combine(day, time(9, 30))
            session = TrainingSession(
                course=course,
                starts_at=start,
                ends_at=start + timedelta(hours=max(hours, 1.5)),
                venue=None if spec[2] == "e_learning" else rng.choice(venues),
                location_detail="Online" if spec[2] == "e_learning" else None,
                trainer=rng.choice(
                    ["Northbrook L&D team", "Jo Whitfield", "Sam Okoro", "External trainer"]
                ),
                capacity=capacity,
                status="completed" if day < today else "scheduled",
            )
            db.session.add(session)
            sessions += 1
            wanted = min(len(pool), capacity + (2 if rng.random() < 0.3 else -rng.randint(0, 4)))
            chosen = rng.sample(pool, max(wanted, 1))
            for position, staff_id in enumerate(chosen):
                waiting = position >= capacity
                booking = Booking(
                    session=session,
                    staff_id=staff_id,
                    status="waiting" if waiting else "booked",
                    requested_at=start - timedelta(days=30 - position % 20),
                )
                if not waiting and day < today:
                    roll = rng.random()
                    booking.attendance = (
                        "attended"
                        if roll < 0.84
                        else ("partial" if roll < 0.9 else "did_not_attend")
                    )
                    if booking.attendance != "did_not_attend" and rng.random() < 0.7:
                        overall = rng.choices([5, 4, 3, 2], weights=[45, 38, 13, 4])[0]
                        before = rng.randint(1, 4)
                        returned = session.ends_at + timedelta(days=rng.randint(0, 6))
                        booking.evaluation = Evaluation(
                            created_at=returned.replace(tzinfo=UTC),
                            updated_at=returned.replace(tzinfo=UTC),
                            overall=overall,
                            relevance=max(1, min(5, overall + rng.choice([-1, 0, 0, 1]))),
                            confidence_before=before,
                            confidence_after=min(5, before + rng.randint(0, 2)),
                            will_do_differently=rng.choice(
                                [
                                    "Use the three columns in every family meeting.",
                                    "Ask more scaling questions in supervision.",
                                    "Write shorter, clearer analysis in assessments.",
                                    None,
                                ]
                            ),
                            source=rng.choice(["self", "self", "paper"]),
                        )
                        evaluations += 1
                db.session.add(booking)
                bookings += 1
    db.session.flush()

    # Line managers have answered most impact follow-ups that fell due more than a month ago.
    schedule_impact_follow_ups(today)
    due = db.session.scalars(
        select(ImpactFollowUp).where(ImpactFollowUp.due_on < today - timedelta(days=28))
    ).all()
    for follow_up in due:
        if rng.random() < 0.7:
            follow_up.practice_changed = rng.choices(["yes", "partly", "no"], weights=[50, 35, 15])[
                0
            ]
            follow_up.example = (
                None
                if follow_up.practice_changed == "no"
                else rng.choice(
                    [
                        "Uses the approach in family meetings and records it in plans.",
                        "Supervision notes show the model's language and tools.",
                        "Assessments are clearer about risk and strengths.",
                    ]
                )
            )
            answered = follow_up.due_on + timedelta(days=rng.randint(1, 25))
            follow_up.responded_at = datetime.combine(answered, time(12, 0), tzinfo=UTC)
    db.session.flush()

    # A few CPD log entries for qualified staff, so the registration-year rule has data.
    for staff_id in rng.sample(social_workers, min(60, len(social_workers))):
        for _ in range(rng.randint(1, 3)):
            db.session.add(
                CpdEntry(
                    staff_id=staff_id,
                    entry_type=rng.choice(["reading", "supervision", "course", "observation"]),
                    description=rng.choice(
                        [
                            "Research in Practice briefing on neglect",
                            "Group supervision on a complex case",
                            "Shadowed a child protection conference chair",
                            "Read guidance on contextual safeguarding",
                        ]
                    ),
                    activity_date=today - timedelta(days=rng.randint(5, 500)),
                    learning="How to weigh cumulative harm and write it down clearly.",
                    impact="My assessments now set out the history before the analysis.",
                    peer_reflection=rng.random() < 0.5,
                    peer_reflection_detail="Discussed with my practice supervisor."
                    if rng.random() < 0.5
                    else None,
                )
            )
    db.session.flush()
    return f"{len(courses)} courses, {sessions} sessions, {bookings} bookings, {evaluations} evaluations"
