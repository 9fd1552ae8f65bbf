"""Workforce planning data: caseload snapshots and the weighting scheme that turns them into
points, each team's funded establishment, and absence.

Caseloads are counts per worker per date, by case type and complexity tier. A weighting
scheme is versioned data with an effective date: points per case type and tier, a stable
non-case element, the full-time and ASYE maxima, and bands of utilisation (points as a
share of capacity) with a RAG colour, one or more of them "within the desired level".
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workforce.extensions import db
from workforce.models._base import Audited, Timestamped
from workforce.models.people import Staff, Team

#: Complexity tiers a case may carry, with the label shown to people.
COMPLEXITY_TIERS: dict[int, str] = {1: "Standard", 2: "Complex", 3: "Highly complex"}
#: RAG colours a utilisation band may have.
RAG: dict[str, str] = {"green": "Green", "amber": "Amber", "red": "Red"}
POINTS = Numeric(8, 2)


class CaseType(Audited, Timestamped, db.Model):
    """A type of case counted in caseloads (child in need, child protection, ...)."""

    __tablename__ = "case_type"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    label: Mapped[str] = mapped_column(String(120), unique=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    def __repr__(self) -> str:
        return f"<CaseType {self.code}>"


class CaseloadSnapshot(Audited, Timestamped, db.Model):
    """One worker's caseload on one date."""

    __tablename__ = "caseload_snapshot"
    __table_args__ = (
        UniqueConstraint("staff_id", "taken_on"),
        CheckConstraint("extra_points >= 0", name="extra_points_not_negative"),
        Index("ix_caseload_snapshot_date", "taken_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="RESTRICT"))
    taken_on: Mapped[date] = mapped_column(Date)
    #: Points for extra responsibilities (a student, a project), on top of the cases.
    extra_points: Mapped[Decimal] = mapped_column(POINTS, default=Decimal("0"))
    #: Where it came from: "entered" in the interface or "import" from a case-management
    #: extract.
    source: Mapped[str] = mapped_column(String(20), default="entered")
    #: Cases of every type and tier, kept with the counts (so reports over millions of
    #: counts read one row per snapshot).
    total_cases: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: Case points under the scheme in force on ``taken_on`` (without the stable element
    #: and extra points), kept with the counts and recomputed when a scheme changes.
    case_points: Mapped[Decimal] = mapped_column(POINTS, default=Decimal("0"), server_default="0")

    staff: Mapped[Staff] = relationship()
    counts: Mapped[list[CaseloadCount]] = relationship(
        back_populates="snapshot", cascade="all, delete-orphan", lazy="selectin"
    )


class CaseloadCount(Audited, db.Model):
    """How many cases of one type and tier a snapshot holds."""

    __tablename__ = "caseload_count"
    __table_args__ = (
        UniqueConstraint("snapshot_id", "case_type_id", "tier"),
        CheckConstraint("cases >= 0", name="cases_not_negative"),
        CheckConstraint("tier BETWEEN 1 AND 3", name="tier_known"),
        # A snapshot's cases read from the index alone (the turnover report adds up the
        # latest snapshot's counts for each person in post).
        Index("ix_caseload_count_snapshot_id_cases", "snapshot_id", "cases"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    snapshot_id: Mapped[int] = mapped_column(
        ForeignKey("caseload_snapshot.id", ondelete="CASCADE"), index=True
    )
    case_type_id: Mapped[int] = mapped_column(ForeignKey("case_type.id"))
    tier: Mapped[int] = mapped_column(Integer, default=1)
    cases: Mapped[int] = mapped_column(Integer)

    snapshot: Mapped[CaseloadSnapshot] = relationship(back_populates="counts")
    case_type: Mapped[CaseType] = relationship(lazy="joined")


class WeightingScheme(Audited, Timestamped, db.Model):
    """A caseload weighting scheme in force from ``effective_from`` until the next one."""

    __tablename__ = "weighting_scheme"
    __table_args__ = (
        CheckConstraint("stable_points >= 0", name="stable_points_not_negative"),
        CheckConstraint("full_time_max > 0", name="full_time_max_positive"),
        CheckConstraint("asye_max > 0", name="asye_max_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(150))
    effective_from: Mapped[date] = mapped_column(Date, unique=True)
    #: Points every worker carries whatever their cases (meetings, training, duty).
    stable_points: Mapped[Decimal] = mapped_column(POINTS, default=Decimal("15"))
    #: The points a full-time worker can carry; capacity is this times FTE.
    full_time_max: Mapped[Decimal] = mapped_column(POINTS, default=Decimal("100"))
    #: The reduced maximum for a worker in their ASYE.
    asye_max: Mapped[Decimal] = mapped_column(POINTS, default=Decimal("90"))
    notes: Mapped[str | None] = mapped_column(Text)

    weights: Mapped[list[CaseWeight]] = relationship(
        back_populates="scheme", cascade="all, delete-orphan", lazy="selectin"
    )
    bands: Mapped[list[UtilisationBand]] = relationship(
        back_populates="scheme",
        cascade="all, delete-orphan",
        order_by="UtilisationBand.lower_pct",
        lazy="selectin",
    )

    def __repr__(self) -> str:
        return f"<WeightingScheme {self.name} from {self.effective_from}>"


class CaseWeight(Audited, db.Model):
    """Points for one case of a type and tier under a scheme."""

    __tablename__ = "case_weight"
    __table_args__ = (
        UniqueConstraint("scheme_id", "case_type_id", "tier"),
        CheckConstraint("points >= 0", name="points_not_negative"),
        CheckConstraint("tier BETWEEN 1 AND 3", name="tier_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_id: Mapped[int] = mapped_column(
        ForeignKey("weighting_scheme.id", ondelete="CASCADE"), index=True
    )
    case_type_id: Mapped[int] = mapped_column(ForeignKey("case_type.id"))
    tier: Mapped[int] = mapped_column(Integer, default=1)
    points: Mapped[Decimal] = mapped_column(POINTS)

    scheme: Mapped[WeightingScheme] = relationship(back_populates="weights")
    case_type: Mapped[CaseType] = relationship(lazy="joined")


class UtilisationBand(Audited, db.Model):
    """A band of utilisation (weighted points as a percentage of capacity), from
    ``lower_pct`` inclusive to ``upper_pct`` exclusive (no upper bound when empty)."""

    __tablename__ = "utilisation_band"
    __table_args__ = (
        CheckConstraint("lower_pct >= 0", name="lower_not_negative"),
        CheckConstraint("upper_pct IS NULL OR upper_pct > lower_pct", name="upper_above_lower"),
        CheckConstraint("rag IN ('green', 'amber', 'red')", name="rag_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_id: Mapped[int] = mapped_column(
        ForeignKey("weighting_scheme.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(80))
    lower_pct: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    upper_pct: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    rag: Mapped[str] = mapped_column(String(10))
    #: Whether a worker in this band counts as "within the desired level".
    within_desired: Mapped[bool] = mapped_column(Boolean, default=False)

    scheme: Mapped[WeightingScheme] = relationship(back_populates="bands")


class TeamEstablishment(Audited, Timestamped, db.Model):
    """A team's funded establishment (FTE of posts) from a date until the next record."""

    __tablename__ = "team_establishment"
    __table_args__ = (
        UniqueConstraint("team_id", "effective_from"),
        CheckConstraint("funded_fte >= 0", name="funded_fte_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"), index=True)
    effective_from: Mapped[date] = mapped_column(Date)
    #: Funded FTE of child and family social worker posts.
    funded_fte: Mapped[Decimal] = mapped_column(Numeric(8, 2))
    notes: Mapped[str | None] = mapped_column(Text)

    team: Mapped[Team] = relationship()


class Absence(Audited, Timestamped, db.Model):
    """A period of absence with the working days lost and the census reason."""

    __tablename__ = "absence"
    __table_args__ = (
        CheckConstraint("working_days_lost >= 0", name="days_not_negative"),
        CheckConstraint("end_date IS NULL OR end_date >= start_date", name="end_after_start"),
        Index("ix_absence_staff_start", "staff_id", "start_date"),
        Index("ix_absence_dates", "start_date", "end_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="RESTRICT"))
    start_date: Mapped[date] = mapped_column(Date)
    #: Empty while the absence continues.
    end_date: Mapped[date | None] = mapped_column(Date)
    working_days_lost: Mapped[Decimal] = mapped_column(Numeric(6, 1))
    #: Census absence reason code (MAT, OTH, PUB, SIC, TRN, UNA, UNP).
    reason: Mapped[str] = mapped_column(String(3))

    staff: Mapped[Staff] = relationship()
