"""Demo ASYE for the demo authority built by ``workforce.demo``: the shipped programme and
two cohorts.

- **The earlier cohort** started about 14 months ago. The demo's newly qualified social
  workers (spells with start origin 1, grade SW1) all started within the last year, so this
  cohort is made of the social workers (grade SW2) whose first post began 12.5 to 17.5
  months ago, still in post: the year they have just finished was their ASYE. Most passed at the
  moderation panel; one was deferred (concerns at 6 months, not on track at the final
  review) and one withdrew after the 6-month review. Every review up to the outcome is held,
  the evidence is complete for those who passed, protected time was logged monthly, and one
  had a three-week pause for sickness that pushed their schedule back.
- **The recent cohort** started about 4 months ago: the demo's newly qualified social
  workers who started 75 to 180 days ago. The agreement and the 3-month review are held,
  except one whose 3-month review is overdue; one review found some concerns. Some
  evidence, protected time logged (one person falling behind), and one person has a missed
  week of supervision in their first six weeks (a weekly session cancelled, when the
  supervision demo left none missed).

Assessor: the account of the person's line manager where there is one, else the ASYE lead
(the learning@ account, the L&D officer). Reviews are recorded without a capability
assessment (the ratings are the capability demo's business). Deterministic for the ``rng``
it is given; everything is added in one flush.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from workforce.extensions import db
from workforce.metrics.asye import Pause, missed_windows, schedule, supervision_windows
from workforce.metrics.supervision import add_months
from workforce.models import EmploymentSpell, User
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
from workforce.services.asye import load_default_programme
from workforce.services.supervision import NQSW_ORIGIN

EVIDENCE_TITLES = {
    "observation": "Observed home visit",
    "family_feedback": "Feedback from a parent",
    "professional_feedback": "Feedback from a school designated safeguarding lead",
    "written_report": "Child and family assessment",
    "critical_reflection": "Critical reflection",
    "kss_self_assessment": "KSS self-assessment",
}
ACTIVITIES = (
    "ASYE workshop",
    "Reading practice guidance",
    "Shadowing a senior practitioner",
    "Reflective writing",
    "Peer learning group",
)
PLANS = (
    "Build confidence in analysis in assessments; two observed visits next period.",
    "Focus on direct work with children; complete the written report on a CIN case.",
    "Keep up reflective writing; seek feedback from partner agencies.",
)


def _points(programme: AsyeProgramme) -> list[tuple[str, str, int, bool]]:
    return [
        (str(p["code"]), str(p["label"]), int(p["months"]), bool(p.get("optional", False)))
        for p in programme.review_points
    ]


def build_asye_demo(rng: random.Random, today: date) -> str:
    """Create the programme and two cohorts; return a summary. The caller commits."""
    load_default_programme()
    from workforce.demo import DEMO_DOMAIN  # here: workforce.demo imports this module

    programme = db.session.scalar(
        select(AsyeProgramme)
        .where(AsyeProgramme.effective_from <= today)
        .order_by(AsyeProgramme.effective_from.desc())
    )
    assert programme is not None
    points = _points(programme)
    accounts = {u.staff_id: u for u in db.session.scalars(select(User)) if u.staff_id}
    lead = db.session.scalar(select(User).where(User.email == f"learning@{DEMO_DOMAIN}"))
    assert lead is not None

    spells = list(
        db.session.scalars(
            select(EmploymentSpell).order_by(
                EmploymentSpell.staff_id, EmploymentSpell.start_date, EmploymentSpell.id
            )
        )
    )
    first_spell: dict[int, EmploymentSpell] = {}
    for spell in spells:
        first_spell.setdefault(spell.staff_id, spell)
    open_staff = {s.staff_id for s in spells if s.end_date is None or s.end_date >= today}

    earlier = sorted(
        (
            s
            for s in first_spell.values()
            if s.grade == "SW2"
            and s.start_origin != NQSW_ORIGIN
            and 380 <= (today - s.start_date).days <= 540
            and s.staff_id in open_staff
        ),
        key=lambda s: (s.start_date, s.staff_id),
    )[:8]
    recent = sorted(
        (
            s
            for s in spells
            if s.start_origin == NQSW_ORIGIN
            and s.grade == "SW1"
            and 75 <= (today - s.start_date).days <= 180
            and (s.end_date is None or s.end_date >= today)
        ),
        key=lambda s: (s.start_date, s.staff_id),
    )[:8]

    def assessor_for(spell: EmploymentSpell) -> User:
        return accounts.get(spell.line_manager_id or -1) or lead

    def cohort(when: date, people: list[EmploymentSpell]) -> AsyeCohort:
        first = min((s.start_date for s in people), default=when).replace(day=1)
        record = AsyeCohort(name=f"ASYE cohort {first:%B %Y}", starts_on=first)
        db.session.add(record)
        return record

    def enrol(spell: EmploymentSpell, group: AsyeCohort) -> AsyeEnrolment:
        enrolment = AsyeEnrolment(
            staff_id=spell.staff_id,
            cohort=group,
            programme=programme,
            start_date=spell.start_date,
            assessor=assessor_for(spell),
            line_manager_id=spell.line_manager_id,
            contracted_hours=spell.contracted_hours,
        )
        db.session.add(enrolment)
        return enrolment

    def review(enrolment: AsyeEnrolment, code: str, due: date, judgement: str) -> date:
        held = min(due + timedelta(days=rng.randint(0, 6)), today)
        enrolment.reviews.append(
            AsyeReview(
                point=code,
                held_on=held,
                judgement=judgement,
                development_plan=PLANS[rng.randrange(len(PLANS))],
            )
        )
        return held

    def evidence(enrolment: AsyeEnrolment, kind: str, first: date, last: date) -> None:
        span = max(0, (last - first).days)
        enrolment.evidence.append(
            AsyeEvidence(
                kind=kind,
                dated=first + timedelta(days=rng.randint(0, span)),
                title=EVIDENCE_TITLES.get(kind, kind.replace("_", " ").capitalize()),
            )
        )

    def protected(enrolment: AsyeEnrolment, until: date, share: float) -> float:
        """Log protected time fortnightly up to ``until``, about ``share`` of what is due."""
        weekly = float(enrolment.contracted_hours) * float(programme.protected_share)
        day, logged = enrolment.start_date + timedelta(days=10), 0.0
        while day <= until:
            hours = round(weekly * 2 * share * 2) / 2  # to the half hour
            if hours > 0:
                enrolment.protected_time.append(
                    ProtectedTime(
                        taken_on=day,
                        hours=Decimal(str(min(hours, 7.5))),
                        activity=ACTIVITIES[rng.randrange(len(ACTIVITIES))],
                    )
                )
                logged += min(hours, 7.5)
            day += timedelta(days=14)
        return logged

    # --- the earlier cohort: the year finished ---------------------------------------------
    outcomes = {"passed": 0, "deferred": 0, "withdrawn": 0}
    first_cohort = cohort(add_months(today, -14), earlier)
    for index, spell in enumerate(earlier):
        enrolment = enrol(spell, first_cohort)
        fate = "withdrawn" if index == 1 else "deferred" if index == 3 else "passed"
        pauses: list[Pause] = []
        if index == 2:
            pause_start = add_months(spell.start_date, 4)
            pause = Pause(pause_start, pause_start + timedelta(days=20))
            pauses.append(pause)
            enrolment.pauses.append(
                AsyePause(start_date=pause.start, end_date=pause.end, reason="sickness")
            )
        held_until = spell.start_date
        for point in schedule(spell.start_date, pauses, points):
            if point.due > today:
                break
            if fate == "withdrawn" and point.code not in ("agreement", "review_3", "review_6"):
                break
            if point.optional and index % 2 == 0:
                continue
            judgement = "on_track"
            if fate == "deferred" and point.code == "review_6":
                judgement = "some_concerns"
            if fate == "deferred" and point.code in ("final", "moderation"):
                judgement = "not_on_track"
            held_until = review(enrolment, point.code, point.due, judgement)
        outcome_on = held_until
        if fate == "withdrawn":
            outcome_on = min(held_until + timedelta(days=30), today)
        enrolment.outcome, enrolment.outcome_on = fate, outcome_on
        enrolment.moderation_notes = {
            "passed": "Panel of the principal social worker and two assessors: portfolio "
            "meets the PCF at ASYE level; passed.",
            "deferred": "Panel: evidence of analysis in assessments not yet sufficient; "
            "deferred for three months with a development plan.",
            "withdrawn": "Withdrew from the programme on leaving frontline practice.",
        }[fate]
        outcomes[fate] += 1
        for kind, spec in programme.evidence_requirements.items():
            needed = int(spec["required"]) if fate != "withdrawn" else 1
            for _ in range(needed):
                evidence(enrolment, kind, spell.start_date, outcome_on)
        protected(enrolment, outcome_on, 1.0 if fate != "deferred" else 0.7)

    # --- the recent cohort: four months in -------------------------------------------------
    second_cohort = cohort(add_months(today, -4), recent)
    overdue_one = recent[0].staff_id if recent else None
    reviews_held = 0
    recent_enrolments = []
    for index, spell in enumerate(recent):
        enrolment = enrol(spell, second_cohort)
        recent_enrolments.append(enrolment)
        for point in schedule(spell.start_date, [], points):
            if point.due > today - timedelta(days=3):
                break
            if point.code == "review_3" and spell.staff_id == overdue_one:
                break
            judgement = "some_concerns" if point.code == "review_3" and index == 2 else "on_track"
            review(enrolment, point.code, point.due, judgement)
            reviews_held += 1
        evidence(
            enrolment, "kss_self_assessment", spell.start_date, spell.start_date + timedelta(7)
        )
        for kind in ("observation", "family_feedback", "written_report")[: 1 + index % 3]:
            evidence(enrolment, kind, spell.start_date + timedelta(days=30), today)
        protected(enrolment, today, 0.4 if index == 1 else 1.0)
    db.session.flush()

    # One person has a missed week of supervision: a weekly session cancelled, unless the
    # supervision demo already left someone with a missed window.
    missed_week = ""
    held: dict[int, list[date]] = {}
    rows = db.session.execute(
        select(SupervisionAttendee.staff_id, SupervisionSession.held_on)
        .join(SupervisionSession, SupervisionSession.id == SupervisionAttendee.session_id)
        .where(
            SupervisionAttendee.staff_id.in_([e.staff_id for e in recent_enrolments]),
            SupervisionSession.outcome == "held",
        )
    )
    for staff_id, day in rows:
        held.setdefault(staff_id, []).append(day)
    already = [
        e
        for e in recent_enrolments
        if missed_windows(supervision_windows(e.start_date, held.get(e.staff_id, []), today), today)
    ]
    if not already and recent_enrolments:
        target = recent_enrolments[-1]
        week_start = target.start_date + timedelta(days=14)
        for session in db.session.scalars(
            select(SupervisionSession)
            .join(SupervisionAttendee, SupervisionAttendee.session_id == SupervisionSession.id)
            .where(
                SupervisionAttendee.staff_id == target.staff_id,
                SupervisionSession.outcome == "held",
                SupervisionSession.held_on >= week_start,
                SupervisionSession.held_on < week_start + timedelta(days=7),
            )
        ):
            session.outcome = "cancelled"
            session.reason = "Supervisor called to a strategy meeting"
            session.duration_minutes = None
            session.actions.clear()
            for attendee in session.attendees:
                attendee.acknowledged_at = None
                attendee.comment = None
        missed_week = "; one missed supervision week"
    elif already:
        missed_week = f"; {len(already)} with a missed supervision week"
    db.session.flush()
    return (
        f"ASYE: {len(earlier)} in the cohort of 14 months ago ({outcomes['passed']} passed, "
        f"{outcomes['deferred']} deferred, {outcomes['withdrawn']} withdrawn), {len(recent)} in "
        f"the cohort of 4 months ago ({reviews_held} reviews held, one 3-month review "
        f"overdue{missed_week})"
    )
