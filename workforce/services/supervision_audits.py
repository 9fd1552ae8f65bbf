"""Quality audits of supervision records: who may audit, recording an audit, drawing a
sample of records to audit, and which audits each user may see.

**Who audits.** A manager above the session's supervisor: a user with a staff record and
the supervisor or senior leader role who manages the supervisor today
(``workforce.services.supervision.manages``), and so may read the notes. Not the supervisor
themselves, nor anyone who attended the session. HR, L&D and administrators, as such, may
not: they never read notes.

**Who sees an audit.** Its auditor; the managers above the supervisor (as above); and the
supervisor whose record it is (the grade, checklist and comments are feedback on their
practice). Supervisees do not see audits of their supervisor's records.

**The sample.** Held sessions dated in the chosen range, of supervisors the user manages
today (not the user's own sessions, nor sessions they attended), not yet audited by anyone.
Each is ranked by a hash of the seed and its id, and the lowest ranks are taken: the same
seed gives the same sample, and a record audited since simply drops out, letting the next
one in.

**A session's team** (for the list's filter): the team of the supervisor's post in force
on the day of the session.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, and_, exists, or_, select, union
from sqlalchemy.orm import aliased, selectinload

from workforce.extensions import db
from workforce.metrics.supervision import add_months, suggested_grade
from workforce.models import EmploymentSpell, Team, User
from workforce.models.supervision import (
    AUDIT_GRADES,
    CHECKLIST,
    SESSION_OUTCOMES,
    SupervisionAttendee,
    SupervisionAudit,
    SupervisionSession,
)
from workforce.security import line_managed_staff_ids
from workforce.services import ServiceError
from workforce.services.supervision import manages

#: Roles a manager who audits holds (admins hold every role).
AUDITOR_ROLES = ("supervisor", "senior_leader")
#: Sample sizes allowed, and the default.
MIN_SAMPLE, MAX_SAMPLE, DEFAULT_SAMPLE = 1, 50, 5
#: The default range of the sample: the last three months.
DEFAULT_SAMPLE_MONTHS = 3
MAX_COMMENTS = 10_000


def may_audit_at_all(user: User) -> bool:
    """Whether ``user`` could audit anyone's records (a manager with a staff record)."""
    return user.staff_id is not None and user.has_role(*AUDITOR_ROLES)


def _attended(session: SupervisionSession, staff_id: int | None) -> bool:
    return any(a.staff_id == staff_id for a in session.attendees)


def can_audit(user: User, session: SupervisionSession) -> bool:
    """Whether ``user`` may audit ``session``'s record: a manager above its supervisor
    today, who was neither its supervisor nor one of its supervisees."""
    if not may_audit_at_all(user) or user.staff_id == session.supervisor_id:
        return False
    if _attended(session, user.staff_id):
        return False
    return manages(user.staff_id, session.supervisor_id)


def can_view_audit(user: User, audit: SupervisionAudit) -> bool:
    """Whether ``user`` may see ``audit``: its auditor, the supervisor whose record it is,
    and the managers above that supervisor."""
    if audit.auditor_id == user.id:
        return True
    if user.staff_id is None:
        return False
    if audit.session.supervisor_id == user.staff_id:
        return True
    return can_audit(user, audit.session)


# --- recording ---------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditDetails:
    """What the audit form gives: each checklist item answered yes (True) or no (False)."""

    checklist: Mapping[str, bool | None]
    grade: str | None
    audited_on: date | None
    comments: str | None = None


def suggest(checklist: Mapping[str, bool | None]) -> str:
    """The grade the checklist suggests (``workforce.metrics.supervision.suggested_grade``)."""
    return suggested_grade([bool(checklist.get(key)) for key in CHECKLIST])


