"""Who may do what: role checks, record visibility, and security headers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import wraps
from typing import Any, TypeVar

from flask import Flask, Response, abort, request
from flask_login import current_user, login_required
from sqlalchemy import Select, literal, select, union
from sqlalchemy.orm import aliased

from workforce.extensions import db
from workforce.models import EmploymentSpell, Staff, User
from workforce.models.people import spell_in_force

F = TypeVar("F", bound=Callable[..., Any])

#: Roles that may open any staff record (without personal characteristics).
SEE_ALL_STAFF = ("admin", "hr", "ld_officer", "senior_leader")
#: Roles that may see date of birth, gender and ethnicity, and edit employment.
PEOPLE_MANAGERS = ("admin", "hr")

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def roles_required(*roles: str) -> Callable[[F], F]:
    """Let a view through only for signed-in users holding one of ``roles`` (or admin)."""

    def decorator(view: F) -> F:
        @wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


def can_see_characteristics(user: User) -> bool:
    """Whether ``user`` may see date of birth, gender and ethnicity."""
    return user.has_role(*PEOPLE_MANAGERS)


def can_edit_people(user: User) -> bool:
    """Whether ``user`` may add staff and edit employment."""
    return user.has_role(*PEOPLE_MANAGERS)


def managed_staff_ids(manager_staff_id: int, on: date | None = None) -> Select[tuple[int]]:
    """SQL for everyone ``manager_staff_id`` manages on ``on``, directly or through others.

    Follows the line manager of each person's current spell down the hierarchy, and
    includes colleagues in the teams the manager currently works in.
    """
    on = on or date.today()
    spell = aliased(EmploymentSpell)
    reports = (
        select(spell.staff_id.label("staff_id"))
        .where(spell.line_manager_id == manager_staff_id, spell_in_force(spell, on))
        .cte("reports", recursive=True)
    )
    deeper = aliased(EmploymentSpell)
    reports = reports.union(
        select(deeper.staff_id).where(
            deeper.line_manager_id == reports.c.staff_id,
            spell_in_force(deeper, on),
        )
    )
    own_teams = select(EmploymentSpell.team_id).where(
        EmploymentSpell.staff_id == manager_staff_id, EmploymentSpell.current_on(on)
    )
    colleagues = select(EmploymentSpell.staff_id).where(
        EmploymentSpell.team_id.in_(own_teams), EmploymentSpell.current_on(on)
    )
    return select(union(select(reports.c.staff_id), colleagues).subquery().c[0])


def line_managed_staff_ids(manager_staff_id: int, on: date | None = None) -> Select[tuple[int]]:
    """SQL for everyone below ``manager_staff_id`` in the line-management chain on ``on``
    (their line reports, and theirs, and so on), without team colleagues."""
    on = on or date.today()
    spell = aliased(EmploymentSpell)
    reports = (
        select(spell.staff_id.label("staff_id"))
        .where(spell.line_manager_id == manager_staff_id, spell_in_force(spell, on))
        .cte("line_reports", recursive=True)
    )
    deeper = aliased(EmploymentSpell)
    reports = reports.union(
        select(deeper.staff_id).where(
            deeper.line_manager_id == reports.c.staff_id,
            spell_in_force(deeper, on),
        )
    )
    return select(reports.c.staff_id)


def visible_staff_filter(user: User) -> Any:
    """A WHERE condition on ``Staff`` limiting a query to the records ``user`` may open."""
    if user.has_role(*SEE_ALL_STAFF):
        return literal(True)
    conditions = []
    if user.staff_id is not None:
        conditions.append(Staff.id == user.staff_id)
        if user.has_role("supervisor"):
            conditions.append(Staff.id.in_(managed_staff_ids(user.staff_id)))
    if not conditions:
        return literal(False)
    return db.or_(*conditions)


def can_view_staff(user: User, staff: Staff) -> bool:
    """Whether ``user`` may open ``staff``'s record."""
    if user.has_role(*SEE_ALL_STAFF) or staff.id == user.staff_id:
        return True
    return bool(
        db.session.scalar(select(Staff.id).where(Staff.id == staff.id, visible_staff_filter(user)))
    )


def set_security_headers(response: Response) -> Response:
    """Add the Content-Security-Policy and the other protective headers."""
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault(
        "Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()"
    )
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    if not request.path.startswith("/static/"):
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def init_app(app: Flask) -> None:
    """Register the security headers."""
    app.after_request(set_security_headers)
