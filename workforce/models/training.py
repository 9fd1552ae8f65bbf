"""The learning and development programme: catalogue, sessions, bookings and registers,
evaluations with a follow-up on impact, and each person's CPD log."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workforce.extensions import db
from workforce.models._base import Audited, Timestamped, utcnow
from workforce.models.frameworks import FrameworkDomain
from workforce.models.people import Staff

PROVIDERS: dict[str, str] = {
    "in_house": "In-house",
    "commissioned": "Commissioned",
    "external": "External",
}
DELIVERY_MODES: dict[str, str] = {
    "face_to_face": "Face to face",
    "e_learning": "E-learning",
    "workshop": "Workshop",
    "simulation": "Simulation",
}
SESSION_STATUSES: dict[str, str] = {
    "scheduled": "Scheduled",
    "cancelled": "Cancelled",
    "completed": "Completed",
}
#: A booking holds a place, waits for one, or was cancelled.
BOOKING_STATUSES: dict[str, str] = {
    "booked": "Booked",
    "waiting": "Waiting list",
    "cancelled": "Cancelled",
}
#: What the register says of a booked place.
ATTENDANCE: dict[str, str] = {
    "attended": "Attended",
    "partial": "Partly attended",
    "did_not_attend": "Did not attend",
}
#: Roles a course can target or be mandatory for: census organisational roles by code,
#: and "other" for posts outside the social work census.
OTHER_ROLE = "other"
PRACTICE_CHANGED: dict[str, str] = {
    "yes": "Yes, practice has changed",
    "partly": "Partly",
    "no": "No change yet",
}
CPD_TYPES: dict[str, str] = {
    "course": "Course or training",
    "reading": "Reading or research",
    "supervision": "Supervision or reflective discussion",
    "observation": "Observation or shadowing",
    "conference": "Conference or seminar",
    "e_learning": "E-learning",
    "other": "Other",
}

course_domain = Table(
    "course_domain",
    db.metadata,
    Column("course_id", ForeignKey("course.id", ondelete="CASCADE"), primary_key=True),
    Column("domain_id", ForeignKey("framework_domain.id"), primary_key=True, index=True),
)
course_priority = Table(
    "course_priority",
    db.metadata,
    Column("course_id", ForeignKey("course.id", ondelete="CASCADE"), primary_key=True),
    Column("priority_id", ForeignKey("strategic_priority.id"), primary_key=True, index=True),
)


class StrategicPriority(Audited, Timestamped, db.Model):
    """A strategic principle or priority that learning supports (a configurable list)."""

    __tablename__ = "strategic_priority"
    __table_args__ = (UniqueConstraint("source", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    #: Whose strategy it comes from, e.g. "Lincolnshire strategic principles".
    source: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class PracticeModel(Audited, Timestamped, db.Model):
    """A named practice model or programme, such as Signs of Safety or Triple P."""

    __tablename__ = "practice_model"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    description: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Venue(Audited, Timestamped, db.Model):
    """Where sessions happen."""

    __tablename__ = "venue"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    address: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Course(Audited, Timestamped, db.Model):
    """A learning opportunity in the catalogue."""

    __tablename__ = "course"
    __table_args__ = (
        CheckConstraint("cpd_hours >= 0", name="cpd_hours_not_negative"),
        CheckConstraint("cost_per_place >= 0", name="cost_not_negative"),
        CheckConstraint(
            "refresher_months IS NULL OR refresher_months > 0", name="refresher_positive"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str | None] = mapped_column(Text)
    provider: Mapped[str] = mapped_column(String(20))
    delivery_mode: Mapped[str] = mapped_column(String(20))
    cpd_hours: Mapped[Decimal] = mapped_column(Numeric(6, 2), default=Decimal("0"))
    cost_per_place: Mapped[Decimal] = mapped_column(Numeric(10, 2), default=Decimal("0"))
    practice_model_id: Mapped[int | None] = mapped_column(
        ForeignKey("practice_model.id"), index=True
    )
    #: Months after which a completion expires and must be refreshed; None never expires.
    refresher_months: Mapped[int | None] = mapped_column(Integer)
    #: Months after a session when the attendee's supervisor is asked about impact.
    impact_follow_up_months: Mapped[int | None] = mapped_column(Integer, default=3)
    #: A monthly ASYE workshop (each on one PCF domain).
    is_asye_workshop: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    practice_model: Mapped[PracticeModel | None] = relationship()
    domains: Mapped[list[FrameworkDomain]] = relationship(
        secondary=course_domain, order_by="FrameworkDomain.position"
    )
    priorities: Mapped[list[StrategicPriority]] = relationship(
        secondary=course_priority, order_by="StrategicPriority.position"
    )
    audiences: Mapped[list[CourseAudience]] = relationship(
        back_populates="course", cascade="all, delete-orphan"
    )
    sessions: Mapped[list[TrainingSession]] = relationship(
        back_populates="course", order_by="TrainingSession.starts_at"
    )

    def __repr__(self) -> str:
        return f"<Course {self.title}>"


class CourseAudience(Audited, db.Model):
    """Who a course is for: a role (census code or "other") or a tier of need, and whether
    it is mandatory for that role."""

    __tablename__ = "course_audience"
    __table_args__ = (
        UniqueConstraint("course_id", "kind", "value"),
        CheckConstraint("kind IN ('role', 'tier')", name="kind_known"),
        CheckConstraint("kind = 'role' OR NOT mandatory", name="mandatory_only_for_roles"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    value: Mapped[str] = mapped_column(String(30))
    mandatory: Mapped[bool] = mapped_column(Boolean, default=False)

    course: Mapped[Course] = relationship(back_populates="audiences")


class TrainingSession(Audited, Timestamped, db.Model):
    """One run of a course: when, where, who trains, and how many places."""

    __tablename__ = "training_session"
    __table_args__ = (
        CheckConstraint("capacity > 0", name="capacity_positive"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        Index("ix_training_session_starts_at", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"), index=True)
    starts_at: Mapped[datetime] = mapped_column(DateTime)
    ends_at: Mapped[datetime] = mapped_column(DateTime)
    venue_id: Mapped[int | None] = mapped_column(ForeignKey("venue.id"), index=True)
    #: Where there is no venue (online), or extra detail such as a room.
    location_detail: Mapped[str | None] = mapped_column(String(200))
    trainer: Mapped[str | None] = mapped_column(String(200))
    capacity: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default="scheduled")
    cancellation_reason: Mapped[str | None] = mapped_column(Text)

    course: Mapped[Course] = relationship(back_populates="sessions")
    venue: Mapped[Venue | None] = relationship()
    bookings: Mapped[list[Booking]] = relationship(
        back_populates="session", order_by="Booking.requested_at"
    )

    def __repr__(self) -> str:
        return f"<TrainingSession {self.course_id} {self.starts_at:%Y-%m-%d %H:%M}>"


class Booking(Audited, Timestamped, db.Model):
    """A person's place (or place on the waiting list) on a session, and their attendance."""

    __tablename__ = "booking"
    __table_args__ = (
        UniqueConstraint("session_id", "staff_id"),
        CheckConstraint(
            "attendance IS NULL OR status = 'booked'", name="attendance_only_when_booked"
        ),
        Index("ix_booking_staff_status", "staff_id", "status"),
        # A session's places by status and attendance, with who: the registers that
        # reports read (completions, places per session) come from the index alone.
        Index(
            "ix_booking_session_status_attendance_staff",
            "session_id",
            "status",
            "attendance",
            "staff_id",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("training_session.id"), index=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    status: Mapped[str] = mapped_column(String(20), default="booked")
    #: When the place was asked for; the waiting list is served in this order.
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    cancellation_reason: Mapped[str | None] = mapped_column(Text)
    attendance: Mapped[str | None] = mapped_column(String(20))

    session: Mapped[TrainingSession] = relationship(back_populates="bookings")
    staff: Mapped[Staff] = relationship()
    evaluation: Mapped[Evaluation | None] = relationship(back_populates="booking")
    impact_follow_up: Mapped[ImpactFollowUp | None] = relationship(back_populates="booking")


class Evaluation(Audited, Timestamped, db.Model):
    """An attendee's evaluation of a session (ratings 1 to 5; 4 and 5 are good or better)."""

    __tablename__ = "evaluation"
    __table_args__ = tuple(
        CheckConstraint(f"{column} BETWEEN 1 AND 5", name=f"{column}_1_to_5")
        for column in ("overall", "relevance", "confidence_before", "confidence_after")
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("booking.id"), unique=True)
    overall: Mapped[int] = mapped_column(Integer)
    relevance: Mapped[int] = mapped_column(Integer)
    confidence_before: Mapped[int] = mapped_column(Integer)
    confidence_after: Mapped[int] = mapped_column(Integer)
    will_do_differently: Mapped[str | None] = mapped_column(Text)
    comments: Mapped[str | None] = mapped_column(Text)
    #: "self" when the attendee filled it in, "paper" when an officer typed a paper form.
    source: Mapped[str] = mapped_column(String(10), default="self")
    entered_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    booking: Mapped[Booking] = relationship(back_populates="evaluation")


class ImpactFollowUp(Audited, Timestamped, db.Model):
    """The question to an attendee's supervisor some months later: has practice changed?"""

    __tablename__ = "impact_follow_up"
    #: The answered follow-ups, latest first.
    __table_args__ = (Index("ix_impact_follow_up_responded_at", "responded_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("booking.id"), unique=True)
    supervisor_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), index=True)
    due_on: Mapped[date] = mapped_column(Date, index=True)
    practice_changed: Mapped[str | None] = mapped_column(String(10))
    example: Mapped[str | None] = mapped_column(Text)
    responded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    responded_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    booking: Mapped[Booking] = relationship(back_populates="impact_follow_up")
    supervisor: Mapped[Staff | None] = relationship()


class CpdEntry(Audited, Timestamped, db.Model):
    """A CPD record in the Social Work England shape."""

    __tablename__ = "cpd_entry"
    __table_args__ = (Index("ix_cpd_entry_staff_date", "staff_id", "activity_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    entry_type: Mapped[str] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(Text)
    activity_date: Mapped[date] = mapped_column(Date)
    learning: Mapped[str] = mapped_column(Text)
    impact: Mapped[str] = mapped_column(Text)
    peer_reflection: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Who the reflection was with and what came of it.
    peer_reflection_detail: Mapped[str | None] = mapped_column(Text)
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("booking.id"))

    staff: Mapped[Staff] = relationship()
