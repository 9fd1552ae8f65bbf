"""Demo supervision for the demo authority built by ``workforce.demo``: the shipped policies
and two years of sessions up to today, with actions, acknowledgements and quality audits.

Everyone with a line manager is supervised by them, about monthly, for 60 to 120 minutes
(mostly 90 or more); newly qualified social workers on the ASYE schedule (weekly for six
weeks, fortnightly to six months, then monthly). How reliably depends on the pair: most are
steady, some patchy (holidays, a month missed here and there, sessions cut short), a few
have long gaps (sickness, a vacancy). Some planned sessions are cancelled or rescheduled,
with the reason. Each team manager runs group reflective supervision about once a quarter
for some of their staff. Actions are agreed in most sessions (older ones mostly done); most
records are acknowledged by the supervisee within a week. Notes are short and neutral, and
never name or describe a child or family.

Claire Redfern (the demo supervisor, Assessment North) has most of her people within
policy and two overdue; the demo practitioner, one of her team, has a recent session still
to acknowledge and open actions. Some records are audited by the director (the only demo
account above the team managers and the head of service; the admin account for sessions the
director gave).

Every session is made valid by construction (the supervisee's spell in force that day has
the supervisor as line manager; dates up to today; durations in range) and everything is
added in one flush.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from workforce.extensions import db
from workforce.metrics.supervision import add_months, suggested_grade
from workforce.models import EmploymentSpell, User
from workforce.models.supervision import (
    CHECKLIST,
    ELEMENTS,
    SupervisionAction,
    SupervisionAttendee,
    SupervisionAudit,
    SupervisionSession,
)
from workforce.services.supervision import NQSW_ORIGIN, load_default_policies

HISTORY_DAYS = 730
#: How reliably a pair keeps to the policy: (weight, chance of a missed month, chance of a
#: long gap, chance a session is cut short).
PROFILES: dict[str, tuple[int, float, float, float]] = {
    "steady": (68, 0.0, 0.0, 0.02),
    "patchy": (24, 0.12, 0.04, 0.2),
    "struggling": (8, 0.2, 0.15, 0.3),
}
NOTES = (
    "Reviewed caseload and priorities for the coming month; workload is manageable.",
    "Reflected on a recent home visit and what went well; agreed next steps on the plan.",
    "Discussed decision-making on two cases and the rationale for each.",
    "Talked about wellbeing and the balance of visits and recording this month.",
    "Reviewed progress with training and the learning from the last course.",
    "Went through overdue recording and agreed time to catch up.",
    "Reflective discussion on working with fathers; agreed to read the practice guidance.",
    "Checked progress against the development plan; on track.",
    "Discussed preparation for an upcoming court hearing and support available.",
    "Explored a case that felt stuck and agreed a different approach to try.",
)
GROUP_NOTES = (
    "Group reflective session using the team's case discussion model; learning shared.",
    "Team reflective session on risk and hypotheses; each member brought a dilemma.",
)
ACTIONS = (
    "Update the chronologies on open cases",
    "Book a place on the next court skills workshop",
    "Arrange a joint visit with a senior colleague",
    "Complete outstanding case recording",
    "Read the practice guidance discussed and bring reflections",
    "Take annual leave booked for next month",
    "Prepare a case summary for the next group supervision",
)
CANCELLED_REASONS = (
    "Supervisor off sick",
    "Supervisee on annual leave",
    "Court hearing clashed with the session",
    "Urgent child protection visit",
)
RESCHEDULED_REASONS = (
    "Moved to later in the week at the supervisee's request",
    "Supervisor called to a strategy meeting",
    "Rearranged around a training day",
)
ACK_COMMENTS = (
    "Thank you, an accurate record.",
    "Agreed; I will update you on the actions next time.",
    "Helpful session, thanks.",
)
AUDIT_COMMENTS = (
    "Clear record of reflective discussion; actions have owners and dates.",
    "Decisions recorded but the rationale could be fuller.",
    "Wellbeing and the supervisee's views are not recorded.",
    "A good record: reflective, specific and balanced.",
)


@dataclass
class _Spell:
    staff_id: int
    team_id: int
    start: date
    end: date | None
    line_manager_id: int | None
    start_origin: str | None
    post_title: str | None

    def covers(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


def _asye(spell: _Spell, day: date) -> bool:
    return spell.start_origin == NQSW_ORIGIN and day < add_months(spell.start, 12)


def _interval(spell: _Spell, day: date) -> int:
    """Days until the next session the policy asks for, on ``day``."""
    if _asye(spell, day):
        weeks = (day - spell.start).days // 7
        if weeks < 6:
            return 7
        if weeks < 26:
            return 14
    return 30


def build_supervision_demo(rng: random.Random, today: date) -> str:
    """Create the policies and two years of supervision; return a summary. The caller
    commits."""
    load_default_policies()
    from workforce.demo import DEMO_DOMAIN  # here: workforce.demo imports this module

    accounts = list(db.session.scalars(select(User)))
    users = {u.staff_id: u for u in accounts if u.staff_id}
    by_email = {u.email: u for u in accounts}
    admin = by_email[f"admin@{DEMO_DOMAIN}"]
    director = by_email[f"director@{DEMO_DOMAIN}"]
    claire = by_email[f"manager@{DEMO_DOMAIN}"].staff_id
    practitioner = by_email[f"practitioner@{DEMO_DOMAIN}"].staff_id

    spells: dict[int, list[_Spell]] = {}
    for row in db.session.execute(
        select(
            EmploymentSpell.staff_id,
            EmploymentSpell.team_id,
            EmploymentSpell.start_date,
            EmploymentSpell.end_date,
            EmploymentSpell.line_manager_id,
            EmploymentSpell.start_origin,
            EmploymentSpell.post_title,
        ).order_by(EmploymentSpell.staff_id, EmploymentSpell.start_date, EmploymentSpell.id)
    ):
        spells.setdefault(row[0], []).append(_Spell(*row))

    def spell_on(staff_id: int, day: date) -> _Spell | None:
        current = [s for s in spells.get(staff_id, []) if s.covers(day)]
        return current[-1] if current else None

    first_day = today - timedelta(days=HISTORY_DAYS)
    now = datetime.combine(today, time(17, 0), UTC)
    sessions: list[SupervisionSession] = []
    counts = {"held": 0, "cancelled": 0, "rescheduled": 0, "group": 0, "actions": 0}
    # Claire's current line reports: two (not the practitioner) fall overdue.
    claires = sorted(
        staff_id
        for staff_id, own in spells.items()
        if (s := spell_on(staff_id, today)) is not None
        and s.line_manager_id == claire
        and staff_id != practitioner
        and not _asye(s, today)
        and own[0].start < today - timedelta(days=400)
    )
    falling_behind = set(rng.sample(claires, 2)) if len(claires) >= 2 else set()

    def acknowledgement(attendee: SupervisionAttendee, day: date) -> None:
        waited = rng.randint(0, 6)
        if day + timedelta(days=waited) >= today and rng.random() < 0.6:
            return
        if rng.random() < 0.06:
            return  # never acknowledged
        at = datetime.combine(
            min(day + timedelta(days=waited), today),
            time(rng.randint(8, 17), rng.choice((0, 10, 25, 40))),
            UTC,
        )
        attendee.acknowledged_at = min(at, now)
        if rng.random() < 0.15:
            attendee.comment = ACK_COMMENTS[rng.randrange(len(ACK_COMMENTS))]

    def add_actions(session: SupervisionSession, day: date, owner: str) -> None:
        for _ in range(rng.choices((0, 1, 2), (50, 40, 10))[0]):
            due = day + timedelta(days=rng.choice((14, 21, 28, 42)))
            done = None
            if due < today and rng.random() < 0.8:
                done = min(due - timedelta(days=rng.randint(0, 10)), today)
                done = max(done, day)
            session.actions.append(
                SupervisionAction(
                    description=ACTIONS[rng.randrange(len(ACTIONS))],
                    owner=owner if rng.random() < 0.8 else "Supervisor",
                    due_date=due,
                    completed_on=done,
                )
            )
            counts["actions"] += 1

    def one_to_one(staff_id: int, supervisor: int, day: date, minutes: int) -> SupervisionSession:
        session = SupervisionSession(
            supervisor_id=supervisor,
            kind=rng.choices(("one_to_one", "reflective", "case"), (70, 15, 15))[0],
            held_on=day,
            outcome="held",
            duration_minutes=minutes,
            cases_discussed=rng.randint(2, 14),
            notes=NOTES[rng.randrange(len(NOTES))],
            recorded_by_id=(users.get(supervisor) or admin).id,
        )
        chosen = rng.sample(list(ELEMENTS), rng.randint(3, 5))
        for key in ELEMENTS:
            setattr(session, key, key in chosen)
        attendee = SupervisionAttendee(staff_id=staff_id)
        acknowledgement(attendee, day)
        session.attendees = [attendee]
        add_actions(session, day, "Supervisee")
        sessions.append(session)
        counts["held"] += 1
        return session

    def not_held(staff_id: int, supervisor: int, day: date, outcome: str) -> None:
        reasons = CANCELLED_REASONS if outcome == "cancelled" else RESCHEDULED_REASONS
        session = SupervisionSession(
            supervisor_id=supervisor,
            kind="one_to_one",
            held_on=day,
            outcome=outcome,
            reason=reasons[rng.randrange(len(reasons))],
            recorded_by_id=(users.get(supervisor) or admin).id,
        )
        session.attendees = [SupervisionAttendee(staff_id=staff_id)]
        sessions.append(session)
        counts[outcome] += 1

    for staff_id, own in spells.items():
        begin = max(own[0].start, first_day)
        ends = [s.end for s in own]
        until = today if any(e is None for e in ends) else min(max(e for e in ends if e), today)
        profile = rng.choices(list(PROFILES), [p[0] for p in PROFILES.values()])[0]
        claires_person = claire in {s.line_manager_id for s in own}
        keeps_up = staff_id == practitioner or staff_id in falling_behind
        if keeps_up or claires_person:
            profile = "steady"
        _, missed, long_gap, cut_short = PROFILES[profile]
        stop = until
        if staff_id in falling_behind:
            stop = today - timedelta(days=rng.randint(40, 70))
        day = begin + timedelta(days=rng.randint(3, 12))
        planned: list[tuple[date, int]] = []
        shifted = False
        while day <= stop:
            spell = spell_on(staff_id, day)
            if spell is None or spell.line_manager_id is None:
                day += timedelta(days=7)
                continue
            interval = _interval(spell, day)
            roll = rng.random()
            if interval == 30 and roll < long_gap:
                day += timedelta(days=rng.randint(60, 110))  # sickness, a vacancy
                continue
            if interval == 30 and roll < long_gap + missed:
                day += timedelta(days=rng.randint(38, 50))  # a month missed
                continue
            if day.month in (8, 12) and interval == 30 and not shifted and rng.random() < 0.25:
                # holidays: a little later (much later, for the less reliable)
                day += timedelta(
                    days=rng.randint(5, 12) if profile == "steady" else rng.randint(10, 18)
                )
                shifted = True
                continue
            shifted = False
            planned.append((day, spell.line_manager_id))
            if interval == 30:
                step = rng.randint(22, 28) if profile == "steady" else rng.randint(26, 34)
            else:
                step = interval - rng.randint(0, 2)
            day += timedelta(days=step)
        for day, supervisor in planned:
            outcome_roll = rng.random()
            if outcome_roll < 0.04 and day + timedelta(days=14) <= stop:
                not_held(staff_id, supervisor, day, "cancelled")
                if profile != "steady":
                    continue
                day += timedelta(days=rng.randint(5, 10))  # a steady pair makes it up
                moved = spell_on(staff_id, day)
                if moved is None or moved.line_manager_id != supervisor:
                    continue
            if 0.04 <= outcome_roll < 0.08:
                later = day + timedelta(days=rng.randint(2, 6))
                moved = spell_on(staff_id, later) if later <= stop else None
                if moved is not None and moved.line_manager_id == supervisor:
                    not_held(staff_id, supervisor, day, "rescheduled")
                    day = later
            if rng.random() < cut_short:
                minutes = rng.choice((60, 70, 75, 80, 85))
            else:
                minutes = rng.choices((90, 95, 100, 105, 120), (40, 10, 20, 10, 20))[0]
            one_to_one(staff_id, supervisor, day, minutes)

    # The practitioner's latest session: recent, still to acknowledge, with an open action.
    practitioner_spell = spell_on(practitioner, today)
    if practitioner_spell is not None and practitioner_spell.line_manager_id is not None:
        mine = [
            s for s in sessions if s.outcome == "held" and s.attendees[0].staff_id == practitioner
        ]
        latest = max(mine, key=lambda s: s.held_on) if mine else None
        if latest is None or (today - latest.held_on).days > 10:
            day = today - timedelta(days=rng.randint(2, 9))
            if latest is None or latest.held_on < day:
                latest = one_to_one(practitioner, practitioner_spell.line_manager_id, day, 95)
        if latest is not None:
            latest.attendees[0].acknowledged_at = None
            latest.attendees[0].comment = None
            if not any(a.completed_on is None for a in latest.actions):
                latest.actions.append(
                    SupervisionAction(
                        description="Complete outstanding case recording",
                        owner="Supervisee",
                        due_date=latest.held_on + timedelta(days=21),
                    )
                )
                counts["actions"] += 1

    # Group reflective supervision: each team manager, about once a quarter.
    managers = sorted({s.line_manager_id for own in spells.values() for s in own} - {None})
    for manager in managers:
        day = first_day + timedelta(days=rng.randint(20, 80))
        while day <= today - timedelta(days=3):
            staff = sorted(
                staff_id
                for staff_id in spells
                if staff_id != manager
                and (s := spell_on(staff_id, day)) is not None
                and s.line_manager_id == manager
            )
            if len(staff) >= 4:
                chosen = rng.sample(staff, min(len(staff), rng.randint(4, 8)))
                session = SupervisionSession(
                    supervisor_id=manager,
                    kind="group",
                    held_on=day,
                    outcome="held",
                    duration_minutes=rng.choice((90, 120)),
                    covers_decisions=True,
                    covers_development=True,
                    covers_wellbeing=rng.random() < 0.5,
                    cases_discussed=rng.randint(1, 3),
                    notes=GROUP_NOTES[rng.randrange(len(GROUP_NOTES))],
                    recorded_by_id=(users.get(manager) or admin).id,
                )
                session.attendees = []
                for staff_id in sorted(chosen):
                    attendee = SupervisionAttendee(staff_id=staff_id)
                    acknowledgement(attendee, day)
                    session.attendees.append(attendee)
                add_actions(session, day, "Team")
                sessions.append(session)
                counts["group"] += 1
            day += timedelta(days=rng.randint(80, 100))

    db.session.add_all(sessions)
    db.session.flush()

    # Quality audits by the director (above every team manager and the head of service).
    held = [s for s in sessions if s.outcome == "held" and s.held_on < today - timedelta(days=7)]
    audits = []
    for session in rng.sample(held, min(len(held), max(20, len(held) // 40))):
        auditor = admin if session.supervisor_id == director.staff_id else director
        checks = {item: rng.random() < 0.78 for item in CHECKLIST}
        grade = suggested_grade(list(checks.values()))
        if rng.random() < 0.1:  # the auditor's own judgement, one step either way
            order = ["outstanding", "good", "requires_improvement", "inadequate"]
            step = rng.choice((-1, 1))
            grade = order[min(max(order.index(grade) + step, 0), len(order) - 1)]
        audits.append(
            SupervisionAudit(
                session_id=session.id,
                auditor_id=auditor.id,
                audited_on=min(session.held_on + timedelta(days=rng.randint(7, 60)), today),
                grade=grade,
                comments=AUDIT_COMMENTS[rng.randrange(len(AUDIT_COMMENTS))],
                **checks,
            )
        )
    db.session.add_all(audits)
    db.session.flush()
    return (
        f"{counts['held'] + counts['group']} supervision sessions held ({counts['group']} "
        f"group), {counts['cancelled']} cancelled and {counts['rescheduled']} rescheduled, "
        f"{counts['actions']} actions, {len(audits)} audits"
    )


__all__ = ["build_supervision_demo"]
