"""The demo authority's supervision: the shipped policies, two years of valid sessions with a
realistic spread of compliance, audits by managers above the supervisor, and the demo
supervisor's and practitioner's view; the same for the same seed."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from workforce.demo import DEMO_DOMAIN
from workforce.demo_supervision import GROUP_NOTES, NOTES
from workforce.extensions import db
from workforce.models import EmploymentSpell, Staff, User
from workforce.models.supervision import (
    SupervisionAction,
    SupervisionAttendee,
    SupervisionAudit,
    SupervisionPolicy,
    SupervisionSession,
)
from workforce.reports.supervision import STATUS_LABELS, judge_people
from workforce.services.supervision import (
    awaiting_acknowledgement,
    compliance_for,
    manages,
    open_actions_of,
)

TODAY = date(2026, 6, 15)
SEED = 11


def account(local: str) -> User:
    return db.session.scalar(select(User).where(User.email == f"{local}@{DEMO_DOMAIN}"))


def test_demo_supervision_is_valid_and_realistic(demo_authority):
    assert (demo_authority.seed, demo_authority.today) == (SEED, TODAY)

    assert db.session.scalar(select(func.count()).select_from(SupervisionPolicy)) == 2

    spells: dict[int, list[EmploymentSpell]] = defaultdict(list)
    for spell in db.session.scalars(
        select(EmploymentSpell).order_by(EmploymentSpell.start_date, EmploymentSpell.id)
    ):
        spells[spell.staff_id].append(spell)

    def line_manager_on(staff_id: int, day: date) -> int | None:
        current = [s for s in spells[staff_id] if s.is_current_on(day)]
        return current[-1].line_manager_id if current else None

    sessions = list(
        db.session.scalars(
            select(SupervisionSession).options(selectinload(SupervisionSession.actions))
        )
    )
    outcomes = Counter(s.outcome for s in sessions)
    assert outcomes["held"] > 3000
    assert outcomes["cancelled"] > 50 and outcomes["rescheduled"] > 50
    kinds = Counter(s.kind for s in sessions if s.held)
    assert kinds["group"] >= 20 and kinds["one_to_one"] > kinds["reflective"] > 0
    attendees = 0
    acknowledged = 0
    for session in sessions:
        assert TODAY - timedelta(days=730) <= session.held_on <= TODAY, session
        if session.held:
            assert session.duration_minutes is not None
            assert 60 <= session.duration_minutes <= 120, session
            assert session.notes in NOTES + GROUP_NOTES  # short, neutral, no child's details
            assert session.reason is None
        else:
            assert session.duration_minutes is None and session.reason
        if session.kind == "group":
            assert len(session.attendees) >= 4
        else:
            assert len(session.attendees) == 1
        for attendee in session.attendees:
            attendees += 1
            assert attendee.staff_id != session.supervisor_id
            # the supervisor is the supervisee's line manager on the day of the session
            assert line_manager_on(attendee.staff_id, session.held_on) == session.supervisor_id
            if attendee.acknowledged_at is not None:
                acknowledged += 1
                assert session.held_on <= attendee.acknowledged_at.date() <= TODAY
        for action in session.actions:
            assert action.due_date >= session.held_on
            if action.completed_on is not None:
                assert session.held_on <= action.completed_on <= TODAY
    assert 0.8 < acknowledged / attendees < 0.98  # most acknowledged, some not yet
    actions = list(db.session.scalars(select(SupervisionAction)))
    assert len(actions) > 1000
    done = sum(a.completed_on is not None for a in actions)
    assert 0.5 < done / len(actions) < 0.95

    # Two sessions in a month, roughly: about 12 a year for people in post all year.
    per_person = Counter(
        db.session.scalars(
            select(SupervisionAttendee.staff_id)
            .join(SupervisionSession)
            .where(
                SupervisionSession.outcome == "held",
                SupervisionSession.held_on > TODAY - timedelta(days=365),
            )
        )
    )
    typical = sorted(per_person.values())[len(per_person) // 2]
    assert 11 <= typical <= 17

    # Audits: by an account that manages the supervisor (or the admin where none does).
    admin = account("admin")
    audits = list(db.session.scalars(select(SupervisionAudit)))
    assert len(audits) >= 20
    assert len({a.grade for a in audits}) == 4
    for audit in audits:
        session = audit.session
        assert session.held and session.held_on <= audit.audited_on <= TODAY
        if audit.auditor_id == admin.id:
            assert session.supervisor_id == account("director").staff_id
        else:
            assert manages(audit.auditor.staff_id, session.supervisor_id, session.held_on)

    # A realistic spread of compliance, and some people on the ASYE policy.
    judged = [item for item in judge_people(TODAY) if item.result is not None]
    statuses = Counter(item.result.status for item in judged)
    assert len(judged) > 200
    assert 0.55 < statuses["within"] / len(judged) < 0.9
    assert statuses["short"] >= 5 and statuses["overdue"] >= 5
    asye = [item for item in judged if item.policy.applies_to_asye]
    assert len(asye) >= 3
    assert sum(item.result.within_policy for item in asye) >= len(asye) // 2

    # The demo supervisor: most of her people within policy, two overdue.
    manager = account("manager")
    practitioner = account("practitioner").staff_id
    hers = [item for item in judge_people(TODAY, viewer=manager) if item.result is not None]
    mine = Counter(item.result.status for item in hers)
    assert len(hers) >= 20
    assert mine["within"] > 0.75 * len(hers)
    assert mine["overdue"] == 2
    assert practitioner in {item.person.staff_id for item in hers}
    # ... whose figures equal the pure function's over every session
    people = list(
        db.session.scalars(select(Staff).where(Staff.id.in_([i.person.staff_id for i in hers])))
    )
    pure = {item.staff.id: item.result for item in compliance_for(people, TODAY)}
    for item in hers:
        assert item.result == pure[item.person.staff_id]
        assert STATUS_LABELS[item.result.status]

    # The demo practitioner: within policy, a recent record to acknowledge, open actions.
    (own,) = [item for item in hers if item.person.staff_id == practitioner]
    assert own.result.status == "within"
    waiting = awaiting_acknowledgement(practitioner)
    assert waiting and (TODAY - waiting[-1].held_on).days <= 10
    assert waiting[-1].supervisor_id == manager.staff_id
    assert open_actions_of(practitioner)