def record_audit(
    session: SupervisionSession,
    auditor: User,
    details: AuditDetails,
    today: date | None = None,
) -> SupervisionAudit:
    """Record a manager's audit of a session's record after checking everything."""
    today = today or date.today()
    if not can_audit(auditor, session):
        raise ServiceError("You can only audit the records of supervisors you manage")
    if not session.held:
        raise ServiceError(
            f"This session was {SESSION_OUTCOMES[session.outcome].lower()}, so there is no "
            "record of a discussion to audit"
        )
    for key, label in CHECKLIST.items():
        if details.checklist.get(key) is None:
            raise ServiceError(f"Answer yes or no: {label.lower()}", key)
    if details.grade not in AUDIT_GRADES:
        raise ServiceError("Choose the overall grade", "grade")
    if details.audited_on is None:
        raise ServiceError("Enter the audit date", "audited_on")
    if details.audited_on > today:
        raise ServiceError("The audit date must be today or in the past", "audited_on")
    if details.audited_on < session.held_on:
        raise ServiceError(
            "The audit date must be on or after the date of the session", "audited_on"
        )
    comments = (details.comments or "").strip() or None
    if comments and len(comments) > MAX_COMMENTS:
        raise ServiceError(f"Comments must be {MAX_COMMENTS:,} characters or fewer", "comments")
    audit = SupervisionAudit(
        session_id=session.id,
        auditor_id=auditor.id,
        audited_on=details.audited_on,
        grade=details.grade,
        comments=comments,
        **{key: bool(details.checklist[key]) for key in CHECKLIST},
    )
    db.session.add(audit)
    db.session.flush()
    return audit


def audits_of(session: SupervisionSession) -> list[SupervisionAudit]:
    """Every audit of ``session``, newest first."""
    return list(
        db.session.scalars(
            select(SupervisionAudit)
            .where(SupervisionAudit.session_id == session.id)
            .options(selectinload(SupervisionAudit.auditor))
            .order_by(SupervisionAudit.audited_on.desc(), SupervisionAudit.id.desc())
        )
    )


# --- sampling ----------------------------------------------------------------------------


def default_sample_range(today: date | None = None) -> tuple[date, date]:
    """The last three months up to ``today``."""
    today = today or date.today()
    return add_months(today, -DEFAULT_SAMPLE_MONTHS), today


@dataclass(frozen=True)
class Sample:
    """A sample of records to audit, and what it was drawn from."""

    sessions: list[SupervisionSession]
    candidates: int
    size: int
    start: date
    end: date
    seed: int


def _rank(seed: int, session_id: int) -> bytes:
    return hashlib.sha256(f"{seed}:{session_id}".encode()).digest()


def _not_attended_by(staff_id: int) -> Any:
    return ~exists().where(
        SupervisionAttendee.session_id == SupervisionSession.id,
        SupervisionAttendee.staff_id == staff_id,
    )


def sample_sessions(
    user: User, *, size: int | None, start: date | None, end: date | None, seed: int
) -> Sample:
    """Draw ``size`` records to audit from held, unaudited sessions dated ``start`` to
    ``end`` of supervisors ``user`` manages; two queries whatever their number."""
    if not may_audit_at_all(user):
        raise ServiceError("Only managers with a staff record can audit supervision records")
    assert user.staff_id is not None
    if size is None or not MIN_SAMPLE <= size <= MAX_SAMPLE:
        raise ServiceError(
            f"The number of records must be between {MIN_SAMPLE} and {MAX_SAMPLE}", "size"
        )
    if start is None:
        raise ServiceError("Enter the first date of the range", "start")
    if end is None:
        raise ServiceError("Enter the last date of the range", "end")
    if end < start:
        raise ServiceError("The last date must be on or after the first date", "end")
    managed = line_managed_staff_ids(user.staff_id).subquery().c[0]
    candidates = db.session.scalars(
        select(SupervisionSession.id).where(
            SupervisionSession.outcome == "held",
            SupervisionSession.held_on >= start,
            SupervisionSession.held_on <= end,
            SupervisionSession.supervisor_id.in_(select(managed)),
            SupervisionSession.supervisor_id != user.staff_id,
            _not_attended_by(user.staff_id),
            ~exists().where(SupervisionAudit.session_id == SupervisionSession.id),
        )
    ).all()
    chosen = sorted(candidates, key=lambda session_id: _rank(seed, session_id))[:size]
    sessions = (
        list(
            db.session.scalars(
                select(SupervisionSession)
                .where(SupervisionSession.id.in_(chosen))
                .options(selectinload(SupervisionSession.supervisor))
                .order_by(SupervisionSession.held_on.desc(), SupervisionSession.id.desc())
            )
        )
        if chosen
        else []
    )
    return Sample(sessions, len(candidates), size, start, end, seed)


# --- seeing ------------------------------------------------------------------------------


