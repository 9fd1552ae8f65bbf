"""Supervision: sessions and who attended, actions agreed, quality audits, and the policy
that says how often each person should be supervised.

Notes are confidential: they never enter the audit trail (``__audit_exclude__``); an
earlier version of the notes is kept in ``SupervisionNoteVersion``, readable under the same
rule as the notes themselves (``workforce.services.supervision``).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
    text,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from workforce.extensions import db
from workforce.models._base import Audited, Timestamped, utcnow
from workforce.models.accounts import User
from workforce.models.people import Staff

#: Kinds of session, with the label shown to people.
SESSION_KINDS: dict[str, str] = {
    "one_to_one": "One-to-one",
    "reflective": "Reflective supervision",
    "case": "Case supervision",
    "group": "Group supervision",
    "ad_hoc": "Ad hoc",
}
#: What happened to a planned session.
SESSION_OUTCOMES: dict[str, str] = {
    "held": "Held",
    "cancelled": "Cancelled",
    "rescheduled": "Rescheduled",
}
#: The elements a session may cover (the supervision framework's four, and wellbeing).
ELEMENTS: dict[str, str] = {
    "covers_decisions": "Quality of decision-making and interventions",
    "covers_management": "Line management and organisational accountability",
    "covers_workload": "Caseload and workload management",
    "covers_development": "Individual learning, career and development",
    "covers_wellbeing": "Wellbeing",
}
#: The supervision audit's checklist.
CHECKLIST: dict[str, str] = {
    "reflective_discussion": "Reflective discussion evident",
    "decisions_recorded": "Decisions and rationale recorded",
    "actions_specific": "Actions specific with dates",
    "wellbeing_discussed": "Wellbeing discussed",
    "supervisee_voice": "Supervisee's voice present",
}
#: The overall grade of an audited record, best first.
AUDIT_GRADES: dict[str, str] = {
    "outstanding": "Outstanding",
    "good": "Good",
    "requires_improvement": "Requires improvement",
    "inadequate": "Inadequate",
}
#: Units a policy's interval may be given in.
INTERVAL_UNITS: dict[str, str] = {"week": "week", "month": "month"}


def _in(column: str, values: dict[str, str]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class SupervisionPolicy(Audited, Timestamped, db.Model):
    """How often, and for how long at least, posts matching it should be supervised.

    Matching follows role profiles: post title, census organisational role and grade, the
    most specific first; a policy with none of them is the default. Its stages start from
    the start of the person's spell in force (for the ASYE, their first weeks in post).
    """

    __tablename__ = "supervision_policy"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(150), unique=True)
    post_title: Mapped[str | None] = mapped_column(String(150))
    org_role: Mapped[str | None] = mapped_column(String(2))
    grade: Mapped[str | None] = mapped_column(String(30))
    #: Applies, ahead of any other policy, to people in their ASYE (their post began as a
    #: newly qualified social worker less than a year ago), anchored at that start.
    applies_to_asye: Mapped[bool] = mapped_column(Boolean, default=False)
    min_minutes: Mapped[int] = mapped_column(Integer, default=90)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    stages: Mapped[list[SupervisionPolicyStage]] = relationship(
        back_populates="policy",
        cascade="all, delete-orphan",
        order_by="SupervisionPolicyStage.from_week",
        lazy="selectin",
    )

    def __repr__(self) -> str:
        return f"<SupervisionPolicy {self.name}>"


class SupervisionPolicyStage(Audited, db.Model):
    """From ``from_week`` weeks after the anchor, one session every ``every`` ``unit``s."""

    __tablename__ = "supervision_policy_stage"
    __table_args__ = (
        UniqueConstraint("policy_id", "from_week"),
        CheckConstraint("from_week >= 0", name="from_week_not_negative"),
        CheckConstraint("every > 0", name="every_positive"),
        CheckConstraint(_in("unit", INTERVAL_UNITS), name="unit_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    policy_id: Mapped[int] = mapped_column(
        ForeignKey("supervision_policy.id", ondelete="CASCADE"), index=True
    )
    from_week: Mapped[int] = mapped_column(Integer, default=0)
    every: Mapped[int] = mapped_column(Integer, default=1)
    unit: Mapped[str] = mapped_column(String(10), default="month")

    policy: Mapped[SupervisionPolicy] = relationship(back_populates="stages")


class SupervisionSession(Audited, Timestamped, db.Model):
    """One supervision session (or a planned one cancelled or rescheduled)."""

    __tablename__ = "supervision_session"
    __audit_exclude__ = ("notes",)
    __table_args__ = (
        CheckConstraint(_in("kind", SESSION_KINDS), name="kind_known"),
        CheckConstraint(_in("outcome", SESSION_OUTCOMES), name="outcome_known"),
        CheckConstraint(
            "duration_minutes IS NULL OR (duration_minutes > 0 AND duration_minutes <= 480)",
            name="duration_in_range",
        ),
        CheckConstraint(
            "cases_discussed IS NULL OR cases_discussed >= 0", name="cases_not_negative"
        ),
        Index("ix_supervision_session_supervisor_date", "supervisor_id", "held_on"),
        Index("ix_supervision_session_date", "held_on"),
        # Sessions held, with the date and length the compliance figures read: the reports
        # and the team view read them from this index alone (by id, after the attendees),
        # not from the table with its notes.
        Index(
            "ix_supervision_session_id_held_on_duration_minutes",
            "id",
            "held_on",
            "duration_minutes",
            postgresql_where=text("outcome = 'held'"),
            sqlite_where=text("outcome = 'held'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    supervisor_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="RESTRICT"))
    kind: Mapped[str] = mapped_column(String(20))
    held_on: Mapped[date] = mapped_column(Date)
    outcome: Mapped[str] = mapped_column(String(12), default="held")
    #: Why a session was cancelled or rescheduled.
    reason: Mapped[str | None] = mapped_column(Text)
    duration_minutes: Mapped[int | None] = mapped_column(Integer)
    covers_decisions: Mapped[bool] = mapped_column(Boolean, default=False)
    covers_management: Mapped[bool] = mapped_column(Boolean, default=False)
    covers_workload: Mapped[bool] = mapped_column(Boolean, default=False)
    covers_development: Mapped[bool] = mapped_column(Boolean, default=False)
    covers_wellbeing: Mapped[bool] = mapped_column(Boolean, default=False)
    cases_discussed: Mapped[int | None] = mapped_column(Integer)
    notes: Mapped[str | None] = mapped_column(Text)
    recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )

    supervisor: Mapped[Staff] = relationship()
    recorded_by: Mapped[User | None] = relationship()
    attendees: Mapped[list[SupervisionAttendee]] = relationship(
        back_populates="session", cascade="all, delete-orphan", lazy="selectin"
    )
    actions: Mapped[list[SupervisionAction]] = relationship(
        back_populates="session",
        cascade="all, delete-orphan",
        order_by="(SupervisionAction.due_date, SupervisionAction.id)",
    )
    note_versions: Mapped[list[SupervisionNoteVersion]] = relationship(
        back_populates="session",
        cascade="all, delete-orphan",
        order_by="SupervisionNoteVersion.replaced_at.desc()",
    )

    @property
    def held(self) -> bool:
        """Whether the session took place."""
        return self.outcome == "held"

    @property
    def kind_label(self) -> str:
        """The kind as people read it."""
        return SESSION_KINDS.get(self.kind, self.kind)

    @property
    def elements(self) -> list[str]:
        """The labels of the elements covered."""
        return [label for key, label in ELEMENTS.items() if getattr(self, key)]

    def __repr__(self) -> str:
        return f"<SupervisionSession {self.id} {self.kind} {self.held_on}>"


class SupervisionAttendee(Audited, db.Model):
    """A supervisee at a session, and their acknowledgement of the record.

    ``held_on``, ``held`` and ``minutes`` copy the session's date, whether it was held and
    its length (``copy_session_facts`` keeps them equal on every flush; the audit trail
    records the change on the session, not again here). They let the compliance figures
    read each person's sessions in date order from one index (``ix_supervision_attendee_held``)
    without joining a million sessions: at national scale the compliance report's main
    query went from a second to a third of one.
    """

    __tablename__ = "supervision_attendee"
    __audit_copies__ = ("held_on", "held", "minutes")
    __table_args__ = (
        UniqueConstraint("session_id", "staff_id"),
        Index("ix_supervision_attendee_staff", "staff_id", "session_id"),
        Index(
            "ix_supervision_attendee_held",
            "staff_id",
            "held_on",
            "minutes",
            postgresql_where=text("held"),
            sqlite_where=text("held"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("supervision_session.id", ondelete="CASCADE"), index=True
    )
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="RESTRICT"))
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    comment: Mapped[str | None] = mapped_column(Text)
    #: The session's date (a copy).
    held_on: Mapped[date] = mapped_column(Date)
    #: Whether the session was held (its outcome is "held"; a copy).
    held: Mapped[bool] = mapped_column(Boolean)
    #: The session's length in minutes, 0 when it was not recorded (a copy): never null,
    #: so the longest session of a day sorts last on both databases.
    minutes: Mapped[int] = mapped_column(Integer)

    session: Mapped[SupervisionSession] = relationship(back_populates="attendees")
    staff: Mapped[Staff] = relationship(lazy="joined")


class SupervisionAction(Audited, Timestamped, db.Model):
    """An action agreed in supervision: what, who owns it, by when, and when it was done."""

    __tablename__ = "supervision_action"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("supervision_session.id", ondelete="CASCADE"), index=True
    )
    description: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(150))
    due_date: Mapped[date] = mapped_column(Date)
    completed_on: Mapped[date | None] = mapped_column(Date)

    session: Mapped[SupervisionSession] = relationship(back_populates="actions")


class SupervisionNoteVersion(db.Model):
    """An earlier version of a session's notes, kept when they change after acknowledgement
    (or at any time): confidential like the notes, so outside the audit trail."""

    __tablename__ = "supervision_note_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("supervision_session.id", ondelete="CASCADE"), index=True
    )
    notes: Mapped[str | None] = mapped_column(Text)
    replaced_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    replaced_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )

    session: Mapped[SupervisionSession] = relationship(back_populates="note_versions")
    replaced_by: Mapped[User | None] = relationship()


class SupervisionAudit(Audited, Timestamped, db.Model):
    """A manager's quality audit of one session record against the checklist."""

    __tablename__ = "supervision_audit"
    #: Comments may echo the confidential notes, so they stay out of the audit trail.
    __audit_exclude__ = ("comments",)
    __table_args__ = (
        CheckConstraint(_in("grade", AUDIT_GRADES), name="grade_known"),
        Index("ix_supervision_audit_date", "audited_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("supervision_session.id", ondelete="CASCADE"), index=True
    )
    auditor_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="RESTRICT"))
    audited_on: Mapped[date] = mapped_column(Date)
    reflective_discussion: Mapped[bool] = mapped_column(Boolean, default=False)
    decisions_recorded: Mapped[bool] = mapped_column(Boolean, default=False)
    actions_specific: Mapped[bool] = mapped_column(Boolean, default=False)
    wellbeing_discussed: Mapped[bool] = mapped_column(Boolean, default=False)
    supervisee_voice: Mapped[bool] = mapped_column(Boolean, default=False)
    grade: Mapped[str] = mapped_column(String(24))
    comments: Mapped[str | None] = mapped_column(Text)

    session: Mapped[SupervisionSession] = relationship()
    auditor: Mapped[User] = relationship()

    @property
    def grade_label(self) -> str:
        """The grade as people read it."""
        return AUDIT_GRADES.get(self.grade, self.grade)


