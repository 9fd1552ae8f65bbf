"""Figures for the home page, computed from stored records."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import case, exists, func, select
from sqlalchemy.orm import aliased

from workforce.extensions import db
from workforce.models import AuditEvent, EmploymentSpell, Staff, User
from workforce.security import managed_staff_ids


@dataclass(frozen=True)
class WorkforceFigures:
    """Headline figures for the whole workforce on a date."""

    headcount: int
    fte: Decimal
    agency_headcount: int
    starters_12m: int
    leavers_12m: int
    teams: int


def workforce_figures(on: date) -> WorkforceFigures:
    """Headcount (distinct people) and FTE in post on ``on``; starters and leavers in the year to it.

    A starter is someone whose earliest spell began in the 12 months to ``on``; a leaver is
    someone whose spell ended in that window with a reason for leaving.
    """
    year_ago = on - timedelta(days=365)
    in_post = EmploymentSpell.current_on(on)
    is_agency = EmploymentSpell.contract_type == "agency"
    headcount, fte, teams, agency = db.session.execute(
        select(
            func.count(func.distinct(EmploymentSpell.staff_id)),
            func.coalesce(func.sum(EmploymentSpell.fte), 0),
            func.count(func.distinct(EmploymentSpell.team_id)),
            func.count(func.distinct(case((is_agency, EmploymentSpell.staff_id)))),
        ).where(in_post)
    ).one()
    # Someone whose earliest spell began in the year: a spell beginning in it, and none
    # before it (read from the spells that began in the year, not from every spell).
    earlier = aliased(EmploymentSpell, name="earlier")
    starters = db.session.scalar(
        select(func.count(func.distinct(EmploymentSpell.staff_id))).where(
            EmploymentSpell.start_date > year_ago,
            EmploymentSpell.start_date <= on,
            ~exists().where(
                earlier.staff_id == EmploymentSpell.staff_id, earlier.start_date <= year_ago
            ),
        )
    )
    leavers = db.session.scalar(
        select(func.count(func.distinct(EmploymentSpell.staff_id))).where(
            EmploymentSpell.leaving_reason.is_not(None),
            EmploymentSpell.end_date > year_ago,
            EmploymentSpell.end_date <= on,
        )
    )
    return WorkforceFigures(
        headcount=headcount or 0,
        fte=Decimal(str(fte or 0)),
        agency_headcount=agency or 0,
        starters_12m=starters or 0,
        leavers_12m=leavers or 0,
        teams=teams or 0,
    )


def managed_people(
    manager_staff_id: int, on: date, limit: int = 50
) -> list[tuple[Staff, EmploymentSpell]]:
    """The people a manager manages on ``on`` with their current spell, by name."""
    ids = managed_staff_ids(manager_staff_id, on)
    rows = db.session.execute(
        select(Staff, EmploymentSpell)
        .join(EmploymentSpell, EmploymentSpell.staff_id == Staff.id)
        .where(Staff.id.in_(ids), Staff.id != manager_staff_id, EmploymentSpell.current_on(on))
        .order_by(Staff.last_name, Staff.first_name, EmploymentSpell.start_date.desc())
    ).all()
    seen: set[int] = set()
    people = []
    for staff, spell in rows:
        if staff.id not in seen:
            seen.add(staff.id)
            people.append((staff, spell))
    return people[:limit]


def account_figures(since: date) -> tuple[int, int, int]:
    """(active accounts, deactivated accounts, audit events since ``since``)."""
    active, inactive = db.session.execute(
        select(
            func.count(case((User.is_active_account.is_(True), 1))),
            func.count(case((User.is_active_account.is_(False), 1))),
        )
    ).one()
    events = db.session.scalar(select(func.count()).where(AuditEvent.at >= since))
    return active or 0, inactive or 0, events or 0
