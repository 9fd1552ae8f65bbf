"""Attendees carry copies of their session's date, outcome and length
(``SupervisionAttendee.held_on``, ``held`` and ``minutes``), which the compliance figures
read from one index. Every way a session or its attendees change through the ORM keeps the
copies equal to the session, and the audit trail records the change once, on the session."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from tests import builders
from workforce.extensions import db
from workforce.models import AuditEvent
from workforce.models.supervision import SupervisionAttendee, SupervisionSession

DAY = date.today() - timedelta(days=10)


def _copies() -> dict[int, tuple[date, bool, int]]:
    """Each attendee row's copies, straight from the database."""
    db.session.expire_all()
    rows = db.session.execute(
        select(
            SupervisionAttendee.staff_id,
            SupervisionAttendee.held_on,
            SupervisionAttendee.held,
            SupervisionAttendee.minutes,
        )
    )
    return {staff_id: (held_on, held, minutes) for staff_id, held_on, held, minutes in rows}


def _people(count: int) -> list[Any]:
    team = builders.make_team()
    boss = builders.make_staff(team)
    return [boss, *(builders.make_staff(team, manager=boss) for _ in range(count))]


def test_new_attendees_copy_their_session(db_session):
    boss, ann, bob = _people(2)
    session = SupervisionSession(
        supervisor_id=boss.id, kind="group", held_on=DAY, outcome="held", duration_minutes=95
    )
    session.attendees = [SupervisionAttendee(staff_id=ann.id)]
    db.session.add(session)
    db.session.commit()
    # An attendee added later, by the session's id alone, copies it too.
    db.session.add(SupervisionAttendee(session_id=session.id, staff_id=bob.id))
    db.session.commit()
    assert _copies() == {ann.id: (DAY, True, 95), bob.id: (DAY, True, 95)}


def test_changing_the_session_changes_every_attendee(db_session):
    boss, ann, bob = _people(2)
    session = SupervisionSession(
        supervisor_id=boss.id, kind="group", held_on=DAY, outcome="held", duration_minutes=None
    )
    session.attendees = [SupervisionAttendee(staff_id=p.id) for p in (ann, bob)]
    db.session.add(session)
    db.session.commit()
    assert _copies() == {ann.id: (DAY, True, 0), bob.id: (DAY, True, 0)}

    session = db.session.get(SupervisionSession, session.id)
    session.held_on = DAY - timedelta(days=3)
    session.duration_minutes = 60
    db.session.commit()
    assert _copies() == {p.id: (DAY - timedelta(days=3), True, 60) for p in (ann, bob)}

    session = db.session.get(SupervisionSession, session.id)
    session.outcome = "cancelled"
    session.duration_minutes = None
    db.session.commit()
    assert _copies() == {p.id: (DAY - timedelta(days=3), False, 0) for p in (ann, bob)}


def test_the_audit_trail_records_the_change_on_the_session_only(db_session):
    boss, ann = _people(1)
    session = SupervisionSession(
        supervisor_id=boss.id, kind="one_to_one", held_on=DAY, outcome="held", duration_minutes=90
    )
    session.attendees = [SupervisionAttendee(staff_id=ann.id)]
    db.session.add(session)
    db.session.commit()
    created = db.session.scalars(
        select(AuditEvent).where(AuditEvent.entity_type == "SupervisionAttendee")
    ).one()
    assert "held_on" not in created.changes and created.changes["staff_id"] == [None, ann.id]

    session = db.session.get(SupervisionSession, session.id)
    session.held_on = DAY - timedelta(days=1)
    db.session.commit()
    updates = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "update")).all()
    assert [(e.entity_type, set(e.changes)) for e in updates] == [
        ("SupervisionSession", {"held_on"})
    ]