def _team_on_session_day(team_id: int) -> Any:
    spell = aliased(EmploymentSpell)
    return exists().where(
        spell.staff_id == SupervisionSession.supervisor_id,
        spell.team_id == team_id,
        spell.start_date <= SupervisionSession.held_on,
        or_(spell.end_date.is_(None), spell.end_date >= SupervisionSession.held_on),
    )


def _visible(user: User) -> Any:
    """The condition (on ``SupervisionAudit``) for audits ``user`` may see: their own, those
    of their sessions, and (for a manager) those of sessions of supervisors below them that
    they did not attend.

    Written as the audit's id among a union of small sets, each found through an index (the
    auditor, the supervisor's sessions), so the database never reads every session to test
    an OR of the three."""
    branches: list[Any] = [
        select(SupervisionAudit.id).where(SupervisionAudit.auditor_id == user.id)
    ]
    if user.staff_id is not None:
        of_sessions = select(SupervisionAudit.id).join(
            SupervisionSession, SupervisionSession.id == SupervisionAudit.session_id
        )
        branches.append(of_sessions.where(SupervisionSession.supervisor_id == user.staff_id))
        if may_audit_at_all(user):
            managed = line_managed_staff_ids(user.staff_id).subquery().c[0]
            branches.append(
                of_sessions.where(
                    SupervisionSession.supervisor_id.in_(select(managed)),
                    SupervisionSession.supervisor_id != user.staff_id,
                    _not_attended_by(user.staff_id),
                )
            )
    return SupervisionAudit.id.in_(union(*branches))


def audits_visible_to(
    user: User,
    *,
    start: date | None = None,
    end: date | None = None,
    team_id: int | None = None,
) -> Select[tuple[SupervisionAudit]]:
    """The audits ``user`` may see, audited from ``start`` to ``end`` and of sessions of
    ``team_id`` when given, newest first (a query, for pagination)."""
    query = (
        select(SupervisionAudit)
        .join(SupervisionSession, SupervisionSession.id == SupervisionAudit.session_id)
        .where(_visible(user))
        .options(
            selectinload(SupervisionAudit.session).selectinload(SupervisionSession.supervisor),
            selectinload(SupervisionAudit.auditor).selectinload(User.staff),
        )
        .order_by(SupervisionAudit.audited_on.desc(), SupervisionAudit.id.desc())
    )
    if start is not None:
        query = query.where(SupervisionAudit.audited_on >= start)
    if end is not None:
        query = query.where(SupervisionAudit.audited_on <= end)
    if team_id is not None:
        query = query.where(_team_on_session_day(team_id))
    return query


def teams_of_visible_audits(user: User) -> list[tuple[int, str]]:
    """(id, name) of the teams the sessions of the audits ``user`` may see belong to."""
    spell = aliased(EmploymentSpell)
    rows = db.session.execute(
        select(Team.id, Team.name)
        .join(spell, spell.team_id == Team.id)
        .join(
            SupervisionSession,
            and_(
                SupervisionSession.supervisor_id == spell.staff_id,
                spell.start_date <= SupervisionSession.held_on,
                or_(spell.end_date.is_(None), spell.end_date >= SupervisionSession.held_on),
            ),
        )
        .join(SupervisionAudit, SupervisionAudit.session_id == SupervisionSession.id)
        .where(_visible(user))
        .distinct()
        .order_by(Team.name, Team.id)
    ).all()
    return [(team_id, name) for team_id, name in rows]


def session_teams(sessions: list[SupervisionSession]) -> dict[int, str]:
    """The team of each session (its supervisor's post on the day), in one query."""
    if not sessions:
        return {}
    rows = db.session.execute(
        select(
            EmploymentSpell.staff_id,
            EmploymentSpell.start_date,
            EmploymentSpell.end_date,
            Team.name,
        )
        .join(Team, Team.id == EmploymentSpell.team_id)
        .where(EmploymentSpell.staff_id.in_({s.supervisor_id for s in sessions}))
        .order_by(EmploymentSpell.start_date, EmploymentSpell.id)
    ).all()
    out: dict[int, str] = {}
    for session in sessions:
        for staff_id, starts, ends, name in rows:  # the latest started spell wins
            if (
                staff_id == session.supervisor_id
                and starts <= session.held_on
                and (ends is None or ends >= session.held_on)
            ):
                out[session.id] = name
    return out
