"""Accounts: create, authenticate, change passwords and roles."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from flask import current_app
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from workforce.extensions import db
from workforce.models import ROLES, Staff, User, UserRole
from workforce.services import ServiceError

MIN_PASSWORD_LENGTH = 12


def _hash_method() -> str:
    return current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")


@cache
def _dummy_hash(method: str) -> str:
    """A hash checked when no account matches, so a wrong email costs as much as a wrong password."""
    return generate_password_hash("not-a-real-password-at-all", method=method)


def normalise_email(email: str) -> str:
    """Trim and lower-case an email address."""
    return email.strip().lower()


def password_problem(password: str) -> str | None:
    """Return why ``password`` is not acceptable, or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Password must be {MIN_PASSWORD_LENGTH} characters or more"
    if len(password) > 200:
        return "Password must be 200 characters or fewer"
    if password.strip() != password:
        return "Password must not start or end with a space"
    return None


def load_user(session_id: str) -> User | None:
    """Load the user whose session id (``"<id>:<version>"``) is still valid."""
    user_id, _, version = session_id.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or user.session_version != int(version) or not user.is_active_account:
        return None
    return user


def find_by_email(email: str) -> User | None:
    """The account with ``email``, ignoring case."""
    return db.session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))


def authenticate(email: str, password: str) -> User | None:
    """Return the active account matching ``email`` and ``password``, or None."""
    user = find_by_email(email)
    if user is None:
        check_password_hash(_dummy_hash(_hash_method()), password)
        return None
    if not check_password_hash(user.password_hash, password) or not user.is_active_account:
        return None
    return user


def set_password(user: User, password: str) -> None:
    """Hash and store a new password, ending the user's other sessions."""
    problem = password_problem(password)
    if problem:
        raise ServiceError(problem, field="password")
    user.password_hash = generate_password_hash(password, method=_hash_method())
    user.session_version = (user.session_version or 0) + 1


def set_roles(user: User, roles: Iterable[str]) -> None:
    """Make ``user`` hold exactly ``roles``."""
    wanted = set(roles)
    unknown = wanted - set(ROLES)
    if unknown:
        raise ServiceError(f"Unknown role: {', '.join(sorted(unknown))}", field="roles")
    if not wanted:
        raise ServiceError("Select at least one role", field="roles")
    for row in list(user.role_rows):
        if row.role not in wanted:
            user.role_rows.remove(row)
    for role in sorted(wanted - user.roles):
        user.role_rows.append(UserRole(role=role))


def create_user(
    email: str, password: str, roles: Iterable[str], staff: Staff | None = None
) -> User:
    """Create an active account; the email address must not be in use."""
    email = normalise_email(email)
    if find_by_email(email) is not None:
        raise ServiceError("An account with that email address already exists", field="email")
    if staff is not None and db.session.scalar(select(User.id).where(User.staff_id == staff.id)):
        raise ServiceError("That staff record already has an account", field="staff")
    user = User(
        email=email, password_hash="", staff=staff, is_active_account=True, session_version=1
    )
    set_password(user, password)
    user.session_version = 1
    set_roles(user, roles)
    db.session.add(user)
    db.session.flush()
    return user


def set_active(user: User, active: bool, acting: User | None = None) -> None:
    """Activate or deactivate an account; nobody deactivates their own."""
    if acting is not None and acting.id == user.id and not active:
        raise ServiceError("You cannot deactivate your own account")
    user.is_active_account = active
    if not active:
        user.session_version += 1
