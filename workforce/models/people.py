"""Teams, staff and their employment spells.

A person keeps every spell: moving team or role closes one spell and opens another, and
leavers are never deleted, because turnover and stability are computed from them.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Numeric,
    String,
    Text,
    and_,
    case,
    cast,
    false,
    func,
    or_,
)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workforce.extensions import db
from workforce.metrics.fte import fte
from workforce.models._base import Audited, Timestamped

if TYPE_CHECKING:
    from sqlalchemy.sql.elements import ColumnElement

#: Contract types, with the label shown to people.
CONTRACT_TYPES: dict[str, str] = {
    "permanent": "Permanent",
    "fixed_term": "Fixed term",
    "agency": "Agency",
    "secondment": "Secondment",
    "volunteer": "Volunteer",
}

HOURS = Numeric(6, 2)


class Team(Audited, Timestamped, db.Model):
    """A team, its service area and the tier of need it works at."""

    __tablename__ = "team"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    service_area: Mapped[str] = mapped_column(String(120))
    #: Code from the ``tier_of_need`` list (North East Lincolnshire's Table 1, seed 000).
    tier_of_need: Mapped[str] = mapped_column(String(30))
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    def __repr__(self) -> str:
        return f"<Team {self.name}>"


class Staff(Audited, Timestamped, db.Model):
    """A member of staff. Date of birth, gender and ethnicity are restricted to HR and admin."""

    __tablename__ = "staff"
    __table_args__ = (
        # The staff list's order (last name, first name, id): a page of it reads a page.
        Index("ix_staff_last_name_first_name", "last_name", "first_name", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_number: Mapped[str] = mapped_column(String(30), unique=True)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100), index=True)
    work_email: Mapped[str | None] = mapped_column(String(320), unique=True)
    swe_number: Mapped[str | None] = mapped_column(String(12), unique=True)
    qualified_social_worker: Mapped[bool] = mapped_column(Boolean, default=False)
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    gender: Mapped[str | None] = mapped_column(String(2))
    ethnicity: Mapped[str | None] = mapped_column(String(4))
    #: Census qualification fields: the institution(s) that awarded the social work
    #: qualification, its level (census code 1 under-graduate, 2 post-graduate, 3 other),
    #: and whether it came through Step Up to Social Work or Frontline.
    qual_inst: Mapped[str | None] = mapped_column(String(200))
    qual_level: Mapped[str | None] = mapped_column(String(1))
    step_up_grad: Mapped[bool | None] = mapped_column(Boolean)
    frontline_grad: Mapped[bool | None] = mapped_column(Boolean)

    spells: Mapped[list[EmploymentSpell]] = relationship(
        back_populates="staff",
        foreign_keys="EmploymentSpell.staff_id",
        order_by="EmploymentSpell.start_date",
    )

    @property
    def full_name(self) -> str:
        """First and last name."""
        return f"{self.first_name} {self.last_name}"

    @property
    def sort_name(self) -> str:
        """Last name, first name."""
        return f"{self.last_name}, {self.first_name}"

    def spell_on(self, on: date) -> EmploymentSpell | None:
        """The spell in force on ``on`` (the latest started, where two overlap)."""
        current = [s for s in self.spells if s.is_current_on(on)]
        return max(current, key=lambda s: (s.start_date, s.id)) if current else None

    def __repr__(self) -> str:
        return f"<Staff {self.staff_number} {self.full_name}>"


class EmploymentSpell(Audited, Timestamped, db.Model):
    """One post held by one person between two dates, with census fields."""

    __tablename__ = "employment_spell"
    __table_args__ = (
        CheckConstraint("contracted_hours >= 0", name="contracted_hours_not_negative"),
        CheckConstraint("standard_hours > 0", name="standard_hours_positive"),
        CheckConstraint("end_date IS NULL OR end_date >= start_date", name="end_after_start"),
        Index("ix_employment_spell_dates", "start_date", "end_date"),
        Index("ix_employment_spell_staff_start", "staff_id", "start_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="RESTRICT"))
    post_title: Mapped[str] = mapped_column(String(150))
    #: Census organisational role code (1 senior manager ... 6 qualified without cases);
    #: empty for posts outside the social work census.
    org_role: Mapped[str | None] = mapped_column(String(2))
    grade: Mapped[str | None] = mapped_column(String(30))
    contracted_hours: Mapped[Decimal] = mapped_column(HOURS)
    standard_hours: Mapped[Decimal] = mapped_column(HOURS, default=Decimal("37"))
    contract_type: Mapped[str] = mapped_column(String(20))
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="RESTRICT"), index=True)
    line_manager_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff.id", ondelete="SET NULL"), index=True
    )
    start_date: Mapped[date] = mapped_column(Date)
    #: Census start origin code.
    start_origin: Mapped[str | None] = mapped_column(String(2))
    end_date: Mapped[date | None] = mapped_column(Date)
    #: Census reason for leaving code; set when the person left the organisation.
    leaving_reason: Mapped[str | None] = mapped_column(String(2))
    #: Census leaver destination code.
    leaver_destination: Mapped[str | None] = mapped_column(String(2))
    notes: Mapped[str | None] = mapped_column(Text)
    #: Census child and family KSS status code (1 ASYE ... 4 practice leader).
    cfkss_status: Mapped[str | None] = mapped_column(String(1))
    #: For an agency worker: whether they cover a vacancy (the census counts only those in
    #: its LA-level agency figures).
    covers_vacancy: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    #: For an agency worker: contract weeks in the census year (census ContractWeeks).
    contract_weeks: Mapped[Decimal | None] = mapped_column(Numeric(4, 1))

    staff: Mapped[Staff] = relationship(back_populates="spells", foreign_keys=[staff_id])
    team: Mapped[Team] = relationship(lazy="joined")
    line_manager: Mapped[Staff | None] = relationship(foreign_keys=[line_manager_id])

    @hybrid_property
    def fte(self) -> Decimal:
        """Full-time equivalent: contracted hours over standard hours, capped at 1."""
        return fte(self.contracted_hours, self.standard_hours)

    @fte.inplace.expression
    @classmethod
    def _fte_expression(cls) -> ColumnElement[Decimal]:
        return db.case(
            (cls.contracted_hours >= cls.standard_hours, Decimal("1")),
            else_=cls.contracted_hours / cls.standard_hours,
        )

    @property
    def is_leaver_spell(self) -> bool:
        """Whether this spell ended with the person leaving the organisation."""
        return self.end_date is not None and self.leaving_reason is not None

    def is_current_on(self, on: date) -> bool:
        """Whether the spell is in force on ``on``."""
        return self.start_date <= on and (self.end_date is None or self.end_date >= on)

    @classmethod
    def current_on(cls, on: date) -> ColumnElement[bool]:
        """SQL condition: the spell is in force on ``on``."""
        return spell_in_force(cls, on)

    def __repr__(self) -> str:
        return f"<EmploymentSpell {self.staff_id} {self.post_title} {self.start_date}>"


def spell_in_force(spell: Any, on: date) -> ColumnElement[bool]:
    """SQL condition: ``spell`` (``EmploymentSpell`` or an alias of it) is in force on ``on``."""
    return and_(spell.start_date <= on, or_(spell.end_date.is_(None), spell.end_date >= on))


#: FTE in whole millionths: 1.0 FTE.
FTE_MILLIONTHS = 1_000_000


def fte_millionths(spell: Any) -> ColumnElement[int]:
    """SQL: ``spell``'s FTE as the census records it (``workforce.metrics.fte.fte``:
    contracted over standard hours, at most 1, to six places rounded half up) in whole
    millionths, so that sums of it are exact.

    Worked in integers from the hours in hundredths (the columns hold two places):
    round half up of ``c / s`` millionths is ``(2 * c * 1000000 + s) // (2 * s)``, which
    SQLite and PostgreSQL compute alike, with no floating point or decimal division."""
    contracted = cast(func.round(spell.contracted_hours * 100), BigInteger)
    standard = cast(func.round(spell.standard_hours * 100), BigInteger)
    return case(
        (spell.contracted_hours >= spell.standard_hours, FTE_MILLIONTHS),
        else_=(contracted * (2 * FTE_MILLIONTHS) + standard) // (standard * 2),
    )
