"""Supervision: policies, recording sessions, acknowledgement, actions, who may see what,
and each person's compliance.

**Who supervises whom.** A supervisor records sessions with the people below them in the
line-management chain (``workforce.security.line_managed_staff_ids``: their line reports,
theirs, and so on; not team colleagues), so a manager above a supervisee may supervise
them too. Admins may
record a session for any supervisor and supervisee.

**Confidentiality.** A session's notes, actions and acknowledgements are read only by its
supervisor, its supervisees and the managers above the supervisor in the line-management
chain (holding the supervisor or senior leader role). HR, L&D, senior
leaders and admins see that sessions happened (date, kind, length, who), never the notes.
Notes never enter the audit trail; when they change, the earlier version is kept in
``SupervisionNoteVersion`` under the same rule.

**Policy.** The policy for a person is the active policy flagged for the ASYE when they are
in their ASYE (their post in force began as a newly qualified social worker, census start
origin 1, less than a year ago; anchored at that start), otherwise the most specific
matching policy (post title, then grade, then census role; a policy with none is the
default), anchored at the start of their earliest spell.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from workforce.extensions import db
from workforce.metrics.capability import ProfileCriteria, match_profile
from workforce.metrics.supervision import (
    Compliance,
    HeldSession,
    Stage,
    add_months,
    compliance,
)
from workforce.models import EmploymentSpell, Staff, User
from workforce.models._base import utcnow
from workforce.models.people import spell_in_force
from workforce.models.supervision import (
    ELEMENTS,
    SESSION_KINDS,
    SESSION_OUTCOMES,
    SupervisionAction,
    SupervisionAttendee,
    SupervisionNoteVersion,
    SupervisionPolicy,
    SupervisionPolicyStage,
    SupervisionSession,
)
from workforce.security import line_managed_staff_ids
from workforce.services import ServiceError
from workforce.services.reference import SEEDS_DIR

#: Census start origin code of a newly qualified social worker.
NQSW_ORIGIN = "1"
#: The longest a session may last, in minutes.
MAX_MINUTES = 8 * 60
MAX_TEXT = 10_000
#: Roles that see that sessions happened (never their notes).
SEE_SESSIONS_HAPPENED = ("hr", "ld_officer", "senior_leader")


# --- policies ------------------------------------------------------------------------------


def load_default_policies(path: Path | None = None) -> int:
    """Add the shipped policies when there are none yet; return how many were added."""
    if db.session.scalar(select(func.count()).select_from(SupervisionPolicy)):
        return 0
    data = yaml.safe_load((path or SEEDS_DIR / "supervision_policies.yaml").read_text())
    for item in data["policies"]:
        policy = SupervisionPolicy(
            name=item["name"],
            post_title=item.get("post_title"),
            org_role=item.get("org_role"),
            grade=item.get("grade"),
            applies_to_asye=bool(item.get("applies_to_asye", False)),
            min_minutes=int(item.get("min_minutes", 90)),
            active=True,
        )
        policy.stages = [
            SupervisionPolicyStage(
                from_week=int(stage["from_week"]), every=int(stage["every"]), unit=stage["unit"]
            )
            for stage in item["stages"]
        ]
        db.session.add(policy)
    db.session.flush()
    return len(data["policies"])


def active_policies() -> list[SupervisionPolicy]:
    """Active policies, oldest first (the tie-break order for matching)."""
    return list(
        db.session.scalars(
            select(SupervisionPolicy)
            .where(SupervisionPolicy.active.is_(True))
            .order_by(SupervisionPolicy.id)
        )
    )


def stages_of(policy: SupervisionPolicy) -> tuple[Stage, ...]:
    """The policy's stages as the compliance calculation takes them."""
    return tuple(Stage(s.from_week, s.every, s.unit) for s in policy.stages)


def in_asye(spell: EmploymentSpell | None, on: date) -> bool:
    """Whether ``spell`` is a newly qualified social worker's first year on ``on``."""
    return (
        spell is not None
        and spell.start_origin == NQSW_ORIGIN
        and spell.start_date <= on < add_months(spell.start_date, 12)
    )


@dataclass(frozen=True)
class PolicyChoice:
    """The policy that applies to a person, and the date its stages count from."""

    policy: SupervisionPolicy
    anchor: date


