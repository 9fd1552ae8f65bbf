"""User accounts and the roles they hold."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workforce.extensions import db
from workforce.models._base import Audited, Timestamped

if TYPE_CHECKING:
    from workforce.models.people import Staff

#: Every role, with the name shown to people.
ROLES: dict[str, str] = {
    "admin": "Administrator",
    "hr": "HR and workforce planning",
    "ld_officer": "Learning and development officer",
    "supervisor": "Supervisor or team manager",
    "practitioner": "Practitioner",
    "senior_leader": "Senior leader",
}


class User(Audited, Timestamped, UserMixin, db.Model):
    """A person who signs in. Usually linked to their own staff record."""

    __tablename__ = "user_account"
    __audit_exclude__ = ("password_hash",)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    is_active_account: Mapped[bool] = mapped_column(Boolean, default=True)
    staff_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff.id", ondelete="SET NULL"), unique=True
    )
    #: Bumped when the password changes, so other sessions end.
    session_version: Mapped[int] = mapped_column(default=1)

    staff: Mapped[Staff | None] = relationship(lazy="joined")
    role_rows: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        """Whether the account may sign in."""
        return self.is_active_account

    @property
    def roles(self) -> set[str]:
        """The names of the roles this user holds."""
        return {row.role for row in self.role_rows}

    def has_role(self, *roles: str) -> bool:
        """Whether the user holds any of ``roles`` (admins hold every role)."""
        held = self.roles
        return "admin" in held or any(role in held for role in roles)

    @property
    def display_name(self) -> str:
        """The linked person's name, or the email address for an account without one."""
        return self.staff.full_name if self.staff is not None else self.email

    def get_id(self) -> str:
        """Identify the session by user and password version."""
        return f"{self.id}:{self.session_version}"

    def __repr__(self) -> str:
        return f"<User {self.email}>"


class UserRole(Audited, db.Model):
    """One role held by one user."""

    __tablename__ = "user_role"
    __table_args__ = (UniqueConstraint("user_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(30))

    user: Mapped[User] = relationship(back_populates="role_rows")
