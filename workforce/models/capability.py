"""Role profiles, capability assessments, their ratings and development actions.

A role profile says which framework and level a post is expected to work at; a person's
expected level follows their employment spell in force. An assessment rates each domain of
that framework against the level; once signed off it is read-only, and a correction is a
new assessment. Ratings and kinds are fixed lists (``RATINGS``, ``ASSESSMENT_KINDS``).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workforce.extensions import db
from workforce.metrics.capability import RATINGS
from workforce.models._base import Audited, Timestamped
from workforce.models.accounts import User
from workforce.models.frameworks import Framework, FrameworkDomain, FrameworkLevel, FrameworkPathway
from workforce.models.people import Staff

#: Kinds of assessment, with the label shown to people.
ASSESSMENT_KINDS: dict[str, str] = {
    "self": "Self-assessment",
    "supervisor": "Supervisor assessment",
    "appraisal": "Annual appraisal",
    "asye_review": "ASYE review",
}
#: Where an assessment is: a draft can be changed; a signed-off one cannot.
ASSESSMENT_STATUSES: dict[str, str] = {"draft": "Draft", "signed_off": "Signed off"}


def _in(column: str, values: dict[str, str]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class RoleProfile(Audited, Timestamped, db.Model):
    """The framework and level a post is expected to work at.

    A profile matches a spell when every criterion it sets (post title, census
    organisational role, grade) equals the spell's; the most specific match wins
    (``workforce.metrics.capability.match_profile``). A profile with no criteria is the
    default for everyone else.
    """

    __tablename__ = "role_profile"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(150), unique=True)
    post_title: Mapped[str | None] = mapped_column(String(150))
    org_role: Mapped[str | None] = mapped_column(String(2))
    grade: Mapped[str | None] = mapped_column(String(30))
    framework_id: Mapped[int] = mapped_column(ForeignKey("framework.id"), index=True)
    level_id: Mapped[int] = mapped_column(ForeignKey("framework_level.id"))
    pathway_id: Mapped[int | None] = mapped_column(ForeignKey("framework_pathway.id"))
    active: Mapped[bool] = mapped_column(default=True)

    framework: Mapped[Framework] = relationship(lazy="joined")
    level: Mapped[FrameworkLevel] = relationship(lazy="joined")
    pathway: Mapped[FrameworkPathway | None] = relationship(lazy="joined")

    def __repr__(self) -> str:
        return f"<RoleProfile {self.name}>"


class Assessment(Audited, Timestamped, db.Model):
    """One assessment of one person against one framework level."""

    __tablename__ = "assessment"
    __table_args__ = (
        CheckConstraint(_in("kind", ASSESSMENT_KINDS), name="kind_known"),
        CheckConstraint(_in("status", ASSESSMENT_STATUSES), name="status_known"),
        CheckConstraint(
            "(status = 'signed_off') = (signed_off_at IS NOT NULL)", name="signed_off_dated"
        ),
        Index("ix_assessment_staff_date", "staff_id", "assessed_on"),
        Index("ix_assessment_date", "assessed_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="RESTRICT"))
    framework_id: Mapped[int] = mapped_column(ForeignKey("framework.id"))
    level_id: Mapped[int] = mapped_column(ForeignKey("framework_level.id"))
    pathway_id: Mapped[int | None] = mapped_column(ForeignKey("framework_pathway.id"))
    kind: Mapped[str] = mapped_column(String(20))
    assessed_on: Mapped[date] = mapped_column(Date)
    assessor_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT"), index=True
    )
    status: Mapped[str] = mapped_column(String(12), default="draft")
    summary: Mapped[str | None] = mapped_column(Text)
    assessee_comment: Mapped[str | None] = mapped_column(Text)
    assessee_commented_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    signed_off_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: The signed-off assessment this one corrects, if any.
    corrects_id: Mapped[int | None] = mapped_column(ForeignKey("assessment.id"))

    staff: Mapped[Staff] = relationship()
    framework: Mapped[Framework] = relationship()
    level: Mapped[FrameworkLevel] = relationship()
    pathway: Mapped[FrameworkPathway | None] = relationship()
    assessor: Mapped[User] = relationship()
    corrects: Mapped[Assessment | None] = relationship(remote_side=[id])
    ratings: Mapped[list[AssessmentRating]] = relationship(
        back_populates="assessment", cascade="all, delete-orphan"
    )
    actions: Mapped[list[DevelopmentAction]] = relationship(
        back_populates="assessment",
        cascade="all, delete-orphan",
        order_by="(DevelopmentAction.due_date, DevelopmentAction.id)",
    )

    @property
    def signed_off(self) -> bool:
        """Whether the assessment is signed off (and so read-only)."""
        return self.status == "signed_off"

    @property
    def kind_label(self) -> str:
        """The kind as people read it."""
        return ASSESSMENT_KINDS.get(self.kind, self.kind)

    def __repr__(self) -> str:
        return f"<Assessment {self.id} {self.kind} {self.assessed_on}>"


class AssessmentRating(Audited, db.Model):
    """The rating of one domain in one assessment, with the evidence for it."""

    __tablename__ = "assessment_rating"
    __table_args__ = (
        UniqueConstraint("assessment_id", "domain_id"),
        CheckConstraint(_in("rating", RATINGS), name="rating_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessment.id", ondelete="CASCADE"), index=True
    )
    domain_id: Mapped[int] = mapped_column(ForeignKey("framework_domain.id"), index=True)
    rating: Mapped[str] = mapped_column(String(20))
    evidence: Mapped[str | None] = mapped_column(Text)

    assessment: Mapped[Assessment] = relationship(back_populates="ratings")
    domain: Mapped[FrameworkDomain] = relationship()


class DevelopmentAction(Audited, Timestamped, db.Model):
    """A development action agreed in an assessment: what, who owns it, and by when."""

    __tablename__ = "development_action"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessment.id", ondelete="CASCADE"), index=True
    )
    description: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(150))
    due_date: Mapped[date] = mapped_column(Date)
    domain_id: Mapped[int | None] = mapped_column(ForeignKey("framework_domain.id"))
    completed_on: Mapped[date | None] = mapped_column(Date)

    assessment: Mapped[Assessment] = relationship(back_populates="actions")
    domain: Mapped[FrameworkDomain | None] = relationship()
