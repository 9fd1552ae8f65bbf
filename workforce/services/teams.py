"""Teams: add and change."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from workforce.extensions import db
from workforce.models import EmploymentSpell, Team
from workforce.services import ServiceError
from workforce.services.reference import labels


def save_team(team: Team, name: str, service_area: str, tier_of_need: str, active: bool) -> Team:
    """Validate and store a team's fields; names are unique, ignoring case."""
    name = (name or "").strip()
    if not name:
        raise ServiceError("Enter a team name", field="name")
    clash = db.session.scalar(
        select(Team.id).where(func.lower(Team.name) == name.lower(), Team.id != (team.id or -1))
    )
    if clash:
        raise ServiceError("Another team already has that name", field="name")
    if tier_of_need not in labels("tier_of_need"):
        raise ServiceError("Select a tier of need", field="tier_of_need")
    values = {
        "name": name,
        "service_area": (service_area or "").strip(),
        "tier_of_need": tier_of_need,
        "active": bool(active),
    }
    for attr, value in values.items():
        if getattr(team, attr) != value:
            setattr(team, attr, value)
    if team.id is None:
        db.session.add(team)
    db.session.flush()
    return team


def teams_in_post(on: date) -> list[tuple[Team, int | None, Decimal | None]]:
    """Every team with its headcount (distinct people) and FTE in post on ``on``.

    Active teams first, then by name; a team with nobody in post has None for both.
    """
    in_post = (
        select(
            EmploymentSpell.team_id,
            func.count(func.distinct(EmploymentSpell.staff_id)).label("headcount"),
            func.sum(EmploymentSpell.fte).label("fte"),
        )
        .where(EmploymentSpell.current_on(on))
        .group_by(EmploymentSpell.team_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Team, in_post.c.headcount, in_post.c.fte)
        .outerjoin(in_post, in_post.c.team_id == Team.id)
        .order_by(Team.active.desc(), Team.name)
    ).all()
    return [(team, headcount, fte) for team, headcount, fte in rows]
