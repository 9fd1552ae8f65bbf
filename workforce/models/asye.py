"""The Assessed and Supported Year in Employment: the programme's definition (data with an
effective date), cohorts, each newly qualified social worker's enrolment, and what is
recorded through the year: pauses, reviews, evidence and protected development time.

The schedule itself is computed (``workforce.metrics.asye``) from the enrolment's start
date, the programme's review points and the pauses.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    Date,
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
from workforce.models._base import Audited, Timestamped
from workforce.models.accounts import User
from workforce.models.capability import Assessment
from workforce.models.frameworks import FrameworkDomain
from workforce.models.people import Staff

#: How an ASYE can end, with the label shown to people.
OUTCOMES: dict[str, str] = {
    "passed": "Passed",
    "failed": "Failed",
    "deferred": "Deferred",
    "withdrawn": "Withdrawn",
}
#: Why a programme may pause.
PAUSE_REASONS: dict[str, str] = {
    "sickness": "Sickness",
    "bereavement": "Bereavement",
    "parental_leave": "Parental leave",
    "other": "Other agreed reason",
}
#: The assessor's judgement at a review.
JUDGEMENTS: dict[str, str] = {
    "on_track": "On track",
    "some_concerns": "Some concerns",
    "not_on_track": "Not on track",
}


def _in(column: str, values: dict[str, str]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class AsyeProgramme(Audited, Timestamped, db.Model):
    """The programme's rules in force from ``effective_from`` until the next version.

    ``review_points`` is a list of ``{"code", "label", "months", "optional"}``;
    ``evidence_requirements`` maps an evidence kind to ``{"label", "required"}``.
    """

    __tablename__ = "asye_programme"
    __table_args__ = (
        CheckConstraint("protected_share >= 0 AND protected_share <= 1", name="share_in_range"),
        CheckConstraint("completion_months > 0", name="completion_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(150))
    effective_from: Mapped[date] = mapped_column(Date, unique=True)
    review_points: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    evidence_requirements: Mapped[dict[str, dict[str, Any]]] = mapped_column(JSON)
    #: Share of contracted hours protected for development (0.10 is 10%).
    protected_share: Mapped[Decimal] = mapped_column(Numeric(4, 3), default=Decimal("0.100"))
    #: How long the programme may take, pauses included, in months.
    completion_months: Mapped[int] = mapped_column(Integer, default=24)
    #: The caseload cap in weighted points for a full-time worker; empty to use the
    #: weighting scheme's ASYE maximum.
    workload_cap_points: Mapped[Decimal | None] = mapped_column(Numeric(8, 2))
    notes: Mapped[str | None] = mapped_column(Text)

    def __repr__(self) -> str:
        return f"<AsyeProgramme {self.name} from {self.effective_from}>"


class AsyeCohort(Audited, Timestamped, db.Model):
    """A group of newly qualified social workers starting together."""

    __tablename__ = "asye_cohort"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    starts_on: Mapped[date] = mapped_column(Date)

    enrolments: Mapped[list[AsyeEnrolment]] = relationship(back_populates="cohort")


class AsyeEnrolment(Audited, Timestamped, db.Model):
    """One newly qualified social worker's ASYE."""

    __tablename__ = "asye_enrolment"
    __table_args__ = (
        UniqueConstraint("staff_id", "start_date"),
        CheckConstraint("contracted_hours > 0", name="hours_positive"),
        CheckConstraint("outcome IS NULL OR " + _in("outcome", OUTCOMES), name="outcome_known"),
        CheckConstraint("(outcome IS NULL) = (outcome_on IS NULL)", name="outcome_dated"),
        Index("ix_asye_enrolment_cohort", "cohort_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="RESTRICT"), index=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("asye_cohort.id", ondelete="RESTRICT"))
    programme_id: Mapped[int] = mapped_column(ForeignKey("asye_programme.id"))
    #: The Social Work England registration date: the programme's start.
    start_date: Mapped[date] = mapped_column(Date)
    assessor_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    line_manager_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff.id", ondelete="SET NULL"), index=True
    )
    #: Contracted weekly hours, for protected time pro rata.
    contracted_hours: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    outcome: Mapped[str | None] = mapped_column(String(12))
    outcome_on: Mapped[date | None] = mapped_column(Date)
    #: The moderation panel's record: who sat, what was decided and why.
    moderation_notes: Mapped[str | None] = mapped_column(Text)

    staff: Mapped[Staff] = relationship(foreign_keys=[staff_id])
    cohort: Mapped[AsyeCohort] = relationship(back_populates="enrolments")
    programme: Mapped[AsyeProgramme] = relationship(lazy="joined")
    assessor: Mapped[User | None] = relationship()
    line_manager: Mapped[Staff | None] = relationship(foreign_keys=[line_manager_id])
    pauses: Mapped[list[AsyePause]] = relationship(
        back_populates="enrolment", cascade="all, delete-orphan", order_by="AsyePause.start_date"
    )
    reviews: Mapped[list[AsyeReview]] = relationship(
        back_populates="enrolment", cascade="all, delete-orphan"
    )
    evidence: Mapped[list[AsyeEvidence]] = relationship(
        back_populates="enrolment", cascade="all, delete-orphan", order_by="AsyeEvidence.dated"
    )
    protected_time: Mapped[list[ProtectedTime]] = relationship(
        back_populates="enrolment", cascade="all, delete-orphan", order_by="ProtectedTime.taken_on"
    )


class AsyePause(Audited, Timestamped, db.Model):
    """A pause of the programme (both days inclusive), which pushes the schedule back."""

    __tablename__ = "asye_pause"
    __table_args__ = (
        CheckConstraint("end_date >= start_date", name="end_after_start"),
        CheckConstraint(_in("reason", PAUSE_REASONS), name="reason_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(
        ForeignKey("asye_enrolment.id", ondelete="CASCADE"), index=True
    )
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(20))
    notes: Mapped[str | None] = mapped_column(Text)

    enrolment: Mapped[AsyeEnrolment] = relationship(back_populates="pauses")


class AsyeReview(Audited, Timestamped, db.Model):
    """A review point held: the assessor's judgement, the ratings (a capability assessment
    at the PCF's ASYE level) and the development plan for the next period."""

    __tablename__ = "asye_review"
    __table_args__ = (
        UniqueConstraint("enrolment_id", "point"),
        CheckConstraint(_in("judgement", JUDGEMENTS), name="judgement_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(
        ForeignKey("asye_enrolment.id", ondelete="CASCADE"), index=True
    )
    #: The review point's code in the programme (agreement, review_3, ..., moderation).
    point: Mapped[str] = mapped_column(String(30))
    held_on: Mapped[date] = mapped_column(Date)
    judgement: Mapped[str] = mapped_column(String(20))
    assessment_id: Mapped[int | None] = mapped_column(
        ForeignKey("assessment.id", ondelete="SET NULL")
    )
    development_plan: Mapped[str | None] = mapped_column(Text)

    enrolment: Mapped[AsyeEnrolment] = relationship(back_populates="reviews")
    assessment: Mapped[Assessment | None] = relationship()


asye_evidence_domain = Table(
    "asye_evidence_domain",
    db.metadata,
    Column("evidence_id", ForeignKey("asye_evidence.id", ondelete="CASCADE"), primary_key=True),
    Column("domain_id", ForeignKey("framework_domain.id"), primary_key=True, index=True),
)


class AsyeEvidence(Audited, Timestamped, db.Model):
    """One piece of evidence, dated, linked to the PCF domains it evidences."""

    __tablename__ = "asye_evidence"
    __table_args__ = (
        # Counting each current enrolment's evidence of each kind up to a date, from the
        # index alone (the cohort dashboard).
        Index("ix_asye_evidence_enrolment_kind_dated", "enrolment_id", "kind", "dated"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(
        ForeignKey("asye_enrolment.id", ondelete="CASCADE"), index=True
    )
    #: A kind from the programme's evidence requirements (observation, ...).
    kind: Mapped[str] = mapped_column(String(40))
    dated: Mapped[date] = mapped_column(Date)
    title: Mapped[str] = mapped_column(String(200))
    notes: Mapped[str | None] = mapped_column(Text)

    enrolment: Mapped[AsyeEnrolment] = relationship(back_populates="evidence")
    domains: Mapped[list[FrameworkDomain]] = relationship(
        secondary=asye_evidence_domain, order_by="FrameworkDomain.position"
    )


class ProtectedTime(Audited, Timestamped, db.Model):
    """Protected development time taken on a day."""

    __tablename__ = "asye_protected_time"
    __table_args__ = (CheckConstraint("hours > 0 AND hours <= 24", name="hours_in_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(
        ForeignKey("asye_enrolment.id", ondelete="CASCADE"), index=True
    )
    taken_on: Mapped[date] = mapped_column(Date)
    hours: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    activity: Mapped[str] = mapped_column(String(200))

    enrolment: Mapped[AsyeEnrolment] = relationship(back_populates="protected_time")
