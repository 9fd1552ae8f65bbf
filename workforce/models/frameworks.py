"""Capability frameworks as data: the PCF and any framework a council adds.

A framework has ordered domains and ordered levels; a level may have pathways (the PCF's
Advanced level has three). Domains are retired, never deleted, so assessments and course
links that use them keep working.
"""

from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workforce.extensions import db
from workforce.models._base import Audited, Timestamped


class Framework(Audited, Timestamped, db.Model):
    """A capability framework, such as the Professional Capabilities Framework."""

    __tablename__ = "framework"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    domains: Mapped[list[FrameworkDomain]] = relationship(
        back_populates="framework", order_by="FrameworkDomain.position"
    )
    levels: Mapped[list[FrameworkLevel]] = relationship(
        back_populates="framework", order_by="FrameworkLevel.position"
    )

    def __repr__(self) -> str:
        return f"<Framework {self.code}>"


class FrameworkDomain(Audited, Timestamped, db.Model):
    """One domain of a framework, in order."""

    __tablename__ = "framework_domain"
    __table_args__ = (UniqueConstraint("framework_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[int] = mapped_column(ForeignKey("framework.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    #: An earlier name, such as the PCF's 2012 "Diversity" for "Diversity and equality".
    former_name: Mapped[str | None] = mapped_column(String(200))
    retired: Mapped[bool] = mapped_column(Boolean, default=False)

    framework: Mapped[Framework] = relationship(back_populates="domains")

    def __repr__(self) -> str:
        return f"<FrameworkDomain {self.position}. {self.name}>"


class FrameworkLevel(Audited, Timestamped, db.Model):
    """One level of a framework, in order."""

    __tablename__ = "framework_level"
    __table_args__ = (UniqueConstraint("framework_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[int] = mapped_column(ForeignKey("framework.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    retired: Mapped[bool] = mapped_column(Boolean, default=False)

    framework: Mapped[Framework] = relationship(back_populates="levels")
    pathways: Mapped[list[FrameworkPathway]] = relationship(
        back_populates="level", order_by="FrameworkPathway.position"
    )

    def __repr__(self) -> str:
        return f"<FrameworkLevel {self.position}. {self.name}>"


class FrameworkPathway(Audited, db.Model):
    """A pathway within a level, such as the PCF Advanced level's "Social work manager"."""

    __tablename__ = "framework_pathway"
    __table_args__ = (UniqueConstraint("level_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    level_id: Mapped[int] = mapped_column(ForeignKey("framework_level.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))

    level: Mapped[FrameworkLevel] = relationship(back_populates="pathways")


class FrameworkDescriptor(Audited, Timestamped, db.Model):
    """What a domain looks like at a level (the PCF's "I can..." statements, say)."""

    __tablename__ = "framework_descriptor"
    __table_args__ = (UniqueConstraint("domain_id", "level_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    domain_id: Mapped[int] = mapped_column(ForeignKey("framework_domain.id"), index=True)
    level_id: Mapped[int] = mapped_column(ForeignKey("framework_level.id"), index=True)
    text: Mapped[str] = mapped_column(Text)

    domain: Mapped[FrameworkDomain] = relationship()
    level: Mapped[FrameworkLevel] = relationship()