class PolicyMatcher:
    """Chooses policies for many people with the policies loaded once."""

    def __init__(self, policies: Sequence[SupervisionPolicy] | None = None) -> None:
        policies = active_policies() if policies is None else list(policies)
        self.asye = next((p for p in policies if p.applies_to_asye), None)
        self.general = [p for p in policies if not p.applies_to_asye]
        self._criteria = [ProfileCriteria(p.post_title, p.org_role, p.grade) for p in self.general]

    def choose(
        self,
        *,
        post_title: str | None,
        org_role: str | None,
        grade: str | None,
        start_origin: str | None,
        spell_start: date,
        first_start: date,
        on: date,
    ) -> PolicyChoice | None:
        """The policy for a person whose spell in force has these values on ``on``."""
        if (
            self.asye is not None
            and start_origin == NQSW_ORIGIN
            and spell_start <= on < add_months(spell_start, 12)
        ):
            return PolicyChoice(self.asye, spell_start)
        index = match_profile(self._criteria, post_title, org_role, grade)
        return None if index is None else PolicyChoice(self.general[index], first_start)


def policy_for(staff: Staff, on: date | None = None) -> PolicyChoice | None:
    """The policy that applies to ``staff`` on ``on`` (None without a post or a match)."""
    on = on or date.today()
    spell = staff.spell_on(on)
    if spell is None:
        return None
    return PolicyMatcher().choose(
        post_title=spell.post_title,
        org_role=spell.org_role,
        grade=spell.grade,
        start_origin=spell.start_origin,
        spell_start=spell.start_date,
        first_start=min(s.start_date for s in staff.spells),
        on=on,
    )


# --- who may do what -------------------------------------------------------------------------


def manages(manager_staff_id: int | None, staff_id: int, on: date | None = None) -> bool:
    """Whether ``manager_staff_id`` is above ``staff_id`` in the line-management chain on
    ``on`` (team colleagues do not count: supervision is confidential)."""
    if manager_staff_id is None or manager_staff_id == staff_id:
        return False
    managed = line_managed_staff_ids(manager_staff_id, on).subquery().c[0]
    return bool(db.session.scalar(select(func.count()).where(managed == staff_id)))


#: Roles whose holders, as managers above a supervisor, may read and audit the records.
MANAGER_ROLES = ("supervisor", "senior_leader")


def can_record(user: User) -> bool:
    """Whether ``user`` may record sessions at all (supervisors with a staff record, admins)."""
    return user.has_role("admin") or (user.has_role("supervisor") and user.staff_id is not None)


def can_read_notes(user: User, session: SupervisionSession) -> bool:
    """Whether ``user`` may read ``session``'s notes, actions and acknowledgements: its
    supervisor, its supervisees, and the managers above the supervisor."""
    if user.staff_id is None:
        return False
    if user.staff_id == session.supervisor_id:
        return True
    if any(a.staff_id == user.staff_id for a in session.attendees):
        return True
    if not user.has_role(*MANAGER_ROLES):
        return False
    return manages(user.staff_id, session.supervisor_id, session.held_on) or manages(
        user.staff_id, session.supervisor_id
    )


def can_edit(user: User, session: SupervisionSession) -> bool:
    """Whether ``user`` may change the record (its supervisor)."""
    return user.staff_id is not None and user.staff_id == session.supervisor_id


def can_see_history(user: User, staff: Staff) -> bool:
    """Whether ``user`` may see that ``staff``'s sessions happened (not their notes)."""
    if user.has_role("admin", *SEE_SESSIONS_HAPPENED) or user.staff_id == staff.id:
        return True
    return user.has_role(*MANAGER_ROLES) and manages(user.staff_id, staff.id)


# --- recording ----------------------------------------------------------------------------------


@dataclass
class ActionInput:
    """An action agreed in the session."""

    description: str | None
    owner: str | None
    due_date: date | None


@dataclass
class SessionDetails:
    """What the session form gives."""

    kind: str
    held_on: date | None
    outcome: str = "held"
    reason: str | None = None
    duration_minutes: int | None = None
    cases_discussed: int | None = None
    notes: str | None = None
    elements: set[str] = field(default_factory=set)


def _clean(text: str | None) -> str | None:
    text = (text or "").strip()
    return text or None


