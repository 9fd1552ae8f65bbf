"""The supervision audit service on hand-made data: who may audit, recording with a fixed
``today``, the sample's queries and determinism, and which audits each user sees."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import event

from tests import builders
from workforce.extensions import db
from workforce.models.supervision import SupervisionAttendee, SupervisionAudit, SupervisionSession
from workforce.services import ServiceError
from workforce.services import supervision_audits as service

TODAY = date.today()
YES = dict.fromkeys(
    (
        "reflective_discussion",
        "decisions_recorded",
        "actions_specific",
        "wellbeing_discussed",
        "supervisee_voice",
    ),
    True,
)


def session_of(supervisor: Any, *people: Any, days_ago: int = 5, outcome: str = "held") -> Any:
    item = SupervisionSession(
        supervisor_id=supervisor.id,
        kind="one_to_one",
        held_on=TODAY - timedelta(days=days_ago),
        outcome=outcome,
        duration_minutes=90 if outcome == "held" else None,
        reason=None if outcome == "held" else "Off sick",
    )
    item.attendees = [SupervisionAttendee(staff_id=p.id) for p in people]
    db.session.add(item)
    db.session.commit()
    return item


@pytest.fixture
def world(db_session: Any) -> dict[str, Any]:
    team = builders.make_team("North")
    head = builders.make_staff(builders.make_team("Leaders"), org_role="2")
    mona = builders.make_staff(team, manager=head, org_role="3")
    pat = builders.make_staff(team, manager=mona)
    return {
        "team": team,
        "head": head,
        "mona": mona,
        "pat": pat,
        "hana": builders.make_user("supervisor", staff=head),
        "mona_user": builders.make_user("supervisor", staff=mona),
        "pat_user": builders.make_user("practitioner", staff=pat),
        "session": session_of(mona, pat),
    }


def test_only_a_manager_above_may_audit(world):
    session = world["session"]
    assert service.can_audit(world["hana"], session)
    assert not service.can_audit(world["mona_user"], session)  # the supervisor
    # Pat shares Mona's team, so ``manages`` counts her a colleague above: not an auditor.
    assert not service.can_audit(world["pat_user"], session)
    assert not service.can_audit(builders.make_user("hr"), session)
    assert not service.can_audit(builders.make_user("admin"), session)


def test_record_audit_checks_dates_against_today_and_the_session(world):
    session, hana = world["session"], world["hana"]

    def record(**changes: Any) -> SupervisionAudit:
        values: dict[str, Any] = {
            "checklist": YES,
            "grade": "good",
            "audited_on": TODAY - timedelta(days=1),
            **changes,
        }
        return service.record_audit(
            session, hana, service.AuditDetails(**values), today=TODAY - timedelta(days=1)
        )

    with pytest.raises(ServiceError, match="today or in the past"):
        record(audited_on=TODAY)
    with pytest.raises(ServiceError, match="on or after the date of the session"):
        record(audited_on=session.held_on - timedelta(days=1))
    with pytest.raises(ServiceError, match="Answer yes or no: wellbeing discussed"):
        record(checklist={**YES, "wellbeing_discussed": None})
    with pytest.raises(ServiceError, match="Choose the overall grade"):
        record(grade="fine")
    with pytest.raises(ServiceError, match="only audit the records of supervisors you manage"):
        service.record_audit(
            session,
            world["mona_user"],
            service.AuditDetails(YES, "good", TODAY),
        )
    audit = record(audited_on=session.held_on, comments="  ")
    assert (audit.grade, audit.comments, audit.supervisee_voice) == ("good", None, True)
    cancelled = session_of(world["mona"], world["pat"], outcome="cancelled")
    with pytest.raises(ServiceError, match="was cancelled"):
        service.record_audit(cancelled, hana, service.AuditDetails(YES, "good", TODAY))


def _count(fn: Any) -> int:
    statements: list[str] = []

    def before(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        fn()
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
    return len(statements)


def test_the_sample_takes_the_same_queries_however_many_sessions(world):
    hana = world["hana"]
    start, end = TODAY - timedelta(days=90), TODAY

    def draw() -> service.Sample:
        return service.sample_sessions(hana, size=50, start=start, end=end, seed=7)

    db.session.expire_all()
    few = _count(draw)
    for days in range(1, 30):
        session_of(world["mona"], world["pat"], days_ago=days)
    db.session.expire_all()
    assert _count(draw) == few
    assert draw().candidates == 30


def test_the_same_seed_gives_the_same_sample_and_seeds_differ(world):
    for days in range(1, 30):
        session_of(world["mona"], world["pat"], days_ago=days)
    hana = world["hana"]

    def ids(seed: int) -> list[int]:
        sample = service.sample_sessions(
            hana, size=5, start=TODAY - timedelta(days=90), end=TODAY, seed=seed
        )
        return sorted(s.id for s in sample.sessions)

    assert ids(1) == ids(1)
    assert len({tuple(ids(seed)) for seed in range(1, 6)}) > 1
    with pytest.raises(ServiceError, match="between 1 and 50"):
        service.sample_sessions(hana, size=51, start=TODAY, end=TODAY, seed=1)
    with pytest.raises(ServiceError, match="Only managers"):
        service.sample_sessions(builders.make_user("hr"), size=5, start=TODAY, end=TODAY, seed=1)


def test_audits_visible_to(world):
    session, hana = world["session"], world["hana"]
    audit = service.record_audit(session, hana, service.AuditDetails(YES, "good", TODAY))
    db.session.commit()

    def visible(user: Any, **filters: Any) -> list[int]:
        return [a.id for a in db.session.scalars(service.audits_visible_to(user, **filters))]

    assert visible(hana) == [audit.id]
    assert visible(world["mona_user"]) == [audit.id]  # her own record
    assert visible(world["pat_user"]) == []  # the supervisee
    assert visible(builders.make_user("hr")) == []
    assert visible(hana, team_id=world["team"].id) == [audit.id]
    assert visible(hana, start=TODAY + timedelta(days=1)) == []
    assert service.teams_of_visible_audits(hana) == [(world["team"].id, "North")]
    assert service.session_teams([session]) == {session.id: "North"}
