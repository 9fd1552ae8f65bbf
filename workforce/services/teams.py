"""Teams: add and change."""

from __future__ import annotations

from sqlalchemy import func, select

from workforce.extensions import db
from workforce.models import Team
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