def _check_details(details: SessionDetails, today: date) -> None:
    if details.kind not in SESSION_KINDS:
        raise ServiceError("Choose the kind of supervision", "kind")
    if details.outcome not in SESSION_OUTCOMES:
        raise ServiceError("Choose whether the session was held", "outcome")
    if details.held_on is None:
        raise ServiceError("Enter the date of the session", "held_on")
    if details.held_on > today:
        raise ServiceError(
            "The date of the session must be today or in the past: record it once it has happened",
            "held_on",
        )
    if details.outcome == "held":
        if details.duration_minutes is None:
            raise ServiceError("Enter how long the session lasted, in minutes", "duration_minutes")
    elif not _clean(details.reason):
        raise ServiceError(f"Give the reason the session was {details.outcome}", "reason")
    if details.duration_minutes is not None and not 0 < details.duration_minutes <= MAX_MINUTES:
        raise ServiceError(
            "The duration must be more than 0 minutes and no more than 8 hours (480 minutes)",
            "duration_minutes",
        )
    if details.cases_discussed is not None and details.cases_discussed < 0:
        raise ServiceError("The number of cases discussed cannot be negative", "cases_discussed")
    unknown = set(details.elements) - set(ELEMENTS)
    if unknown:
        raise ServiceError("Choose the elements covered from the list", "elements")
    notes = _clean(details.notes)
    if notes and len(notes) > MAX_TEXT:
        raise ServiceError(f"Notes must be {MAX_TEXT:,} characters or fewer", "notes")


def _check_action(action: ActionInput, held_on: date, index: int) -> None:
    which = f"Action {index}"
    if not _clean(action.description):
        raise ServiceError(f"{which}: describe the action", f"action_{index}")
    if not _clean(action.owner):
        raise ServiceError(f"{which}: enter who owns it", f"action_{index}")
    if action.due_date is None:
        raise ServiceError(f"{which}: enter a due date", f"action_{index}")
    if action.due_date < held_on:
        raise ServiceError(
            f"{which}: the due date must be on or after the session", f"action_{index}"
        )


def _check_attendees(
    supervisor: Staff, recorder: User, kind: str, attendee_ids: Sequence[int], on: date
) -> list[Staff]:
    ids = list(dict.fromkeys(attendee_ids))
    if not ids:
        raise ServiceError("Choose who was supervised", "supervisees")
    if kind != "group" and len(ids) > 1:
        raise ServiceError("Only group supervision has more than one supervisee", "supervisees")
    if supervisor.id in ids:
        raise ServiceError("A supervisor cannot supervise themselves", "supervisees")
    people = list(db.session.scalars(select(Staff).where(Staff.id.in_(ids))))
    if len(people) != len(ids):
        raise ServiceError("Choose supervisees from the list", "supervisees")
    if not recorder.has_role("admin"):
        managed = line_managed_staff_ids(supervisor.id, on).subquery().c[0]
        allowed = set(db.session.scalars(select(managed).where(managed.in_(ids))))
        # People who moved on since the session are checked against today as well.
        if len(allowed) < len(ids):
            managed_now = line_managed_staff_ids(supervisor.id).subquery().c[0]
            allowed |= set(db.session.scalars(select(managed_now).where(managed_now.in_(ids))))
        strangers = [p.full_name for p in people if p.id not in allowed]
        if strangers:
            raise ServiceError(
                f"You can only record supervision with people you manage; "
                f"{', '.join(sorted(strangers))} {'is' if len(strangers) == 1 else 'are'} not",
                "supervisees",
            )
    return people


def record_session(
    supervisor: Staff,
    recorder: User,
    details: SessionDetails,
    attendee_ids: Sequence[int],
    actions: Iterable[ActionInput] = (),
    today: date | None = None,
) -> SupervisionSession:
    """Record a session (or a cancelled or rescheduled one) after checking everything."""
    today = today or date.today()
    _check_details(details, today)
    assert details.held_on is not None
    people = _check_attendees(supervisor, recorder, details.kind, attendee_ids, details.held_on)
    actions = [a for a in actions if _clean(a.description) or _clean(a.owner) or a.due_date]
    for index, action in enumerate(actions, start=1):
        _check_action(action, details.held_on, index)
    session = SupervisionSession(supervisor_id=supervisor.id, recorded_by_id=recorder.id)
    _apply(session, details)
    session.attendees = [SupervisionAttendee(staff_id=p.id) for p in people]
    session.actions = [
        SupervisionAction(
            description=_clean(a.description), owner=_clean(a.owner), due_date=a.due_date
        )
        for a in actions
    ]
    db.session.add(session)
    db.session.flush()
    return session


def _apply(session: SupervisionSession, details: SessionDetails) -> None:
    session.kind = details.kind
    session.held_on = details.held_on  # type: ignore[assignment]
    session.outcome = details.outcome
    session.reason = _clean(details.reason) if details.outcome != "held" else None
    session.duration_minutes = details.duration_minutes
    session.cases_discussed = details.cases_discussed if details.outcome == "held" else None
    for key in ELEMENTS:
        setattr(session, key, details.outcome == "held" and key in details.elements)
    session.notes = _clean(details.notes)