def copy_session_facts(session: Session, flush_context: Any, instances: Any) -> None:
    """Before each flush: copy each new or changed session's date, outcome and length onto
    its attendees, and a new attendee's from its session (``SupervisionAttendee``)."""
    with session.no_autoflush:
        for obj in (*session.new, *session.dirty):
            if isinstance(obj, SupervisionSession):
                for attendee in obj.attendees:
                    _copy_facts(obj, attendee)
            elif isinstance(obj, SupervisionAttendee):
                parent = obj.session
                if parent is None and obj.session_id is not None:
                    parent = session.get(SupervisionSession, obj.session_id)
                if parent is not None:
                    _copy_facts(parent, obj)


def _copy_facts(parent: SupervisionSession, attendee: SupervisionAttendee) -> None:
    held = parent.outcome == "held"
    minutes = parent.duration_minutes or 0
    # Only what differs is set, so an unchanged attendee is not flushed again.
    if attendee.held_on != parent.held_on:
        attendee.held_on = parent.held_on
    if attendee.held is not held:
        attendee.held = held
    if attendee.minutes != minutes:
        attendee.minutes = minutes


def init_app() -> None:
    """Keep the attendees' copies of their session's facts (idempotent)."""
    if not event.contains(Session, "before_flush", copy_session_facts):
        event.listen(Session, "before_flush", copy_session_facts)