def update_session(
    session: SupervisionSession, user: User, details: SessionDetails, today: date | None = None
) -> bool:
    """Change the record (its supervisor only); keep the earlier notes. Returns whether an
    acknowledgement was withdrawn, so the supervisees are asked again."""
    if not can_edit(user, session):
        raise ServiceError("Only the supervisor can change this record")
    _check_details(details, today or date.today())
    if details.kind != "group" and len(session.attendees) > 1:
        raise ServiceError(
            "This session has several supervisees, so it stays group supervision", "kind"
        )
    old_notes = session.notes
    _apply(session, details)
    if session.notes != old_notes:
        session.note_versions.append(
            SupervisionNoteVersion(notes=old_notes, replaced_at=utcnow(), replaced_by_id=user.id)
        )
    changed = bool(db.session.is_modified(session)) or session.notes != old_notes
    withdrawn = False
    if changed:
        for attendee in session.attendees:
            if attendee.acknowledged_at is not None:
                attendee.acknowledged_at = None
                withdrawn = True
    db.session.flush()
    return withdrawn


def acknowledge(session: SupervisionSession, user: User, comment: str | None) -> None:
    """A supervisee acknowledges the record, with an optional comment."""
    attendee = next((a for a in session.attendees if a.staff_id == user.staff_id), None)
    if attendee is None:
        raise ServiceError("Only a supervisee of this session can acknowledge it")
    text = _clean(comment)
    if text and len(text) > MAX_TEXT:
        raise ServiceError(f"The comment must be {MAX_TEXT:,} characters or fewer", "comment")
    attendee.acknowledged_at = utcnow()
    attendee.comment = text
    db.session.flush()


def add_action(session: SupervisionSession, user: User, action: ActionInput) -> SupervisionAction:
    """Add an action to a record (its supervisor)."""
    if not can_edit(user, session):
        raise ServiceError("Only the supervisor can add actions")
    _check_action(action, session.held_on, len(session.actions) + 1)
    item = SupervisionAction(
        description=_clean(action.description), owner=_clean(action.owner), due_date=action.due_date
    )
    session.actions.append(item)
    db.session.flush()
    return item


def set_action_done(
    action: SupervisionAction, user: User, done_on: date | None, today: date | None = None
) -> None:
    """Mark an action done (or reopen it): the supervisor or a supervisee."""
    session = action.session
    if not (can_edit(user, session) or any(a.staff_id == user.staff_id for a in session.attendees)):
        raise ServiceError("Only the supervisor or a supervisee can update this action")
    if done_on is not None:
        if done_on > (today or date.today()):
            raise ServiceError("The date done must be today or in the past", "completed_on")
        if done_on < session.held_on:
            raise ServiceError("The date done must be on or after the session", "completed_on")
    action.completed_on = done_on
    db.session.flush()


# --- queries ----------------------------------------------------------------------------------


def supervisees_of(supervisor_staff_id: int, on: date | None = None) -> list[Staff]:
    """The supervisor's direct line reports in post on ``on``, by name."""
    on = on or date.today()
    return list(
        db.session.scalars(
            select(Staff)
            .join(EmploymentSpell, EmploymentSpell.staff_id == Staff.id)
            .where(
                EmploymentSpell.line_manager_id == supervisor_staff_id,
                spell_in_force(EmploymentSpell, on),
            )
            .distinct()
            .order_by(Staff.last_name, Staff.first_name)
        )
    )


def sessions_of(staff_id: int) -> list[SupervisionSession]:
    """Every session ``staff_id`` was a supervisee in, newest first."""
    return list(
        db.session.scalars(
            select(SupervisionSession)
            .join(SupervisionAttendee)
            .where(SupervisionAttendee.staff_id == staff_id)
            .options(selectinload(SupervisionSession.supervisor))
            .order_by(SupervisionSession.held_on.desc(), SupervisionSession.id.desc())
        )
    )


def held_sessions(staff_ids: Sequence[int], until: date) -> dict[int, list[HeldSession]]:
    """Sessions held by ``until`` for each person, as the compliance calculation takes them."""
    out: dict[int, list[HeldSession]] = defaultdict(list)
    if not staff_ids:
        return out
    rows = db.session.execute(
        select(
            SupervisionAttendee.staff_id,
            SupervisionSession.held_on,
            SupervisionSession.duration_minutes,
        )
        .join(SupervisionSession, SupervisionSession.id == SupervisionAttendee.session_id)
        .where(
            SupervisionAttendee.staff_id.in_(staff_ids),
            SupervisionSession.outcome == "held",
            SupervisionSession.held_on <= until,
        )
    )
    for staff_id, held_on, minutes in rows:
        out[staff_id].append(HeldSession(held_on, minutes))
    return out


@dataclass
class PersonCompliance:
    """A person's compliance, with the policy it was judged against."""

    staff: Staff
    choice: PolicyChoice | None
    result: Compliance | None
    open_actions: int = 0


def compliance_for(people: Sequence[Staff], on: date | None = None) -> list[PersonCompliance]:
    """Compliance on ``on`` for each of ``people`` (their spells loaded), in a few queries."""
    on = on or date.today()
    matcher = PolicyMatcher()
    held = held_sessions([p.id for p in people], on)
    open_counts = open_action_counts([p.id for p in people])
    out = []
    for person in people:
        spell = person.spell_on(on)
        choice = None
        if spell is not None:
            choice = matcher.choose(
                post_title=spell.post_title,
                org_role=spell.org_role,
                grade=spell.grade,
                start_origin=spell.start_origin,
                spell_start=spell.start_date,
                first_start=min(s.start_date for s in person.spells),
                on=on,
            )
        result = None
        if choice is not None:
            result = compliance(
                held.get(person.id, []),
                stages=stages_of(choice.policy),
                anchor=choice.anchor,
                on=on,
                min_minutes=choice.policy.min_minutes,
            )
        out.append(PersonCompliance(person, choice, result, open_counts.get(person.id, 0)))
    return out


def open_action_counts(staff_ids: Sequence[int]) -> dict[int, int]:
    """Open supervision actions of sessions each person attended."""
    if not staff_ids:
        return {}
    return dict(
        db.session.execute(
            select(SupervisionAttendee.staff_id, func.count(func.distinct(SupervisionAction.id)))
            .join(SupervisionAction, SupervisionAction.session_id == SupervisionAttendee.session_id)
            .where(
                SupervisionAttendee.staff_id.in_(staff_ids),
                SupervisionAction.completed_on.is_(None),
            )
            .group_by(SupervisionAttendee.staff_id)
        ).all()
    )


def open_actions_of(staff_id: int) -> list[SupervisionAction]:
    """Open actions from sessions ``staff_id`` attended, by due date."""
    return list(
        db.session.scalars(
            select(SupervisionAction)
            .join(
                SupervisionAttendee, SupervisionAttendee.session_id == SupervisionAction.session_id
            )
            .where(
                SupervisionAttendee.staff_id == staff_id, SupervisionAction.completed_on.is_(None)
            )
            .options(selectinload(SupervisionAction.session))
            .order_by(SupervisionAction.due_date, SupervisionAction.id)
        )
    )


def awaiting_acknowledgement(staff_id: int) -> list[SupervisionSession]:
    """Sessions ``staff_id`` attended and has not acknowledged yet."""
    return list(
        db.session.scalars(
            select(SupervisionSession)
            .join(SupervisionAttendee)
            .where(
                SupervisionAttendee.staff_id == staff_id,
                SupervisionAttendee.acknowledged_at.is_(None),
                SupervisionSession.outcome == "held",
            )
            .order_by(SupervisionSession.held_on)
        )
    )


def sort_overdue_first(items: list[PersonCompliance]) -> list[PersonCompliance]:
    """Overdue first (longest overdue first), then short of sessions, then within policy;
    people without a policy last."""
    order = {"overdue": 0, "short": 1, "within": 2}

    def key(item: PersonCompliance) -> tuple[Any, ...]:
        if item.result is None:
            return (3, date.max, item.staff.sort_name)
        return (order[item.result.status], item.result.next_due, item.staff.sort_name)

    return sorted(items, key=key)


def overdue_supervisees(supervisor_staff_id: int, on: date | None = None) -> int:
    """How many of the supervisor's direct reports are overdue for supervision on ``on``."""
    on = on or date.today()
    people = list(
        db.session.scalars(
            select(Staff)
            .where(Staff.id.in_([s.id for s in supervisees_of(supervisor_staff_id, on)]))
            .options(selectinload(Staff.spells))
        )
    )
    return sum(
        1 for item in compliance_for(people, on) if item.result is not None and item.result.overdue
    )
